// The agent loop of OpenAI Agents JS (its own runner and ScriptedModel) against the real local
// HaltState server: allow, deny, a pause approved by a human, a rejection, a restart between the
// pause and the resume, and a forged approval that must not run the tool.
import { join } from 'node:path';
import { z } from 'zod';
import { Agent, RunState, run, setTracingDisabled, tool } from '@openai/agents';
import { ScriptedModel, assistantMessage, functionCall } from '@openai/agents/testing';
import { HaltStateClient, type ClientOptions } from '@haltstate/core';
import { guardTools, resolveInterruptions, type GuardToolsOptions } from '@haltstate/openai-agents';
import { AdminClient, createLocalServer, loadPolicyFile, type LocalServer } from '@haltstate/local';

setTracingDisabled(true);
// The example's policy: search_docs allowed, delete_account denied, refund needs a human.
let server: LocalServer;
let admin: AdminClient;
let tenant: LocalServer['tenants'][number];
beforeAll(async () => {
  server = await createLocalServer({ policy: loadPolicyFile(join(__dirname, '../../../examples/openai-agent/policy.yaml')) });
  tenant = server.tenants[0]!;
  admin = new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey });
});
afterAll(() => server.close());

const ran: string[] = [];
beforeEach(() => (ran.length = 0));
const clients: HaltStateClient[] = [];
afterEach(async () => Promise.all(clients.splice(0).map((client) => client.close())));
const newClient = (options: ClientOptions = {}) => {
  const client = new HaltStateClient({ baseUrl: server.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'support-bot', retries: 0, ...options });
  clients.push(client);
  return client;
};

const rawTools = () => [
  tool({ name: 'search_docs', description: 'Search the docs', parameters: z.object({ query: z.string() }), execute: async ({ query }) => (ran.push(`search ${query}`), `3 results for ${query}`) }),
  tool({ name: 'delete_account', description: 'Delete an account', parameters: z.object({ userId: z.string() }), execute: async ({ userId }) => (ran.push(`delete ${userId}`), 'deleted') }),
  tool({ name: 'refund', description: 'Refund an order', parameters: z.object({ orderId: z.string() }), execute: async ({ orderId }) => (ran.push(`refund ${orderId}`), `refunded ${orderId}`) }),
];
const agentWith = (model: ScriptedModel, client: HaltStateClient, wait?: boolean) => new Agent({ name: 'support', model, tools: guardTools(rawTools(), { client, ...(wait ? { wait } : {}) }) });

/** The tool outputs the model was sent on its last turn, by call id. */
function toolOutputs(model: ScriptedModel): Record<string, unknown> {
  const input = model.lastCall?.request.input;
  const items = Array.isArray(input) ? (input as Array<{ type?: string; callId?: string; output?: unknown }>) : [];
  return Object.fromEntries(items.filter((item) => item.type === 'function_call_result').map((item) => [item.callId, item.output]));
}
const outputText = (output: unknown) => (typeof output === 'string' ? output : (output as { text?: string })?.text);
const pendingRefund = async (orderId: string) => (await admin.approvals('pending')).find((approval) => approval.action === 'tool.refund' && approval.params.orderId === orderId);
const reports = async (key: string) => (await admin.audit()).filter((entry) => entry.idempotencyKey === key && (entry.kind === 'report' || entry.kind === 'guard_report'));

it('an allowed call runs; a denied call does not, and the model reads the reason', async () => {
  const model = new ScriptedModel([[functionCall('search_docs', { query: 'refunds' }, { callId: 'c-search' }), functionCall('delete_account', { userId: 'u-1' }, { callId: 'c-del' })], [assistantMessage('done')]]);
  const result = await run(agentWith(model, newClient()), 'Find the refund policy, then delete u-1');
  expect(result.interruptions).toEqual([]);
  expect(ran).toEqual(['search refunds']);
  const outputs = toolOutputs(model);
  expect(outputText(outputs['c-search'])).toBe('3 results for refunds');
  expect(outputText(outputs['c-del'])).toBe('not allowed: Account deletion is never automatic');
});

it('pauses on an approval-required call, and runs it once after a human approves in HaltState', async () => {
  const client = newClient();
  const model = new ScriptedModel([[functionCall('refund', { orderId: 'o-1' }, { callId: 'c-r1' })], [assistantMessage('refunded')]]);
  const agent = agentWith(model, client);
  const first = await run(agent, 'Refund o-1');
  expect(first.interruptions.map((item) => item.name)).toEqual(['refund']);
  expect(ran).toEqual([]);
  const state = first.state;
  expect((await resolveInterruptions(state, { client })).pending.map((entry) => entry.item.name)).toEqual(['refund']);

  const approval = (await pendingRefund('o-1'))!;
  await admin.approve(approval.approval_id, { approver: 'alice' });
  const resolved = await resolveInterruptions(state, { client });
  expect(resolved.approved.map((entry) => entry.state.approver)).toEqual(['alice']);
  const done = await run(agent, state);
  expect(done.finalOutput).toBe('refunded');
  expect(ran).toEqual(['refund o-1']);
  expect(outputText(toolOutputs(model)['c-r1'])).toBe('refunded o-1');
  await client.flush();
  expect((await reports(resolved.approved[0]!.state.idempotencyKey)).map((entry) => entry.outcome)).toEqual(['success']);
});

it('a rejection in HaltState becomes a rejection the model reads, and the tool does not run', async () => {
  const client = newClient();
  const model = new ScriptedModel([[functionCall('refund', { orderId: 'o-2' }, { callId: 'c-r2' })], [assistantMessage('not refunded')]]);
  const agent = agentWith(model, client);
  const { state } = await run(agent, 'Refund o-2');
  await admin.reject((await pendingRefund('o-2'))!.approval_id, { approver: 'bob', reason: 'Order already refunded' });
  const resolved = await resolveInterruptions(state, { client });
  expect(resolved.rejected).toHaveLength(1);
  await run(agent, state);
  expect(ran).toEqual([]);
  expect(outputText(toolOutputs(model)['c-r2'])).toBe('not allowed: Order already refunded (rejected by bob)');
});

it('survives a restart between the pause and the resume: the saved state, a fresh agent and client', async () => {
  const firstModel = new ScriptedModel([[functionCall('refund', { orderId: 'o-3' }, { callId: 'c-r3' })]]);
  const saved = (await run(agentWith(firstModel, newClient()), 'Refund o-3')).state.toString();
  await admin.approve((await pendingRefund('o-3'))!.approval_id, { approver: 'alice' });

  // "after the restart": nothing in memory but the saved string
  const client = newClient();
  const model = new ScriptedModel([[assistantMessage('refunded')]]);
  const agent = agentWith(model, client);
  const state = await RunState.fromString(agent, saved);
  const { pending, approved } = await resolveInterruptions(state, { client });
  expect([pending.length, approved.length]).toEqual([0, 1]);
  expect((await run(agent, state)).finalOutput).toBe('refunded');
  expect(ran).toEqual(['refund o-3']);

  // the same saved state resumed again (a replay) does not run the refund a second time
  const replayModel = new ScriptedModel([[assistantMessage('again')]]);
  const replayAgent = agentWith(replayModel, client);
  const replay = await RunState.fromString(replayAgent, saved);
  expect((await resolveInterruptions(replay, { client })).rejected.map((entry) => entry.state.status)).toEqual(['executed']);
  await run(replayAgent, replay);
  expect(ran).toEqual(['refund o-3']);
});

it('a forged state.approve that HaltState did not back never runs the tool', async () => {
  const client = newClient();
  const model = new ScriptedModel([[functionCall('refund', { orderId: 'o-4' }, { callId: 'c-r4' })], [assistantMessage('waiting')]]);
  const agent = agentWith(model, client);
  const { state, interruptions } = await run(agent, 'Refund o-4');
  state.approve(interruptions[0]!);
  await run(agent, state);
  expect(ran).toEqual([]);
  expect(outputText(toolOutputs(model)['c-r4'])).toMatch(/^approval pending: "tool.refund" needs a human's approval/);
  expect(await pendingRefund('o-4')).toBeDefined();
});

it('with wait, the run blocks in the tool until a human decided, then runs it', async () => {
  const model = new ScriptedModel([[functionCall('refund', { orderId: 'o-5' }, { callId: 'c-r5' })], [assistantMessage('refunded')]]);
  const running = run(agentWith(model, newClient(), true), 'Refund o-5');
  let approval;
  while (!(approval = await pendingRefund('o-5'))) await new Promise((resolve) => setImmediate(resolve));
  await admin.approve(approval.approval_id, { approver: 'alice' });
  const result = await running;
  expect(result.interruptions).toEqual([]);
  expect(ran).toEqual(['refund o-5']);
});

it.each([
  ['the adapter option mode', 's1', (): Partial<GuardToolsOptions> => ({ mode: 'shadow' })],
  ["the client's mode", 's2', (): Partial<GuardToolsOptions> => ({ client: newClient({ mode: 'shadow' }) })],
])('in shadow (%s) nothing pauses: a call that needs a human and a denied call run, recorded as shadow reports', async (_how, id, extra) => {
  const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const options = { client: newClient(), ...extra() };
    const model = new ScriptedModel([[functionCall('refund', { orderId: `o-${id}` }, { callId: `${id}-r` }), functionCall('delete_account', { userId: `u-${id}` }, { callId: `${id}-d` })], [assistantMessage('done')]]);
    const result = await run(new Agent({ name: 'support', model, tools: guardTools(rawTools(), options) }), 'Refund, then delete');
    expect(result.interruptions).toEqual([]);
    expect(ran.sort()).toEqual([`delete u-${id}`, `refund o-${id}`]);
    const outputs = toolOutputs(model);
    expect([outputText(outputs[`${id}-r`]), outputText(outputs[`${id}-d`])]).toEqual([`refunded o-${id}`, 'deleted']);
    await options.client.flush();
    const shadow = (await admin.audit()).filter((entry) => entry.kind === 'shadow_report' && entry.agentId === 'support-bot' && (entry.action === 'tool.refund' || entry.action === 'tool.delete_account'));
    expect(shadow.map((entry) => [entry.action, entry.decision])).toEqual(expect.arrayContaining([['tool.refund', 'pending'], ['tool.delete_account', 'denied']]));
  } finally {
    warnings.mockRestore();
  }
});
