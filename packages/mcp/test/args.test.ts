// The proxy's command line, parsed without a process (test/proxy.test.ts runs the bin itself).
import { parseProxyArgs } from '../src/cli/args';

it('reads the options before "--" and the upstream command after it', () => {
  expect(parseProxyArgs(['proxy', '--agent-id', 'desktop', '--action-prefix', 'mcp.fs', '--wait-ms', '30000', '--approval-url', 'https://a.example/#/{approvalId}', '--', 'node', 'server.mjs', '--port', '1'], {})).toEqual({
    command: 'node',
    args: ['server.mjs', '--port', '1'],
    agentId: 'desktop',
    actionPrefix: 'mcp.fs',
    waitMs: 30_000,
    approvalUrl: 'https://a.example/#/{approvalId}',
    heartbeatMs: undefined,
  });
  expect(parseProxyArgs(['proxy', '--', 'srv'], { HALTSTATE_APPROVAL_URL: 'https://b.example/{approvalId}' })).toMatchObject({ command: 'srv', args: [], approvalUrl: 'https://b.example/{approvalId}' });
  expect(parseProxyArgs(['--help'], {})).toBe('help');
});

it.each([
  [[], 'missing the command'],
  [['serve', '--', 'srv'], 'unknown command "serve"'],
  [['proxy'], 'missing the upstream server'],
  [['proxy', 'node', 'srv.mjs'], 'put the upstream server\'s command after "--"'],
  [['proxy', '--wait-ms=-1', '--', 'srv'], '--wait-ms takes a whole number'],
  [['proxy', '--wait-ms', '60000', '--', 'srv'], 'from 0 to 55000'],
  [['proxy', '--heartbeat-ms', '10', '--', 'srv'], '--heartbeat-ms takes a whole number of milliseconds from 1000'],
  [['proxy', '--approval-url', 'https://a.example/', '--', 'srv'], 'needs {approvalId} in it'],
  [['proxy', '--agent-id', '', '--', 'srv'], '--agent-id needs a value'],
  [['proxy', '--agnet-id', 'x', '--', 'srv'], "Unknown option '--agnet-id'"],
])('%j is refused with a message naming the fix', (argv, message) => {
  expect(() => parseProxyArgs(argv, {})).toThrow(message);
});
