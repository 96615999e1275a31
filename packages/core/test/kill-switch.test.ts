import { ActionDenied, haltstateGuard, isHaltStateError, KILL_SWITCH_POLICY_ID, KillSwitchTriggered } from '@haltstate/core';
import { api, json, makeClient, PREFIX, setupNock } from './helpers/api';
import { advance, until } from './helpers/sse';

setupNock();

describe('kill switch', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('KILL makes every later check and guard throw without a request', async () => {
    api().get(`${PREFIX}/heartbeat`).query({ agent_id: 'bot-1' }).reply(200, { status: 'KILL' }, json);
    const client = makeClient();
    expect(await client.startKillSwitch({ intervalMs: 1000 })).toBe('KILL');
    // nock has no interceptor for these: a request would be a connection error, not this.
    await expect(client.check('a.b')).rejects.toBeInstanceOf(KillSwitchTriggered);
    const fn = jest.fn();
    await expect(client.guard({ action: 'a.b' }, fn)).rejects.toMatchObject({ name: 'KillSwitchTriggered', agentStatus: 'KILL', agentId: 'bot-1' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('KILL seen by a later heartbeat stops a guard waiting for approval, for good', async () => {
    api().get(`${PREFIX}/heartbeat`).query(true).reply(200, { status: 'OK' }, json);
    const client = makeClient();
    await client.startKillSwitch({ intervalMs: 1000 });
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'ap' }, json);
    const get = api().get(`${PREFIX}/approval/ap`).reply(200, { status: 'pending' }, json);
    api().get(`${PREFIX}/approvals/stream`).query(true).reply(404, {}, json);
    const fn = jest.fn();
    const result = client.guard({ action: 'a.b', idempotencyKey: 'k', wait: { timeoutMs: 600_000, pollIntervalMs: 60_000 } }, fn).catch((e: unknown) => e);
    await until(() => get.isDone());
    const heartbeat = api().get(`${PREFIX}/heartbeat`).query(true).reply(200, { status: 'KILL' }, json);
    await advance(1000);
    await until(() => heartbeat.isDone());
    expect(await result).toBeInstanceOf(KillSwitchTriggered);
    expect(fn).not.toHaveBeenCalled();
    expect(client.agentStatus).toBe('KILL');
    await client.close();
  });

  it('PAUSE holds a guarded action until the agent runs again', async () => {
    api().get(`${PREFIX}/heartbeat`).query(true).reply(200, { status: 'PAUSE' }, json);
    const client = makeClient();
    await client.startKillSwitch({ intervalMs: 1000 });
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'allowed' }, json);
    api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    const fn = jest.fn(() => 'done');
    const result = client.guard({ action: 'a.b', idempotencyKey: 'k' }, fn);
    api().get(`${PREFIX}/heartbeat`).query(true).reply(200, { status: 'PAUSE' }, json);
    await advance(1000);
    expect(fn).not.toHaveBeenCalled();
    api().get(`${PREFIX}/heartbeat`).query(true).reply(200, { status: 'OK' }, json);
    await advance(1000);
    expect(await result).toBe('done');
    await client.close();
  });

  it('PAUSE longer than the action can wait throws instead of running', async () => {
    api().get(`${PREFIX}/heartbeat`).query(true).reply(200, { status: 'PAUSE' }, json);
    const client = makeClient();
    await client.startKillSwitch({ intervalMs: 100_000 });
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'allowed' }, json);
    const fn = jest.fn();
    let settled = false;
    const result = client.guard({ action: 'a.b', idempotencyKey: 'k', wait: { timeoutMs: 5000 } }, fn).catch((e: unknown) => e).finally(() => (settled = true));
    // The hold starts once the guard's answer is in, whenever that is on a loaded machine.
    while (!settled) await advance(500);
    expect(await result).toMatchObject({ name: 'KillSwitchTriggered', agentStatus: 'PAUSE' });
    expect(fn).not.toHaveBeenCalled();
    await client.close();
  });

  describe("the server's kill switch on one call (policy_id kill-switch)", () => {
    it('guard: a denied answer from the kill switch throws KillSwitchTriggered, not ActionDenied, and the client keeps working', async () => {
      api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied', policy_id: KILL_SWITCH_POLICY_ID, reason: 'Agent bot-1 is killed' }, json);
      const client = makeClient();
      const fn = jest.fn();
      const error = await client.guard({ action: 'a.b', idempotencyKey: 'k' }, fn).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KillSwitchTriggered);
      expect(isHaltStateError(error, 'HALTSTATE_ACTION_DENIED')).toBe(false);
      expect(error).toMatchObject({ agentStatus: 'KILL', agentId: 'bot-1' });
      expect((error as Error).message).toContain('Agent bot-1 is killed');
      expect(fn).not.toHaveBeenCalled();
      // Not for good: only the heartbeat stops a client. After a resume the same key runs.
      expect(client.agentStatus).toBe('OK');
      api().post(`${PREFIX}/action/guard`).reply(200, { status: 'approved', approval_id: 'apr' }, json);
      api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
      await expect(client.guard({ action: 'a.b', idempotencyKey: 'k' }, () => 'ran')).resolves.toBe('ran');
      await client.close();
    });

    it('a denied answer from another policy stays ActionDenied', async () => {
      api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied', policy_id: 'kill-switch-lookalike', reason: 'rule' }, json);
      await expect(makeClient().guard({ action: 'a.b', idempotencyKey: 'k' }, jest.fn())).rejects.toBeInstanceOf(ActionDenied);
    });

    it('check() returns the DENY; execute() and haltstateGuard() throw KillSwitchTriggered for that call', async () => {
      const deny = { decision: 'DENY', policy_id: KILL_SWITCH_POLICY_ID, reason: 'Agent bot-1 is killed' };
      api().post(`${PREFIX}/action/check`).times(3).reply(200, deny, json);
      const client = makeClient();
      await expect(client.check('a.b')).resolves.toMatchObject({ decision: 'DENY', denied: true, policyId: KILL_SWITCH_POLICY_ID });
      const fn = jest.fn();
      await expect(client.execute({ action: 'a.b' }, fn)).rejects.toMatchObject({ name: 'KillSwitchTriggered', agentStatus: 'KILL', agentId: 'bot-1' });
      await expect(haltstateGuard(client, { action: 'a.b', agentId: 'other-bot' })(fn)()).rejects.toMatchObject({ name: 'KillSwitchTriggered', agentId: 'other-bot' });
      expect(fn).not.toHaveBeenCalled();
      expect(client.agentStatus).toBe('OK');
      api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW' }, json);
      await expect(client.execute({ action: 'a.b', report: false }, () => 'ran')).resolves.toBe('ran');
    });
  });

  it('treats an unknown heartbeat status as running', async () => {
    api().get(`${PREFIX}/heartbeat`).query(true).reply(200, { status: 'RUNNING' }, json);
    expect(await makeClient().heartbeat()).toBe('OK');
  });
});
