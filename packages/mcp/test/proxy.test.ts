// `haltstate-mcp proxy` as a real process: a host Client on its stdio, the spawned upstream
// fixture behind it, the real local HaltState server. Allow, deny, pending → approved → once,
// replay, a tool not listed yet, list changes, the kill switch, an upstream crash, URL
// elicitation, clean exit on stdin close, stdout carrying protocol only, bad input → exit 2.
import { rmSync } from 'node:fs';
import { ElicitRequestSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { TEST_SECRET_MARKER } from '@test-support/keys';
import { bundleBins, runBin, startProxy, type RunningProxy, type StartOptions } from './helpers/proxy';
import { pendingApproval, reportsOf, startPolicyServer, textOf, type PolicyServer } from './helpers/server';

let policy: PolicyServer;
let bins: ReturnType<typeof bundleBins>;
let env: Record<string, string>;
beforeAll(async () => {
  bins = bundleBins();
  policy = await startPolicyServer('proxy');
  env = { HALTSTATE_BASE_URL: policy.server.url, HALTSTATE_TENANT_ID: policy.tenant.id, HALTSTATE_API_KEY: policy.tenant.apiKey };
});
afterAll(async () => {
  await policy.server.close();
  rmSync(bins.dir, { recursive: true, force: true });
});

const running: RunningProxy[] = [];
afterEach(async () => {
  for (const proxy of running.splice(0)) {
    // Everything the proxy wrote to stdout is JSON-RPC; nothing anywhere carries the key.
    for (const line of proxy.stdoutLines()) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(proxy.stderr()).not.toContain(TEST_SECRET_MARKER);
    expect(proxy.stdoutLines().join('\n')).not.toContain(TEST_SECRET_MARKER);
    if (proxy.child.exitCode === null) await proxy.close();
  }
});
const start = async (options: StartOptions = {}) => {
  const proxy = await startProxy(bins, env, options);
  running.push(proxy);
  return proxy;
};

it('forwards the upstream and guards every call: allowed runs, denied does not, pending runs once after approval, a replay never', async () => {
  const proxy = await start({ args: ['--agent-id', 'desktop'] });
  const { host } = proxy;
  expect(host.getServerVersion()).toMatchObject({ name: 'files', version: '2.0.0' });
  expect(host.getInstructions()).toBe('Files of the test machine.');
  const { tools } = await host.listTools();
  expect(tools.map((tool) => tool.name)).toEqual(['read', 'delete', 'send', 'ping', 'crash']);
  expect(tools.find((tool) => tool.name === 'delete')?.annotations).toEqual({ destructiveHint: true });

  expect(textOf(await host.callTool({ name: 'read', arguments: { path: '/etc/motd' } }))).toBe('contents of /etc/motd');
  expect(await host.callTool({ name: 'delete', arguments: { path: '/' } })).toEqual({ isError: true, content: [{ type: 'text', text: 'not allowed: Deletes are never automatic' }] });

  const call = { name: 'send', arguments: { to: 'ops@example.com', body: 'report' } };
  const first = await host.callTool(call);
  const approval = await pendingApproval(policy.admin, 'mcp.files.send');
  expect(approval.agent_id).toBe('desktop');
  expect(approval.metadata).toMatchObject({ mcp_server: 'files', mcp_tool: 'send', annotations: { openWorldHint: true }, listed: true });
  expect(first.isError).toBe(true);
  expect(textOf(first)).toContain(`approval id ${approval.approval_id}`);
  expect(textOf(first)).toContain('did NOT run');
  // With no wait (the default), the pending answer is still logged: the action and the approval, never the arguments.
  const logged = await proxy.stderrContaining(`"mcp.files.send" is pending: approval ${approval.approval_id}`);
  expect(logged).not.toContain('ops@example.com');

  await policy.admin.approve(approval.approval_id, { approver: 'alice' });
  expect(textOf(await host.callTool(call))).toBe('sent to ops@example.com');
  expect(textOf(await host.callTool(call))).toContain('already done');
  expect(proxy.upstreamLog().slice(1)).toEqual(['read /etc/motd', 'send ops@example.com']);
  expect(await reportsOf(policy.admin, approval.approval_id)).toHaveLength(1);

  // The upstream never saw a HaltState variable: the API key stays in the proxy.
  expect(proxy.upstreamLog()[0]).toBe('started; HALTSTATE variables seen: none');
  expect(await proxy.close()).toBe(0);
});

it('checks a tool it has not listed like any other (never allowed by default), and forwards list changes', async () => {
  const proxy = await start({ args: ['--agent-id', 'unlisted'] });
  const changed = new Promise<void>((resolve) => proxy.host.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
  // No tools/list yet: the call is still asked about, and sent to a human.
  const unlisted = await proxy.host.callTool({ name: 'send', arguments: { to: 'x@example.com', body: 'b' } });
  expect(textOf(unlisted)).toContain('approval pending');
  expect((await pendingApproval(policy.admin, 'mcp.files.send')).metadata).toMatchObject({ listed: false });
  // A name the upstream does not have is denied by the default rule before it reaches the upstream.
  expect(textOf(await proxy.host.callTool({ name: 'format_disk', arguments: {} }))).toBe('not allowed: No rule matched; default DENY');

  expect(textOf(await proxy.host.callTool({ name: 'ping', arguments: {} }))).toBe('pong');
  await changed;
  expect((await proxy.host.listTools()).tools.map((tool) => tool.name)).toContain('extra');
  expect(textOf(await proxy.host.callTool({ name: 'extra', arguments: {} }))).toBe('not allowed: No rule matched; default DENY');
  expect(proxy.upstreamLog().slice(1)).toEqual(['ping']);
  await policy.admin.reject((await pendingApproval(policy.admin, 'mcp.files.send')).approval_id, { approver: 'alice', reason: 'cleanup' });
});

it('the kill switch stops calls through the proxy', async () => {
  await policy.admin.setAgentStatus('killed', 'KILL');
  const proxy = await start({ args: ['--agent-id', 'killed'] });
  const result = await proxy.host.callTool({ name: 'read', arguments: { path: '/etc/motd' } });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toContain("kill switch (KILL)");
  expect(proxy.upstreamLog().slice(1)).toEqual([]);
});

it('an upstream crash answers a clear error, never hangs, and later calls say the server is gone', async () => {
  const proxy = await start({ args: ['--agent-id', 'crasher'] });
  const crashed = await proxy.host.callTool({ name: 'crash', arguments: {} });
  expect(crashed.isError).toBe(true);
  expect(textOf(crashed)).toContain('the upstream MCP server failed during "crash"');
  const after = await proxy.host.callTool({ name: 'read', arguments: { path: '/etc/motd' } });
  expect(textOf(after)).toContain('closed its connection');
  expect(textOf(after)).toContain('the tool did not run');
  await expect(proxy.host.listTools()).rejects.toThrow('closed its connection');
  expect(proxy.stderr()).toContain('closed its connection');
  expect(await proxy.close()).toBe(0);
});

it('where the host supports URL elicitation, shows the approval page and waits for HaltState’s decision', async () => {
  const shown: string[] = [];
  const proxy = await start({
    args: ['--agent-id', 'elicit', '--approval-url', `${policy.server.url}/#approval={approvalId}`, '--wait-ms', '20000'],
    capabilities: { elicitation: { url: {} } },
    setup: (host) =>
      host.setRequestHandler(ElicitRequestSchema, async (request) => {
        const url = request.params.mode === 'url' ? request.params.url : '';
        shown.push(url);
        // The human decides in HaltState; what the host answers here only says the page was opened.
        const approvalId = decodeURIComponent(url.split('#approval=')[1] ?? '');
        await policy.admin.approve(approvalId, { approver: 'carol' });
        return { action: 'accept' };
      }),
  });
  const result = await proxy.host.callTool({ name: 'send', arguments: { to: 'carol@example.com', body: 'hi' } });
  expect(textOf(result)).toBe('sent to carol@example.com');
  expect(shown).toHaveLength(1);
  expect(shown[0]).toMatch(new RegExp(`^${policy.server.url.replace(/[.]/g, '\\.')}/#approval=[0-9a-f-]{36}$`));
  expect(proxy.upstreamLog().slice(1)).toEqual(['send carol@example.com']);
});

it('a declined elicitation never runs the tool: the call answers pending', async () => {
  const proxy = await start({
    args: ['--agent-id', 'decliner', '--approval-url', 'https://approvals.example/#/{approvalId}'],
    capabilities: { elicitation: { url: {} } },
    // The user declines to open the page: the wait ends, and nothing runs without HaltState's yes.
    setup: (host) => host.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' as const })),
  });
  const result = await proxy.host.callTool({ name: 'send', arguments: { to: 'dan@example.com', body: 'hi' } });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toContain('approval pending');
  expect(textOf(result)).toContain('https://approvals.example/#/');
  expect(await proxy.stderrContaining('"mcp.files.send" is pending: approval ')).not.toContain('dan@example.com');
  expect(proxy.upstreamLog().slice(1)).toEqual([]);
});

it('bad command lines and a missing key exit 2 with a message that names the fix', async () => {
  const none = await runBin(bins.bin, [], env);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('missing the command');
  const noUpstream = await runBin(bins.bin, ['proxy'], env);
  expect(noUpstream.code).toBe(2);
  expect(noUpstream.stderr).toContain('add "-- <command> [args…]"');
  const beforeDashes = await runBin(bins.bin, ['proxy', 'node', 'server.mjs'], env);
  expect(beforeDashes.stderr).toContain('haltstate-mcp proxy -- node server.mjs');
  const badWait = await runBin(bins.bin, ['proxy', '--wait-ms', '90000', '--', 'node', 'x'], env);
  expect(badWait.code).toBe(2);
  expect(badWait.stderr).toContain('--wait-ms takes a whole number of milliseconds from 0 to 55000');
  const unknown = await runBin(bins.bin, ['proxy', '--agent', 'x', '--', 'node', 'x'], env);
  expect(unknown.code).toBe(2);
  const noKey = await runBin(bins.bin, ['proxy', '--', 'node', 'x'], { HALTSTATE_TENANT_ID: 'acme' });
  expect(noKey.code).toBe(2);
  expect(noKey.stderr).toContain('HALTSTATE_API_KEY');
  for (const run of [none, noUpstream, beforeDashes, badWait, unknown, noKey]) expect(run.stdout).toBe('');
  const help = await runBin(bins.bin, ['--help'], env);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('Usage: haltstate-mcp proxy');
});

it('an upstream that will not start exits 1 and says which command failed', async () => {
  const result = await runBin(bins.bin, ['proxy', '--', '/nonexistent/mcp-server'], env);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('could not start the upstream MCP server "/nonexistent/mcp-server"');
  expect(result.stdout).toBe('');
});
