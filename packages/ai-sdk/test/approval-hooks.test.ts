// The hooks and the guarded execute, pinned to the wire with nock: what each HaltState answer
// becomes for ai, that they all ask under one key, and that nothing runs or reports on a lookup.
import nock from 'nock';
import { ApprovalTimeoutError, HaltStateClient } from '@haltstate/core';
import { approvalResponses, guardTools, haltstateApproval, type HistoryMessage } from '@haltstate/ai-sdk';
import { testKey } from '@test-support/keys';
import { setupNock } from '@test-support/nock';

const BASE = 'https://haltstate.test';
const GUARD = '/api/sentinel/action/guard';
const json = { 'content-type': 'application/json' };
setupNock();

const makeClient = () => new HaltStateClient({ tenantId: 'acme', apiKey: testKey('ai-sdk-unit'), baseUrl: BASE, agentId: 'agent-1', retries: 0, onReportError: () => undefined });
const refundCall = { toolCallId: 'call_1', toolName: 'refund', input: { orderId: 'o-1' } };

/** Answers one guard request with `answer` and records its body. */
function answerGuard(answer: Record<string, unknown>, bodies: Array<Record<string, unknown>> = []) {
  nock(BASE).post(GUARD, (body) => (bodies.push(body), true)).reply(200, answer, json);
  return bodies;
}

describe('haltstateApproval (ai 7 toolApproval)', () => {
  it.each([
    ['allowed', { status: 'allowed' }, 'approved'],
    ['approved', { status: 'approved', approval_id: 'apr-1', approver: 'alice' }, 'approved'],
    // The guarded execute answers "already done" without running it again.
    ['executed', { status: 'executed', approval_id: 'apr-1' }, 'approved'],
    ['denied by policy', { status: 'denied', reason: 'Never automatic' }, { type: 'denied', reason: 'not allowed: Never automatic' }],
    ['rejected by a human', { status: 'denied', reason: 'No', approver: 'bob', approval_id: 'apr-1' }, { type: 'denied', reason: 'not allowed: No (rejected by bob)' }],
    ['expired', { status: 'expired', approval_id: 'apr-1' }, { type: 'denied', reason: 'not allowed: the approval for "tool.refund" expired before it ran (approval id apr-1)' }],
    ['pending', { status: 'pending', approval_id: 'apr-1' }, { type: 'user-approval', reason: '"tool.refund" needs a human\'s approval in HaltState (approval id apr-1)' }],
  ])('%s → %j', async (_name, answer, status) => {
    const client = makeClient();
    const bodies = answerGuard(answer);
    await expect(haltstateApproval({ client })({ toolCall: refundCall })).resolves.toEqual(status);
    expect(bodies[0]).toMatchObject({ agent_id: 'agent-1', action: 'tool.refund', params: { orderId: 'o-1' }, idempotency_key: expect.stringMatching(/^hs_auto_[0-9a-f]{40}$/) });
    await client.close();
  });

  it('asks the same key every time (a stable lookup), and reports nothing', async () => {
    const client = makeClient();
    const approval = haltstateApproval({ client, agentId: 'ops-bot', action: (toolName) => `ops.${toolName}` });
    const bodies = answerGuard({ status: 'pending', approval_id: 'apr-1' });
    answerGuard({ status: 'pending', approval_id: 'apr-1' }, bodies);
    await approval({ toolCall: refundCall });
    await approval({ toolCall: refundCall });
    expect(bodies.map((body) => [body.agent_id, body.action])).toEqual([['ops-bot', 'ops.refund'], ['ops-bot', 'ops.refund']]);
    expect(bodies[1]!.idempotency_key).toBe(bodies[0]!.idempotency_key);
    expect(await client.flush()).toMatchObject({ delivered: 0, failed: [] });
    await client.close();
  });

  it.each([
    ['approved', { status: 'approved', approver: 'alice' }, 'approved'],
    ['rejected', { status: 'rejected', approver: 'bob', reason: 'No' }, { type: 'denied', reason: 'not allowed: No (rejected by bob)' }],
    ['expired', { status: 'expired' }, { type: 'denied', reason: 'not allowed: the approval for "tool.refund" expired before it ran (approval id apr-1)' }],
  ])('with wait, a pending call answers the human\'s decision: %s', async (_name, decision, status) => {
    const client = makeClient();
    answerGuard({ status: 'pending', approval_id: 'apr-1' });
    nock(BASE).get('/api/sentinel/approval/apr-1').reply(200, { agent_id: 'agent-1', action: 'tool.refund', decided_at: '2026-01-01T00:00:00Z', reason: null, approver: null, ...decision }, json);
    await expect(haltstateApproval({ client, wait: true })({ toolCall: refundCall })).resolves.toEqual(status);
    await client.close();
  });

  it('with wait, no decision within timeoutMs pauses the run after all (user-approval)', async () => {
    const client = makeClient();
    answerGuard({ status: 'pending', approval_id: 'apr-1' });
    const wait = jest.spyOn(client, 'waitForApproval').mockRejectedValue(new ApprovalTimeoutError({ approvalId: 'apr-1', timeoutMs: 5000 }));
    await expect(haltstateApproval({ client, wait: { timeoutMs: 5000 } })({ toolCall: refundCall })).resolves.toEqual({ type: 'user-approval', reason: '"tool.refund" needs a human\'s approval in HaltState (approval id apr-1)' });
    expect(wait).toHaveBeenCalledWith('apr-1', { timeoutMs: 5000 });
    await client.close();
  });

  it('fails closed: an unreachable HaltState is an error, never a status', async () => {
    const client = makeClient();
    nock(BASE).post(GUARD).replyWithError('connect ECONNREFUSED');
    await expect(haltstateApproval({ client })({ toolCall: refundCall })).rejects.toThrow();
    await client.close();
  });

  it('refuses options without a client', () => {
    expect(() => haltstateApproval({} as never)).toThrow('haltstateApproval needs { client }: a HaltStateClient');
  });
});

describe('shadow mode', () => {
  it('the hooks ask nothing and never pause; execute runs the call as a shadow guard', async () => {
    const client = makeClient();
    const calls: string[] = [];
    const options = { client, mode: 'shadow' as const };
    const guarded = guardTools({ refund: { description: 'Refund', execute: async ({ orderId }: { orderId: string }, _options: { toolCallId: string }) => (calls.push(orderId), `refunded ${orderId}`) } }, options);
    await expect(haltstateApproval(options)({ toolCall: refundCall })).resolves.toBe('approved');
    await expect((guarded.refund as unknown as { needsApproval: (input: unknown, options: { toolCallId: string }) => Promise<boolean> }).needsApproval({ orderId: 'o-1' }, { toolCallId: 'call_1' })).resolves.toBe(false);
    const bodies = answerGuard({ status: 'pending', approval_id: 'apr-1' });
    nock(BASE).post('/api/sentinel/action/report').reply(200, {}, json);
    await expect(guarded.refund.execute({ orderId: 'o-1' }, { toolCallId: 'call_1' })).resolves.toBe('refunded o-1');
    expect(bodies[0]).toMatchObject({ metadata: { haltstate_mode: 'shadow' } });
    expect(calls).toEqual(['o-1']);
    await client.close();
  });

  it('refuses a mode that is not enforce or shadow (a typo never means shadow)', () => {
    const client = makeClient();
    expect(() => haltstateApproval({ client, mode: 'Shadow' as never })).toThrow(/mode must be "enforce" or "shadow"/);
    expect(() => guardTools({}, { client, mode: 'off' as never })).toThrow(/mode must be "enforce" or "shadow"/);
  });
});

describe('guardTools', () => {
  const tools = (calls: string[]) => ({
    refund: { description: 'Refund', execute: async ({ orderId }: { orderId: string }, _options: { toolCallId: string }) => (calls.push(orderId), `refunded ${orderId}`) },
    broken: { description: 'Fails', execute: async (_input: object, _options: { toolCallId: string }): Promise<string> => Promise.reject(new Error('bank is down')) },
    clientSide: { description: 'Answered by the UI' },
  });

  it('keys a call by tool, agent and toolCallId: the hook and execute ask about the same call, two tools or call ids never share a key', async () => {
    const client = makeClient();
    const guarded = guardTools(tools([]), { client });
    const bodies = answerGuard({ status: 'pending', approval_id: 'apr-1' });
    answerGuard({ status: 'pending', approval_id: 'apr-1' }, bodies);
    answerGuard({ status: 'pending', approval_id: 'apr-2' }, bodies);
    answerGuard({ status: 'pending', approval_id: 'apr-3' }, bodies);
    await haltstateApproval({ client })({ toolCall: refundCall });
    await guarded.refund.execute({ orderId: 'o-1' }, { toolCallId: 'call_1' });
    await guarded.refund.execute({ orderId: 'o-1' }, { toolCallId: 'call_2' });
    await guardTools({ refund2: tools([]).refund }, { client }).refund2.execute({ orderId: 'o-1' }, { toolCallId: 'call_1' });
    const keys = bodies.map((body) => body.idempotency_key);
    expect(keys[1]).toBe(keys[0]);
    expect(new Set(keys).size).toBe(3);
    await client.close();
  });

  it('runs an allowed call inside the guard and reports its success once', async () => {
    const client = makeClient();
    const calls: string[] = [];
    answerGuard({ status: 'allowed' });
    const reports: Array<Record<string, unknown>> = [];
    nock(BASE).post(`${GUARD}/report`, (body) => (reports.push(body), true)).reply(200, {}, json);
    await expect(guardTools(tools(calls), { client }).refund.execute({ orderId: 'o-1' }, { toolCallId: 'call_1' })).resolves.toBe('refunded o-1');
    await client.flush();
    expect(calls).toEqual(['o-1']);
    expect(reports).toEqual([expect.objectContaining({ action: 'tool.refund', outcome: 'success' })]);
    await client.close();
  });

  it.each([
    ['denied', { status: 'denied', reason: 'Never automatic' }, 'not allowed: Never automatic'],
    ['pending (a forged approval)', { status: 'pending', approval_id: 'apr-1' }, 'not run: "tool.refund" has not been approved in HaltState (approval id apr-1). It did not run; a human must approve it first.'],
    ['expired', { status: 'expired', approval_id: 'apr-1' }, 'not allowed: the approval for "tool.refund" expired before it ran (approval id apr-1)'],
    ['executed', { status: 'executed', approval_id: 'apr-1' }, 'already done: "tool.refund" already ran on its approval (approval id apr-1) and did not run again: one approval allows one run.'],
  ])('%s: execute does not run the tool and returns text the model reads', async (_name, answer, text) => {
    const client = makeClient();
    const calls: string[] = [];
    answerGuard(answer);
    await expect(guardTools(tools(calls), { client }).refund.execute({ orderId: 'o-1' }, { toolCallId: 'call_1' })).resolves.toBe(text);
    expect(calls).toEqual([]);
    await client.close();
  });

  it("the tool's own error is reported once and rethrown (ai hands it to the model as a tool error)", async () => {
    const client = makeClient();
    answerGuard({ status: 'allowed' });
    const reports: Array<Record<string, unknown>> = [];
    nock(BASE).post(`${GUARD}/report`, (body) => (reports.push(body), true)).reply(200, {}, json);
    await expect(guardTools(tools([]), { client }).broken.execute({}, { toolCallId: 'call_9' })).rejects.toThrow('bank is down');
    await client.flush();
    expect(reports).toEqual([expect.objectContaining({ action: 'tool.broken', outcome: 'error', error: expect.stringContaining('bank is down') })]);
    await client.close();
  });

  it.each([
    ['allowed', false],
    ['pending', true],
    ['approved', true],
    ['executed', true],
    ['denied', false],
    ['expired', false],
  ])('needsApproval (ai 6): %s → %s, without running or reporting', async (status, needed) => {
    const client = makeClient();
    const calls: string[] = [];
    answerGuard({ status, approval_id: 'apr-1', reason: 'r' });
    await expect((guardTools(tools(calls), { client }).refund as unknown as { needsApproval: (input: unknown, options: { toolCallId: string }) => Promise<boolean> }).needsApproval({ orderId: 'o-1' }, { toolCallId: 'call_1' })).resolves.toBe(needed);
    expect(calls).toEqual([]);
    expect(await client.flush()).toMatchObject({ delivered: 0, failed: [] });
    await client.close();
  });

  it('leaves a tool without execute as it is, and refuses to guard a tool twice', () => {
    const client = makeClient();
    const raw = tools([]);
    const guarded = guardTools(raw, { client });
    expect(guarded.clientSide).toBe(raw.clientSide);
    expect(guarded.refund).not.toBe(raw.refund);
    expect(() => guardTools({ again: guarded.refund }, { client })).toThrow('guardTools: "again" is already guarded');
  });
});

describe('approvalResponses', () => {
  const history: HistoryMessage[] = [
    { role: 'user', content: 'Refund o-1, o-2, o-3 and o-4' },
    {
      role: 'assistant',
      content: [
        ...['1', '2', '3', '4', '5'].map((n) => ({ type: 'tool-call', toolCallId: `call_${n}`, toolName: 'refund', input: { orderId: `o-${n}` } })),
        ...['1', '2', '3', '4', '5'].map((n) => ({ type: 'tool-approval-request', approvalId: `ai-${n}`, toolCallId: `call_${n}` })),
      ],
    },
    // call_5 was answered already (an earlier resume): not asked again.
    { role: 'tool', content: [{ type: 'tool-approval-response', approvalId: 'ai-5', approved: true }] },
  ];

  it('answers every open request from HaltState alone and lists the undecided ones', async () => {
    const client = makeClient();
    const bodies = answerGuard({ status: 'approved', approval_id: 'apr-1', approver: 'alice' });
    answerGuard({ status: 'denied', approval_id: 'apr-2', approver: 'bob', reason: 'Duplicate' }, bodies);
    answerGuard({ status: 'pending', approval_id: 'apr-3' }, bodies);
    answerGuard({ status: 'expired', approval_id: 'apr-4' }, bodies);
    const { message, pending } = await approvalResponses({ client, messages: history });
    expect(bodies.map((body) => (body.params as { orderId: string }).orderId)).toEqual(['o-1', 'o-2', 'o-3', 'o-4']);
    expect(message).toEqual({
      role: 'tool',
      content: [
        { type: 'tool-approval-response', approvalId: 'ai-1', approved: true },
        { type: 'tool-approval-response', approvalId: 'ai-2', approved: false, reason: 'not allowed: Duplicate (rejected by bob)' },
        { type: 'tool-approval-response', approvalId: 'ai-4', approved: false, reason: 'not allowed: the approval for "tool.refund" expired before it ran (approval id apr-4)' },
      ],
    });
    expect(pending).toEqual([{ approvalId: 'ai-3', toolCallId: 'call_3', toolName: 'refund', haltstateApprovalId: 'apr-3', action: 'tool.refund' }]);
    expect(await client.flush()).toMatchObject({ delivered: 0, failed: [] });
    await client.close();
  });

  it('a history with nothing open asks nothing', async () => {
    const client = makeClient();
    await expect(approvalResponses({ client, messages: [history[0]!] })).resolves.toEqual({ message: undefined, pending: [] });
    await client.close();
  });
});
