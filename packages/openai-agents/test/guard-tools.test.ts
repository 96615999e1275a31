// guardTools at the level of one tool call: what each hook asks HaltState, what it answers the
// runner, and what the guarded invoke runs and reports. The runner itself: agent-loop.test.ts.
import nock from 'nock';
import { z } from 'zod';
import { RunContext, tool, type FunctionTool } from '@openai/agents';
import { HaltStateClient, HaltStateConnectionError, HaltStateValidationError } from '@haltstate/core';
import { guardTools, notRunText, resolveInterruptions } from '@haltstate/openai-agents';
import { testKey } from '@test-support/keys';
import { setupNock } from '@test-support/nock';

const BASE = 'https://haltstate.test';
const KEY = testKey('openai-agents');
const json = { 'content-type': 'application/json' };
const GUARD = '/api/sentinel/action/guard';
const api = () => nock(BASE).matchHeader('x-api-key', KEY);
const makeClient = () => new HaltStateClient({ tenantId: 'acme', apiKey: KEY, baseUrl: BASE, agentId: 'agent-1', retries: 0, onReportError: () => undefined });

setupNock();

const calls: string[] = [];
beforeEach(() => (calls.length = 0));
const refund = (errorFunction?: null) =>
  tool({
    name: 'refund',
    description: 'Refund an order',
    parameters: z.object({ orderId: z.string() }),
    ...(errorFunction === null ? { errorFunction: null } : {}),
    execute: async ({ orderId }) => {
      calls.push(orderId);
      if (orderId === 'boom') throw new Error('payment provider down');
      return `refunded ${orderId}`;
    },
  });
const guardedRefund = (options: Partial<Parameters<typeof guardTools>[1]> = {}, errorFunction?: null) => guardTools([refund(errorFunction)], { client: makeClient(), ...options })[0];
const context = new RunContext();
const details = (callId: string, args: object) => ({ toolCall: { type: 'function_call' as const, callId, name: 'refund', arguments: JSON.stringify(args) } });
const guardrailOf = (guarded: Pick<FunctionTool, 'inputGuardrails'>) => guarded.inputGuardrails!.at(-1)!;

describe('guardTools', () => {
  it('keeps the tool as the model sees it and refuses what it cannot guard', () => {
    const original = refund();
    const [guarded] = guardTools([original], { client: makeClient() });
    expect([guarded.name, guarded.description, guarded.parameters, guarded.strict]).toEqual([original.name, original.description, original.parameters, original.strict]);
    expect(() => guardTools([guarded], { client: makeClient() })).toThrow(/already guarded/);
    expect(() => guardTools([{ type: 'hosted_tool', name: 'web_search' } as never], { client: makeClient() })).toThrow(HaltStateValidationError);
    expect(() => guardTools([original], {} as never)).toThrow(/needs \{ client \}/);
  });

  it('needsApproval asks the guard state under a key of the agent, the tool and the call id: pending → true, allowed → false', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    api().post(GUARD, (body) => (bodies.push(body), true)).reply(200, { status: 'pending', approval_id: 'apr-1' }, json);
    api().post(GUARD, (body) => (bodies.push(body), true)).reply(200, { status: 'allowed' }, json);
    const guarded = guardedRefund({ agentId: 'billing-bot', action: (toolName, input) => `billing.${toolName}.${String(input.orderId)}` });
    expect(await guarded.needsApproval(context, { orderId: 'o-1' }, 'call_1')).toBe(true);
    expect(await guarded.needsApproval(context, { orderId: 'o-1' }, 'call_2')).toBe(false);
    expect(bodies.map(({ agent_id, action, params }) => [agent_id, action, params])).toEqual([
      ['billing-bot', 'billing.refund.o-1', { orderId: 'o-1' }],
      ['billing-bot', 'billing.refund.o-1', { orderId: 'o-1' }],
    ]);
    // one key per call id; never the call id itself (namespaced: two tools or agents never share one)
    expect(bodies[0]!.idempotency_key).not.toBe(bodies[1]!.idempotency_key);
    expect(bodies[0]!.idempotency_key).not.toBe('call_1');
    expect(calls).toEqual([]);
  });

  it('fails closed: an unreachable HaltState is an error from needsApproval, never a "no approval needed"', async () => {
    api().post(GUARD).replyWithError('connect ECONNREFUSED');
    await expect(guardedRefund().needsApproval(context, { orderId: 'o-1' }, 'call_1')).rejects.toBeInstanceOf(HaltStateConnectionError);
  });

  it('the guardrail turns a DENY into a rejection the model reads, with the reason', async () => {
    api().post(GUARD).reply(200, { status: 'denied', reason: 'Refunds over 100 need a manager', policy_id: 'limit' }, json);
    const guarded = guardedRefund();
    const output = await guardrailOf(guarded).run({ context, agent: undefined as never, toolCall: details('call_1', { orderId: 'o-1' }).toolCall });
    expect(output.behavior).toEqual({ type: 'rejectContent', message: 'not allowed: Refunds over 100 need a manager' });
  });

  it('the guardrail lets allowed and approved calls through, and rejects one nobody approved yet', async () => {
    api().post(GUARD).reply(200, { status: 'approved', approval_id: 'apr-1', approver: 'alice' }, json);
    api().post(GUARD).reply(200, { status: 'pending', approval_id: 'apr-2' }, json);
    const guardrail = guardrailOf(guardedRefund());
    const ask = () => guardrail.run({ context, agent: undefined as never, toolCall: details('call_1', { orderId: 'o-1' }).toolCall });
    expect((await ask()).behavior).toEqual({ type: 'allow' });
    expect((await ask()).behavior).toEqual({ type: 'rejectContent', message: expect.stringMatching(/^approval pending: "tool.refund" .*approval id apr-2/) });
  });

  it('the guarded invoke runs the tool inside guard with the same key and reports the result once', async () => {
    let key: unknown;
    api().post(GUARD, (body) => ((key = body.idempotency_key), true)).reply(200, { status: 'approved', approval_id: 'apr-1' }, json);
    const report = api().post(`${GUARD}/report`, (body) => body.idempotency_key === key && body.outcome === 'success' && body.error === null).reply(200, {}, json);
    const client = makeClient();
    const [guarded] = guardTools([refund()], { client });
    expect(await guarded.invoke(context, JSON.stringify({ orderId: 'o-1' }), details('call_1', { orderId: 'o-1' }))).toBe('refunded o-1');
    expect(calls).toEqual(['o-1']);
    expect(key).toBe(client.idempotencyKey({ agentId: 'agent-1', action: 'tool.refund', params: { tool: 'refund', callId: 'call_1' } }));
    await client.close(); // flushes the report
    expect(report.isDone()).toBe(true);
  });

  it("a tool's thrown error is reported with its message and rethrown", async () => {
    api().post(GUARD).reply(200, { status: 'allowed' }, json);
    const report = api().post(`${GUARD}/report`, (body) => body.outcome === 'error' && body.error === 'payment provider down').reply(200, {}, json);
    const guarded = guardedRefund({}, null);
    await expect(guarded.invoke(context, JSON.stringify({ orderId: 'boom' }), details('call_1', { orderId: 'boom' }))).rejects.toThrow('payment provider down');
    await new Promise((resolve) => report.once('replied', resolve));
  });

  it('a state.approve that HaltState did not back: the guarded invoke does not run the tool and answers why', async () => {
    api().post(GUARD).reply(200, { status: 'pending', approval_id: 'apr-9' }, json);
    const output = await guardedRefund().invoke(context, JSON.stringify({ orderId: 'o-1' }), details('call_1', { orderId: 'o-1' }));
    expect(output).toMatch(/^approval pending: "tool.refund" needs a human's approval in HaltState \(approval id apr-9\)/);
    expect(calls).toEqual([]);
  });

  it("the runner's abort signal (the tool's timeoutMs, a sibling's failure) reaches the guard: an aborted call never runs", async () => {
    const guarded = guardedRefund({ wait: true });
    const signal = AbortSignal.abort(new Error('timed out'));
    await expect(guarded.invoke(context, JSON.stringify({ orderId: 'o-1' }), { ...details('call_1', { orderId: 'o-1' }), signal })).rejects.toThrow('timed out');
    expect(calls).toEqual([]);
  });

  it('refuses a call without a call id (it would have no approval of its own)', async () => {
    await expect(guardedRefund().invoke(context, JSON.stringify({ orderId: 'o-1' }))).rejects.toThrow(/without a call id/);
    await expect(guardedRefund().needsApproval(context, { orderId: 'o-1' })).rejects.toThrow(/without a call id/);
    expect(calls).toEqual([]);
  });

  it('with wait, needsApproval never pauses and the guardrail lets a pending call reach the waiting guard', async () => {
    api().post(GUARD).reply(200, { status: 'pending', approval_id: 'apr-3' }, json);
    const guarded = guardedRefund({ wait: true });
    expect(await guarded.needsApproval(context, { orderId: 'o-1' }, 'call_1')).toBe(false);
    expect((await guardrailOf(guarded).run({ context, agent: undefined as never, toolCall: details('call_1', { orderId: 'o-1' }).toolCall })).behavior).toEqual({ type: 'allow' });
  });

  it('in shadow, needsApproval and the guardrail ask nothing and never stop a call; invoke runs it as a shadow guard', async () => {
    const client = makeClient();
    const guarded = guardedRefund({ client, mode: 'shadow' });
    expect(await guarded.needsApproval(context, { orderId: 'o-1' }, 'call_1')).toBe(false);
    expect((await guardrailOf(guarded).run({ context, agent: undefined as never, toolCall: details('call_1', { orderId: 'o-1' }).toolCall })).behavior).toEqual({ type: 'allow' });
    let guardBody: Record<string, unknown> = {};
    api().post(GUARD, (body) => ((guardBody = body), true)).reply(200, { status: 'denied', reason: 'no' }, json);
    api().post('/api/sentinel/action/report').reply(200, {}, json);
    await expect(guarded.invoke(context, JSON.stringify({ orderId: 'o-1' }), details('call_1', { orderId: 'o-1' }))).resolves.toBe('refunded o-1');
    expect(guardBody).toMatchObject({ action: 'tool.refund', metadata: { haltstate_mode: 'shadow' } });
    expect(calls).toEqual(['o-1']);
    await client.close();
  });

  it('refuses a mode that is not enforce or shadow (a typo never means shadow)', () => {
    expect(() => guardedRefund({ mode: 'shadwo' as never })).toThrow(HaltStateValidationError);
  });
});

describe('resolveInterruptions', () => {
  it('leaves the interruptions of tools it did not guard to the app', async () => {
    const item = { name: 'other', arguments: '{}', rawItem: { type: 'function_call', callId: 'call_1' }, agent: { tools: [refund()] } };
    const state = { getInterruptions: () => [item], approve: jest.fn(), reject: jest.fn() };
    const resolved = await resolveInterruptions(state as never, { client: makeClient() });
    expect(resolved).toEqual({ approved: [], rejected: [], pending: [], unguarded: [item] });
    expect([state.approve, state.reject].map((fn) => fn.mock.calls.length)).toEqual([0, 0]);
  });
});

describe('notRunText', () => {
  it('says why a call did not run, for each state', () => {
    const base = { action: 'tool.refund', approvalId: 'apr-1', approver: null, reason: null, executedAt: null };
    expect(notRunText({ ...base, status: 'denied', reason: 'no', approver: 'bob' })).toBe('not allowed: no (rejected by bob)');
    expect(notRunText({ ...base, status: 'expired' })).toBe('not allowed: the approval for "tool.refund" expired before it ran (approval id apr-1)');
    expect(notRunText({ ...base, status: 'executed', executedAt: '2026-01-01T00:00:00Z' })).toMatch(/^already done: "tool.refund" already ran on its approval \(approval id apr-1, at 2026-01-01T00:00:00Z\)/);
  });
});
