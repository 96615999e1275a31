// guardMcpServer with the real MCP SDK on both sides (InMemoryTransport) against the real local
// HaltState server: allow, deny, pending → approved → the repeated call runs once, tools
// registered before and after, a later update({ callback }), the kill switch, fail closed.
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { HaltStateClient } from '@haltstate/core';
import { guardMcpServer, type GuardMcpServerOptions } from '@haltstate/mcp';
import { pendingApproval, reportsOf, startPolicyServer, textOf, type PolicyServer } from './helpers/server';

let policy: PolicyServer;
beforeAll(async () => {
  policy = await startPolicyServer('guard-server');
});
afterAll(() => policy.server.close());

const ran: string[] = [];
const hosts: Client[] = [];
beforeEach(() => (ran.length = 0));
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
  await policy.closeAll();
});

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

/** A `files` server with read (before the guard), delete (before), send (after), guarded, and a connected host. */
async function filesServer(client: HaltStateClient, options: Partial<GuardMcpServerOptions> = {}) {
  const server = new McpServer({ name: 'files', version: '1.0.0' });
  server.registerTool('read', { inputSchema: { path: z.string() }, annotations: { readOnlyHint: true } }, async ({ path }) => (ran.push(`read ${path}`), text(`contents of ${path}`)));
  server.registerTool('delete', { inputSchema: { path: z.string() }, annotations: { destructiveHint: true } }, async ({ path }) => (ran.push(`delete ${path}`), text('deleted')));
  guardMcpServer(server, { client, ...options });
  const send = server.registerTool('send', { inputSchema: { to: z.string(), body: z.string() }, annotations: { openWorldHint: true } }, async ({ to }) => (ran.push(`send ${to}`), text(`sent to ${to}`)));
  const [serverSide, hostSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const host = new Client({ name: 'test-host', version: '1.0.0' });
  await host.connect(hostSide);
  hosts.push(host);
  return { server, host, send };
}

it('an allowed tool runs and its outcome is reported; a denied one does not run and the model reads the reason', async () => {
  const { host } = await filesServer(policy.newClient());
  const read = await host.callTool({ name: 'read', arguments: { path: '/etc/motd' } });
  expect(read.isError).toBeFalsy();
  expect(textOf(read)).toBe('contents of /etc/motd');

  const deleted = await host.callTool({ name: 'delete', arguments: { path: '/' } });
  expect(deleted).toEqual({ isError: true, content: [{ type: 'text', text: 'not allowed: Deletes are never automatic' }] });
  expect(ran).toEqual(['read /etc/motd']);

  const audit = await policy.admin.audit();
  expect(audit.filter((entry) => entry.kind === 'guard_report' && entry.action === 'mcp.files.read').map((entry) => entry.outcome)).toEqual(['success']);
});

it('pending: answers at once naming the approval; the same call after a human approved runs exactly once, and a replay does not run it again', async () => {
  const { host } = await filesServer(policy.newClient());
  const call = { name: 'send', arguments: { to: 'ops@example.com', body: 'weekly report' } };

  const first = await host.callTool(call);
  const approval = await pendingApproval(policy.admin, 'mcp.files.send');
  expect(first.isError).toBe(true);
  expect(textOf(first)).toContain(`approval id ${approval.approval_id}`);
  expect(textOf(first)).toContain('did NOT run');
  expect(textOf(first)).toContain('same call repeated');
  // The approver sees the arguments and the tool's annotations, marked as hints.
  expect(approval.params).toEqual(call.arguments);
  expect(approval.metadata).toMatchObject({ mcp_server: 'files', mcp_tool: 'send', annotations: { openWorldHint: true }, annotations_are_hints: true });

  // Asked again before anyone decided: the same approval, still not run.
  expect(textOf(await host.callTool(call))).toContain(`approval id ${approval.approval_id}`);
  expect(ran).toEqual([]);

  await policy.admin.approve(approval.approval_id, { approver: 'alice' });
  const approved = await host.callTool(call);
  expect(textOf(approved)).toBe('sent to ops@example.com');
  const replay = await host.callTool(call);
  expect(replay.isError).toBe(true);
  expect(textOf(replay)).toContain('already done');
  expect(ran).toEqual(['send ops@example.com']);
  expect(await reportsOf(policy.admin, approval.approval_id)).toHaveLength(1);

  // Other arguments are another call: a new approval, not this one.
  expect(textOf(await host.callTool({ name: 'send', arguments: { to: 'ops@example.com', body: 'other' } }))).not.toContain(approval.approval_id);
  expect(ran).toEqual(['send ops@example.com']);
});

it('wait: a pending call holds until the human decides in HaltState, then runs once', async () => {
  const client = policy.newClient({ agentId: 'waiting-bot' });
  const { host } = await filesServer(client, {
    wait: { timeoutMs: 20_000, onApprovalRequested: ({ approvalId }) => void policy.admin.approve(approvalId, { approver: 'bob' }) },
  });
  const result = await host.callTool({ name: 'send', arguments: { to: 'bob@example.com', body: 'hi' } });
  expect(textOf(result)).toBe('sent to bob@example.com');
  expect(ran).toEqual(['send bob@example.com']);
});

it('guards tools registered later, legacy tool() ones without a schema, and callbacks swapped in by update()', async () => {
  const { server, host, send } = await filesServer(policy.newClient({ agentId: 'late-bot' }));
  server.tool('ping', async () => (ran.push('ping'), text('pong')));
  server.tool('wipe', async () => (ran.push('wipe'), text('wiped')));
  send.update({ callback: (async () => (ran.push('swapped send'), text('swapped'))) as never });
  await host.listTools();

  expect(textOf(await host.callTool({ name: 'ping' }))).toBe('pong');
  expect(textOf(await host.callTool({ name: 'wipe' }))).toBe('not allowed: No rule matched; default DENY');
  expect(textOf(await host.callTool({ name: 'send', arguments: { to: 'x@example.com', body: 'b' } }))).toContain('approval pending');
  expect(ran).toEqual(['ping']);
});

it("a tool's own isError result is returned as it is and reported as an error", async () => {
  const client = policy.newClient({ agentId: 'broken-bot' });
  const server = new McpServer({ name: 'files', version: '1.0.0' });
  server.registerTool('broken', { inputSchema: {} }, async () => ({ isError: true, content: [{ type: 'text' as const, text: 'disk full' }] }));
  guardMcpServer(server, { client });
  const [serverSide, hostSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const host = new Client({ name: 'test-host', version: '1.0.0' });
  await host.connect(hostSide);
  hosts.push(host);

  expect(await host.callTool({ name: 'broken', arguments: {} })).toEqual({ isError: true, content: [{ type: 'text', text: 'disk full' }] });
  const reports = (await policy.admin.audit()).filter((entry) => entry.kind === 'guard_report' && entry.agentId === 'broken-bot');
  expect(reports.map((entry) => entry.outcome)).toEqual(['error']);
});

it('the kill switch stops every call: the tool does not run', async () => {
  await policy.admin.setAgentStatus('killed-bot', 'KILL');
  const { host } = await filesServer(policy.newClient({ agentId: 'killed-bot' }));
  const result = await host.callTool({ name: 'read', arguments: { path: '/etc/motd' } });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(/^stopped: HaltState's kill switch \(KILL\)/);
  expect(ran).toEqual([]);
});

it('PAUSE from the heartbeat answers at once: the tool does not run and the call does not hang', async () => {
  await policy.admin.setAgentStatus('paused-bot', 'PAUSE');
  const client = policy.newClient({ agentId: 'paused-bot' });
  expect(await client.startKillSwitch()).toBe('PAUSE');
  const { host } = await filesServer(client);
  const result = await host.callTool({ name: 'read', arguments: { path: '/etc/motd' } });
  expect(textOf(result)).toMatch(/^paused: HaltState's kill switch pauses agent "paused-bot"; the tool did not run/);
  expect(ran).toEqual([]);
});

it('fails closed: with HaltState unreachable the tool never runs and the model is told why', async () => {
  const dead = await startPolicyServer('guard-server-dead');
  const url = dead.server.url;
  await dead.server.close();
  const { host } = await filesServer(policy.newClient({ baseUrl: url }));
  const result = await host.callTool({ name: 'read', arguments: { path: '/etc/motd' } });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toContain('HaltState could not be reached');
  expect(textOf(result)).toContain('the tool did not run');
  expect(ran).toEqual([]);
});

it('names actions with a prefix or a function of the tool and its annotations', async () => {
  const client = policy.newClient({ agentId: 'naming-bot' });
  const { host } = await filesServer(client, { action: (tool, annotations) => (annotations.readOnlyHint ? `mcp.files.${tool}` : `mcp.files.delete`) });
  expect(textOf(await host.callTool({ name: 'send', arguments: { to: 'a', body: 'b' } }))).toBe('not allowed: Deletes are never automatic');
  expect(textOf(await host.callTool({ name: 'read', arguments: { path: 'p' } }))).toBe('contents of p');
});

it('refuses what it cannot guard instead of leaving it open', () => {
  const server = new McpServer({ name: 'files', version: '1.0.0' });
  expect(() => guardMcpServer(server, { client: undefined as never })).toThrow('needs { client }');
  guardMcpServer(server, { client: policy.newClient() });
  expect(() => guardMcpServer(server, { client: policy.newClient() })).toThrow('already guarded');
  expect(() => server.experimental.tasks.registerToolTask('long', { inputSchema: {} } as never, {} as never)).toThrow('task-based tools');
});
