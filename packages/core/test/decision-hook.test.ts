// onDecision: every answer of the policy service, check and guard, fail-open and shadow ones
// included, told as one event shape; a hook that throws never changes the call's outcome.
import type { DecisionEvent } from '@haltstate/core';
import { api, json, makeClient, PREFIX, setupNock } from './helpers/api';

setupNock();

describe('onDecision', () => {
  it('tells a check with its decision, reason, policy and mode', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'DENY', reason: 'too much', policy_id: 'pol_1' }, json);
    const events: DecisionEvent[] = [];
    const client = makeClient({ onDecision: (event) => void events.push(event) });
    await client.check({ action: 'payment.process', params: { amount: 5000 } });
    expect(events).toEqual([
      { source: 'check', action: 'payment.process', agentId: 'bot-1', decision: 'DENY', reason: 'too much', policyId: 'pol_1', approvalId: null, latencyMs: expect.any(Number), mode: 'enforce', failedOpen: false },
    ]);
    expect(events[0]!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('tells a fail-open ALLOW as failedOpen', async () => {
    api().post(`${PREFIX}/action/check`).replyWithError({ code: 'ECONNREFUSED', message: 'refused' });
    const events: DecisionEvent[] = [];
    const client = makeClient({ failOpen: true, onDecision: (event) => void events.push(event) });
    await client.check({ action: 'a.b' });
    expect(events).toMatchObject([{ source: 'check', decision: 'ALLOW', failedOpen: true, reason: 'Fail-open: connection error' }]);
  });

  it('tells each guard answer: pending, then the answer after the human decided', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_1' }, json);
    api().get(`${PREFIX}/approval/apr_1`).reply(200, { status: 'approved', approver: 'alice' }, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'approved', approval_id: 'apr_1', approver: 'alice' }, json);
    api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    const events: DecisionEvent[] = [];
    const client = makeClient({ onDecision: (event) => void events.push(event) });
    await client.guard({ action: 'file.delete', idempotencyKey: 'k-1', wait: true }, () => 'done');
    expect(events.map((event) => [event.source, event.decision, event.approvalId, event.source === 'guard' && event.idempotencyKey])).toEqual([
      ['guard', 'pending', 'apr_1', 'k-1'],
      ['guard', 'approved', 'apr_1', 'k-1'],
    ]);
    await client.flush();
  });

  it('a hook that throws or rejects changes nothing; a HALTSTATE_HOOK_FAILED warning says so', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW' }, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'allowed' }, json);
    api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const lines: string[] = [];
    try {
      const thrower = makeClient({ onDecision: () => { throw new Error('hook broke'); }, logger: { debug: (line) => void lines.push(line) } });
      await expect(thrower.check({ action: 'a.b' })).resolves.toMatchObject({ allowed: true });
      const rejecter = makeClient({ onDecision: () => Promise.reject(new Error('async hook broke')) });
      await expect(rejecter.guard({ action: 'a.c', idempotencyKey: 'k-2' }, () => 7)).resolves.toBe(7);
      await rejecter.flush();
      expect(warnings).toHaveBeenCalledWith(expect.stringContaining('onDecision failed for "a.b" (ALLOW): hook broke'), { code: 'HALTSTATE_HOOK_FAILED' });
      expect(warnings).toHaveBeenCalledWith(expect.stringContaining('async hook broke'), { code: 'HALTSTATE_HOOK_FAILED' });
      expect(lines).toEqual([expect.stringContaining('hook broke; the call goes on')]);
    } finally {
      warnings.mockRestore();
    }
  });

  it('must be a function', () => {
    expect(() => makeClient({ onDecision: 'log' as never })).toThrow(/onDecision must be a function/);
  });
});
