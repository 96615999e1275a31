// client.guardState: the guard request guard() sends, answered as a state — never a run, a wait
// or a report, so frameworks can ask it on every resume and replay.
import nock from 'nock';
import { HaltStateConnectionError, KillSwitchTriggered, type GuardState } from '@haltstate/core';
import { api, json, makeClient, PREFIX, setupNock, TENANT } from './helpers/api';

setupNock();

const body = { agent_id: 'bot-1', action: 'file.delete', params: { path: '/tmp/x' }, idempotency_key: 'call_1', tenant_id: TENANT };
const input = { action: 'file.delete', params: { path: '/tmp/x' }, idempotencyKey: 'call_1' };

describe('guardState()', () => {
  it.each<[string, object, Partial<GuardState>]>([
    ['pending', { status: 'pending', approval_id: 'apr_1' }, { status: 'pending', approvalId: 'apr_1', approver: null }],
    ['approved', { status: 'approved', approval_id: 'apr_1', approver: 'alice' }, { status: 'approved', approvalId: 'apr_1', approver: 'alice' }],
    ['allowed without an approval id', { status: 'allowed' }, { status: 'allowed', approvalId: 'call_1' }],
    ['denied', { status: 'denied', reason: 'too big', policy_id: 'p1', approver: 'bob' }, { status: 'denied', reason: 'too big', policyId: 'p1', approver: 'bob' }],
    ['expired', { status: 'expired', approval_id: 'apr_1' }, { status: 'expired', approvalId: 'apr_1' }],
    ['executed', { status: 'executed', approval_id: 'apr_1', executed_at: '2026-12-01T00:00:00.000Z' }, { status: 'executed', executedAt: '2026-12-01T00:00:00.000Z' }],
  ])('answers %s as a state, sending the guard body and no report', async (_name, answer, expected) => {
    api().post(`${PREFIX}/action/guard`, body).reply(200, answer, json);
    const state = await makeClient().guardState(input);
    expect(state).toMatchObject({ idempotencyKey: 'call_1', action: 'file.delete', agentId: 'bot-1', ...expected });
    // No report is sent: nock would answer any other request with a connection error, and
    // setupNock fails the test on an unmatched request.
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('derives the same key as guard() when none is given', async () => {
    const client = makeClient();
    const derived = client.idempotencyKey({ action: 'a.b', params: { n: 1 } });
    api().post(`${PREFIX}/action/guard`, (sent: { idempotency_key: string }) => sent.idempotency_key === derived).reply(200, { status: 'pending', approval_id: 'apr_2' }, json);
    expect(await client.guardState({ action: 'a.b', params: { n: 1 } })).toMatchObject({ status: 'pending', idempotencyKey: derived });
  });

  it('fails closed: an unreachable server is an error, never a state that could run', async () => {
    api().post(`${PREFIX}/action/guard`).reply(503, 'down');
    await expect(makeClient({ failOpen: true }).guardState(input)).rejects.toBeInstanceOf(HaltStateConnectionError);
  });

  it('refuses wait and report: a lookup never waits or runs', async () => {
    const client = makeClient();
    await expect(client.guardState({ ...input, wait: true } as never)).rejects.toMatchObject({ name: 'HaltStateValidationError', path: 'wait' });
    await expect(client.guardState({ ...input, report: false } as never)).rejects.toMatchObject({ name: 'HaltStateValidationError', path: 'report' });
  });

  it('throws KillSwitchTriggered once the agent is killed, without asking', async () => {
    api().get(`${PREFIX}/heartbeat`).query(true).reply(200, { status: 'KILL' }, json);
    const client = makeClient();
    await client.startKillSwitch({ intervalMs: 60_000 });
    await expect(client.guardState(input)).rejects.toBeInstanceOf(KillSwitchTriggered);
    await client.close();
  });
});
