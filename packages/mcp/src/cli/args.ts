import { parseArgs } from 'node:util';
import { MAX_WAIT_MS } from '../wait-limits.js';

/** What `haltstate-mcp proxy` was asked to do. */
export interface ProxyArgs {
  command: string;
  args: string[];
  agentId: string | undefined;
  actionPrefix: string | undefined;
  waitMs: number | undefined;
  approvalUrl: string | undefined;
  heartbeatMs: number | undefined;
}

/** A command line the CLI cannot use: its message says what to change (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: haltstate-mcp proxy [options] -- <command> [args…]

Puts HaltState in front of a stdio MCP server: every tools/call is checked (allow, deny, or a
human's approval) before it reaches <command>. HaltState settings come from HALTSTATE_TENANT_ID,
HALTSTATE_API_KEY, HALTSTATE_BASE_URL, HALTSTATE_AGENT_ID, HALTSTATE_MODE, … (as the client's).

Options:
  --agent-id ID          the agent HaltState sees (default: HALTSTATE_AGENT_ID, else "default")
  --action-prefix P      actions are P.<tool> (default: mcp.<upstream server name>)
  --wait-ms N            wait up to N ms (0–${MAX_WAIT_MS}) for a human's decision before answering "pending"
                         (default: 50000 when the host shows URL elicitations and --approval-url is set, else 0)
  --approval-url T       the approval page, with {approvalId} in it (default: HALTSTATE_APPROVAL_URL)
  --heartbeat-ms N       how often to poll the kill switch (default: 30000)
  -h, --help             this text

Example (a host's MCP config; absolute paths, since a host starts servers from a folder of its own):
  "command": "node",
  "args": ["/path/to/project/node_modules/@haltstate/mcp/bin/haltstate-mcp.cjs", "proxy", "--", "node", "/path/to/project/server.mjs"]`;

function whole(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new UsageError(`${name} takes a whole number of milliseconds from ${min} to ${max}, got "${value}"`);
  return number;
}

/**
 * Reads the CLI's arguments (without `node` and the script) and `HALTSTATE_APPROVAL_URL`. Returns `'help'` for `--help`;
 * throws {@link UsageError} naming the fix for anything it cannot use.
 *
 * @example
 * parseProxyArgs(['proxy', '--wait-ms', '30000', '--', 'node', 'server.mjs'])
 */
export function parseProxyArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ProxyArgs | 'help' {
  const dashes = argv.indexOf('--');
  const own = dashes === -1 ? [...argv] : argv.slice(0, dashes);
  const upstream = dashes === -1 ? [] : argv.slice(dashes + 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      allowPositionals: true,
      strict: true,
      options: {
        'agent-id': { type: 'string' },
        'action-prefix': { type: 'string' },
        'wait-ms': { type: 'string' },
        'approval-url': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals[0] !== 'proxy') throw new UsageError(positionals.length === 0 ? 'missing the command: haltstate-mcp proxy [options] -- <command> [args…]' : `unknown command "${positionals[0]}": the command is "proxy"`);
  if (positionals.length > 1) throw new UsageError(`"${positionals.slice(1).join(' ')}" came before "--": put the upstream server's command after "--" (haltstate-mcp proxy -- ${positionals.slice(1).join(' ')})`);
  if (upstream.length === 0 || !upstream[0]) throw new UsageError('missing the upstream server: add "-- <command> [args…]" (e.g. haltstate-mcp proxy -- node server.mjs)');
  for (const name of ['agent-id', 'action-prefix', 'approval-url'] as const) {
    if (values[name] === '') throw new UsageError(`--${name} needs a value`);
  }
  const approvalUrl = values['approval-url'] ?? (env.HALTSTATE_APPROVAL_URL || undefined);
  if (approvalUrl !== undefined && !approvalUrl.includes('{approvalId}')) throw new UsageError(`--approval-url (or HALTSTATE_APPROVAL_URL) needs {approvalId} in it, e.g. "https://approvals.example/#/{approvalId}"; got "${approvalUrl}"`);
  return {
    command: upstream[0],
    args: upstream.slice(1),
    agentId: values['agent-id'],
    actionPrefix: values['action-prefix'],
    waitMs: whole('--wait-ms', values['wait-ms'], 0, MAX_WAIT_MS),
    approvalUrl,
    heartbeatMs: whole('--heartbeat-ms', values['heartbeat-ms'], 1_000, 3_600_000),
  };
}
