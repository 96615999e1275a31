// Shadow mode: the decision is still asked and recorded, the action runs whatever it says, nothing
// waits for a human, and what the service sees says "shadow". Enforce stays the default; a typo
// in the mode is an error, never a silent shadow.
import { HaltStateClient, haltstateGuard, type DecisionEvent, type Permit } from '@haltstate/core';
import { api, BASE_URL, json, KEY, makeClient, PREFIX, setupNock, TENANT } from './helpers/api';

setupNock();

const base = { tenantId: TENANT, apiKey: KEY, baseUrl: BASE_URL };

describe('mode option', () => {
  let warnings: jest.SpyInstance;
  beforeEach(() => void (warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)));
  afterEach(() => warnings.mockRestore());

  it('is enforce by default, with no warning', () => {
    makeClient();
    expect(warnings).not.toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ code: 'HALTSTATE_SHADOW_MODE' }));
  });

  it('shadow from the option or HALTSTATE_MODE warns at start, through the warning and the logger', () => {
    const lines: string[] = [];
    makeClient({ mode: 'shadow', logger: { debug: (line) => void lines.push(line) } });
    expect(warnings).toHaveBeenCalledWith(expect.stringContaining('shadow mode'), { code: 'HALTSTATE_SHADOW_MODE' });
    expect(lines).toEqual([expect.stringContaining('It is not enforcing')]);
    const env = { ...process.env, HALTSTATE_MODE: 'shadow' };
    const previous = process.env;
    process.env = env;
    try {
      new HaltStateClient(base);
    } finally {
      process.env = previous;
    }
    expect(warnings).toHaveBeenCalledTimes(2);
  });

  it('refuses a typo in the option, the variable and a call, naming it', async () => {
    expect(() => makeClient({ mode: 'shadwo' as never })).toThrow(expect.objectContaining({ name: 'HaltStateValidationError', path: 'mode', message: expect.stringContaining('mode must be "enforce" or "shadow", got "shadwo"') }));
    const previous = process.env;
    process.env = { ...previous, HALTSTATE_MODE: 'log-only' };
    try {
      expect(() => new HaltStateClient(base)).toThrow(expect.objectContaining({ path: 'HALTSTATE_MODE', message: expect.stringContaining('HALTSTATE_MODE') }));
    } finally {
      process.env = previous;
    }
    const client = makeClient();
    const fn = jest.fn();
    await expect(client.guard({ action: 'a.b', mode: 'Shadow' as never }, fn)).rejects.toMatchObject({ name: 'HaltStateValidationError', path: 'mode' });
    await expect(client.execute({ action: 'a.b', mode: true as never }, fn)).rejects.toMatchObject({ name: 'HaltStateValidationError', path: 'mode' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('suggests the option name for a misspelt key', () => {
    expect(() => makeClient({ modes: 'shadow' } as never)).toThrow(/did you mean "mode"/);
    expect(() => makeClient({ onDecison: () => undefined } as never)).toThrow(/did you mean "onDecision"/);
  });

  it('check() takes no mode: it runs nothing', async () => {
    await expect(makeClient().check({ action: 'a.b', mode: 'shadow' } as never)).rejects.toMatchObject({ name: 'HaltStateValidationError', path: 'mode' });
  });
});

describe('guard in shadow mode', () => {
  it('runs a denied action, tells the hook and reports it as shadow through /action/report, not the guard report', async () => {
    let guardBody: Record<string, unknown> = {};
    let reportBody: Record<string, unknown> = {};
    api().post(`${PREFIX}/action/guard`, (body) => ((guardBody = body), true)).reply(200, { status: 'denied', reason: 'over limit', policy_id: 'pol_9' }, json);
    api().post(`${PREFIX}/action/report`, (body) => ((reportBody = body), true)).reply(200, {}, json);
    const events: DecisionEvent[] = [];
    const permits: Permit[] = [];
    const client = makeClient({ mode: 'shadow', onDecision: (event) => void events.push(event) });
    const value = await client.guard({ action: 'payment.process', params: { amount: 9000 }, idempotencyKey: 'pay-1', metadata: { ticket: 'T-1' } }, (permit) => (permits.push(permit), 'paid'));
    await client.flush();
    expect(value).toBe('paid');
    expect(permits).toMatchObject([{ status: 'shadow', shadowedStatus: 'denied', idempotencyKey: 'pay-1', approver: null }]);
    expect(guardBody.metadata).toEqual({ ticket: 'T-1', haltstate_mode: 'shadow' });
    expect(events).toMatchObject([{ source: 'guard', decision: 'denied', mode: 'shadow', policyId: 'pol_9', reason: 'over limit' }]);
    expect(reportBody).toEqual({ request_id: expect.any(String), agent_id: 'bot-1', action: 'payment.process', status: 'success', decision: 'DENY', policy_id: 'pol_9', result: { shadow: true, guard_status: 'denied', idempotency_key: 'pay-1' } });
  });

  it('never waits for a human: a pending answer runs at once, and an error is reported as such', async () => {
    let reportBody: Record<string, unknown> = {};
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_7' }, json);
    api().post(`${PREFIX}/action/report`, (body) => ((reportBody = body), true)).reply(200, {}, json);
    const hook = jest.fn();
    const client = makeClient({ onApprovalRequested: hook });
    await expect(client.guard({ action: 'file.delete', idempotencyKey: 'k-7', wait: true, mode: 'shadow' }, () => Promise.reject(new Error('disk gone')))).rejects.toThrow('disk gone');
    await client.flush();
    expect(hook).not.toHaveBeenCalled();
    expect(reportBody).toMatchObject({ status: 'error', decision: 'APPROVAL_REQUIRED', result: { shadow: true, guard_status: 'pending', idempotency_key: 'k-7', error: 'disk gone' } });
  });

  it('a call may enforce on a shadow client', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied' }, json);
    const fn = jest.fn();
    const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      await expect(makeClient({ mode: 'shadow' }).guard({ action: 'a.b', idempotencyKey: 'k-8', mode: 'enforce' }, fn)).rejects.toMatchObject({ name: 'ActionDenied' });
    } finally {
      warnings.mockRestore();
    }
    expect(fn).not.toHaveBeenCalled();
  });

  it('still stops for the server kill switch', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied', policy_id: 'kill-switch', reason: 'agent killed' }, json);
    const fn = jest.fn();
    await expect(makeClient().guard({ action: 'a.b', idempotencyKey: 'k-9', mode: 'shadow' }, fn)).rejects.toMatchObject({ name: 'KillSwitchTriggered' });
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('execute (check flow) in shadow mode', () => {
  it('runs a denied action and reports it with shadow: true in the result', async () => {
    let reportBody: Record<string, unknown> = {};
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'DENY', policy_id: 'pol_2', reason: 'no' }, json);
    api().post(`${PREFIX}/action/report`, (body) => ((reportBody = body), true)).reply(200, {}, json);
    const events: DecisionEvent[] = [];
    const client = makeClient({ onDecision: (event) => void events.push(event) });
    await expect(client.execute({ action: 'email.send', mode: 'shadow' }, () => ({ sent: 1 }))).resolves.toEqual({ sent: 1 });
    await client.flush();
    expect(events).toMatchObject([{ source: 'check', decision: 'DENY', mode: 'shadow' }]);
    expect(reportBody).toMatchObject({ status: 'success', decision: 'DENY', policy_id: 'pol_2', result: { sent: 1, shadow: true } });
  });

  it('does not wait on APPROVAL_REQUIRED, and report: false sends nothing', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'APPROVAL_REQUIRED', approval_id: 'apr_3' }, json);
    const client = makeClient();
    await expect(client.execute({ action: 'email.send', mode: 'shadow', wait: true, report: false }, () => 'sent')).resolves.toBe('sent');
    await expect(client.flush()).resolves.toMatchObject({ pending: 0 });
    expect(client.reportStats.queued).toBe(0);
  });
});

describe('execute (check flow) in shadow mode, stops', () => {
  it('still stops for the server kill switch', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'DENY', policy_id: 'kill-switch', reason: 'agent killed' }, json);
    const fn = jest.fn();
    const client = makeClient({ mode: 'shadow' });
    await expect(client.execute({ action: 'a.b', mode: 'shadow' }, fn)).rejects.toMatchObject({ name: 'KillSwitchTriggered' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('does not run once the caller aborted', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'DENY' }, json);
    const controller = new AbortController();
    const fn = jest.fn();
    // The caller gives up while the decision is being told, after the answer came.
    const onDecision = () => controller.abort(new Error('caller gave up'));
    await expect(makeClient({ onDecision }).execute({ action: 'a.b', mode: 'shadow' }, fn, { signal: controller.signal })).rejects.toThrow();
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('haltstateGuard in shadow mode', () => {
  it('passes mode through: a denied function runs', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'DENY' }, json);
    api().post(`${PREFIX}/action/report`).reply(200, {}, json);
    const client = makeClient();
    const send = haltstateGuard(client, { action: 'email.send', mode: 'shadow' })((to: string) => `sent to ${to}`);
    await expect(send('bob@example.com')).resolves.toBe('sent to bob@example.com');
    await expect(client.flush()).resolves.toMatchObject({ pending: 0 });
    expect(client.reportStats.delivered).toBe(1);
  });
});
