import nock from 'nock';
import {
  ActionAlreadyExecuted,
  ActionDenied,
  ActionExpired,
  ApprovalPending,
  HaltStateConnectionError,
  HaltStateProtocolError,
  IdempotencyConflictError,
  deriveIdempotencyKey,
  haltstateGuard,
  isHaltStateError,
  type Permit,
} from '@haltstate/core';
import { api, json, KEY, makeClient, PREFIX, setupNock, TENANT } from './helpers/api';
import { advance, recordSleeps, sseHeaders, sseStream, until } from './helpers/sse';

setupNock();

const guardBody = (overrides: Record<string, unknown> = {}) => ({ agent_id: 'bot-1', action: 'payment.process', params: { amount: 5000 }, idempotency_key: 'pay-1', tenant_id: TENANT, ...overrides });

describe('guard()', () => {
  it('runs the function when allowed, hands it the permit and reports success', async () => {
    api().post(`${PREFIX}/action/guard`, guardBody()).reply(200, { status: 'allowed' }, json);
    const report = api().post(`${PREFIX}/action/guard/report`, { idempotency_key: 'pay-1', action: 'payment.process', agent_id: 'bot-1', outcome: 'success', error: null }).reply(200, {}, json);
    const client = makeClient();
    let permit: Permit | undefined;
    const out = await client.guard({ action: 'payment.process', params: { amount: 5000 }, idempotencyKey: 'pay-1' }, (p) => {
      permit = p;
      return 'tx_1';
    });
    expect(out).toBe('tx_1');
    expect(permit).toMatchObject({ status: 'allowed', approvalId: 'pay-1', approver: null, idempotencyKey: 'pay-1', action: 'payment.process', agentId: 'bot-1' });
    expect(Date.parse(permit!.approvedAt)).not.toBeNaN();
    expect(await client.flush()).toMatchObject({ ok: true, delivered: 1 });
    report.done();
  });

  it('passes approver and approval id of an approved guard to the permit', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'approved', approval_id: 'apr_1', approver: 'alice', approved_at: '2026-01-01T00:00:00Z' }, json);
    api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    const client = makeClient();
    const permit = await client.guard({ action: 'payment.process', idempotencyKey: 'k' }, (p) => p);
    expect(permit).toMatchObject({ status: 'approved', approvalId: 'apr_1', approver: 'alice', approvedAt: '2026-01-01T00:00:00Z' });
    await client.flush();
  });

  it('reports the error and rethrows the original error untouched', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'allowed' }, json);
    const report = api().post(`${PREFIX}/action/guard/report`, { idempotency_key: 'pay-1', action: 'payment.process', agent_id: 'bot-1', outcome: 'error', error: 'card declined' }).reply(200, {}, json);
    class CardDeclined extends Error {}
    const original = new CardDeclined('card declined');
    const client = makeClient();
    const thrown = await client.guard({ action: 'payment.process', params: { amount: 5000 }, idempotencyKey: 'pay-1' }, async () => { throw original; }).catch((e: unknown) => e);
    expect(thrown).toBe(original);
    await client.flush();
    report.done();
  });

  it.each([
    ['denied', { status: 'denied', reason: 'Too large', policy_id: 'pol_9' }, ActionDenied],
    ['pending', { status: 'pending', approval_id: 'apr_2' }, ApprovalPending],
    ['expired', { status: 'expired', approval_id: 'apr_3' }, ActionExpired],
    ['an unknown status', { status: 'allowed_maybe' }, HaltStateProtocolError],
    ['a missing status', {}, HaltStateProtocolError],
  ])('does not run the function when %s', async (_, body, type) => {
    api().post(`${PREFIX}/action/guard`).reply(200, body, json);
    const fn = jest.fn();
    const error = await makeClient({ failOpen: true }).guard({ action: 'payment.process', idempotencyKey: 'k-1' }, fn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(fn).not.toHaveBeenCalled();
  });

  it('an approval that already ran (status executed) throws ActionAlreadyExecuted and never runs fn', async () => {
    api().post(`${PREFIX}/action/guard`, guardBody()).reply(200, { status: 'executed', approval_id: 'apr_5', executed_at: '2026-01-01T00:00:09Z', reason: 'Already executed on this approval' }, json);
    const fn = jest.fn();
    const error = await makeClient({ failOpen: true }).guard({ action: 'payment.process', params: { amount: 5000 }, idempotencyKey: 'pay-1' }, fn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionAlreadyExecuted);
    expect(isHaltStateError(error, 'HALTSTATE_ALREADY_EXECUTED')).toBe(true);
    expect(error).toMatchObject({ action: 'payment.process', approvalId: 'apr_5', idempotencyKey: 'pay-1', executedAt: '2026-01-01T00:00:09Z' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('with wait: an approval that was used while waiting throws ActionAlreadyExecuted on the re-ask', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_6' }, json);
    api().get(`${PREFIX}/approval/apr_6`).reply(200, { status: 'approved', approver: 'alice' }, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'executed', approval_id: 'apr_6' }, json);
    const fn = jest.fn();
    await expect(makeClient().guard({ action: 'a.b', idempotencyKey: 'k', wait: true }, fn)).rejects.toMatchObject({ name: 'ActionAlreadyExecuted', approvalId: 'apr_6', executedAt: null });
    expect(fn).not.toHaveBeenCalled();
  });

  it('carries details on the decision errors', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied', reason: 'Too large', policy_id: 'pol_9', approver: 'bob' }, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_2' }, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied' }, json);
    const client = makeClient();
    const denied = (await client.guard({ action: 'x.y', idempotencyKey: 'k' }, jest.fn()).catch((e: unknown) => e)) as ActionDenied;
    expect(denied).toMatchObject({ reason: 'Too large', policyId: 'pol_9', approver: 'bob', rejectedBy: 'bob', action: 'x.y' });
    const pending = (await client.guard({ action: 'x.y', idempotencyKey: 'k' }, jest.fn()).catch((e: unknown) => e)) as ApprovalPending;
    expect(pending).toMatchObject({ approvalId: 'apr_2', idempotencyKey: 'k', action: 'x.y' });
    expect(((await client.guard({ action: 'x.y', idempotencyKey: 'k' }, jest.fn()).catch((e: unknown) => e)) as ActionDenied).reason).toBe('Policy violation');
  });

  it('never runs on an unreachable service, even with failOpen', async () => {
    api().post(`${PREFIX}/action/guard`).reply(503, 'down');
    const fn = jest.fn();
    await expect(makeClient({ failOpen: true }).guard({ action: 'a.b', idempotencyKey: 'k' }, fn)).rejects.toBeInstanceOf(HaltStateConnectionError);
    expect(fn).not.toHaveBeenCalled();
  });

  it('raises IdempotencyConflictError on 409 and does not run', async () => {
    api().post(`${PREFIX}/action/guard`).reply(409, { detail: 'key reused' }, json);
    const fn = jest.fn();
    await expect(makeClient().guard({ action: 'a.b', idempotencyKey: 'k' }, fn)).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(fn).not.toHaveBeenCalled();
  });

  it('derives a deterministic key when none is given, and sends metadata', async () => {
    const key = deriveIdempotencyKey({ secret: KEY, tenantId: TENANT, agentId: 'bot-1', action: 'payment.process', params: { amount: 5000 } });
    api().post(`${PREFIX}/action/guard`, guardBody({ idempotency_key: key, metadata: { ticket: 'T-1', token: '[REDACTED]' } })).twice().reply(200, { status: 'pending', approval_id: 'apr' }, json);
    const client = makeClient();
    for (let i = 0; i < 2; i++) {
      const error = (await client.guard({ action: 'payment.process', params: { amount: 5000 }, metadata: { ticket: 'T-1', token: 't' } }, jest.fn()).catch((e: unknown) => e)) as ApprovalPending;
      expect(error.idempotencyKey).toBe(key);
    }
  });

  it('with wait: GET first, then SSE; asks guard again with the same key once approved', async () => {
    const stream = sseStream();
    api().post(`${PREFIX}/action/guard`, guardBody()).reply(200, { status: 'pending', approval_id: 'apr_7' }, json);
    const admin = () => api().matchHeader('x-admin-token', /SECRET/);
    admin().get(`${PREFIX}/approval/apr_7`).twice().reply(200, { status: 'pending', approver: null, reason: null, agent_id: 'bot-1', action: 'payment.process', decided_at: null }, json);
    let streamOpened = false;
    admin().matchHeader('accept', 'text/event-stream').get(`${PREFIX}/approvals/stream`).query({ tenant_id: TENANT }).reply(200, () => {
      streamOpened = true;
      return stream.body;
    }, sseHeaders);
    api().post(`${PREFIX}/action/guard`, guardBody()).reply(200, { status: 'approved', approval_id: 'apr_7', approver: 'alice' }, json);
    api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    const fn = jest.fn(async (permit: Permit) => permit.approver);
    const client = makeClient();
    const result = client.guard({ action: 'payment.process', params: { amount: 5000 }, idempotencyKey: 'pay-1', wait: { timeoutMs: 60_000 } }, fn);
    await until(() => streamOpened);
    stream.comment();
    stream.send({ type: 'CONNECTED' });
    stream.send({ type: 'SOMETHING_NEW', data: 1 });
    stream.send({ type: 'APPROVAL_DECISION', request_id: 'other', status: 'rejected', approver: 'x', reason: null, agent_id: 'b', action: 'a', timestamp: '2026-01-01T00:00:00Z' });
    expect(fn).not.toHaveBeenCalled();
    stream.send({ type: 'APPROVAL_DECISION', request_id: 'apr_7', status: 'approved', approver: 'alice', reason: null, agent_id: 'bot-1', action: 'payment.process', timestamp: '2026-01-01T00:00:01Z' });
    expect(await result).toBe('alice');
    stream.end();
    await client.close();
  });

  it('with wait: a rejection seen on the stream is confirmed by guard and throws ActionDenied', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_8' }, json);
    api().get(`${PREFIX}/approval/apr_8`).reply(200, { status: 'rejected', approver: 'bob', reason: 'no', agent_id: 'bot-1', action: 'a.b', decided_at: 'x' }, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied', reason: 'Rejected by bob', approver: 'bob' }, json);
    const fn = jest.fn();
    await expect(makeClient().guard({ action: 'a.b', idempotencyKey: 'k', wait: true }, fn)).rejects.toMatchObject({ name: 'ActionDenied', approver: 'bob' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('with wait: falls back to polling when the stream is unavailable', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_9' }, json);
      api().get(`${PREFIX}/approval/apr_9`).twice().reply(200, { status: 'pending' }, json);
      api().get(`${PREFIX}/approvals/stream`).query(true).reply(404, { detail: 'Not Found' }, json);
      api().get(`${PREFIX}/approval/apr_9`).reply(503, 'blip');
      api().get(`${PREFIX}/approval/apr_9`).reply(429, 'slow down');
      api().get(`${PREFIX}/approval/apr_9`).reply(200, { status: 'approved', approver: 'carol' }, json);
      api().post(`${PREFIX}/action/guard`).reply(200, { status: 'approved', approval_id: 'apr_9', approver: 'carol' }, json);
      api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
      const sleeps = recordSleeps();
      const fn = jest.fn(() => 'ran');
      let settled = false;
      const client = makeClient({ retries: 1 });
      const result = client.guard({ action: 'a.b', idempotencyKey: 'k', wait: { timeoutMs: 60_000, pollIntervalMs: 1000 } }, fn).finally(() => (settled = true));
      while (!settled) await advance(100);
      // One GET, the stream's 404, then polls after 1 s (still pending) and 1.5 s more: a 503,
      // retried after the backoff (150–300 ms) and answered 429 (rate limited, not a decision:
      // keep polling); then 2.25 s more (approved).
      sleeps.stop();
      expect(sleeps.delays).toEqual([1000, 1500, expect.any(Number), 2250]);
      expect(sleeps.delays[2]).toBeGreaterThanOrEqual(150);
      expect(sleeps.delays[2]).toBeLessThanOrEqual(300);
      await client.flush();
      expect(await result).toBe('ran');
    } finally {
      nock.cleanAll();
      jest.useRealTimers();
    }
  });

  it('with wait: gives up with ApprovalTimeoutError after timeoutMs', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const stream = sseStream();
      api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_t' }, json);
      api().get(`${PREFIX}/approval/apr_t`).reply(200, { status: 'pending' }, json);
      const opened = api().get(`${PREFIX}/approvals/stream`).query(true).reply(200, () => stream.body, sseHeaders);
      const fn = jest.fn();
      const result = makeClient().guard({ action: 'a.b', idempotencyKey: 'k', wait: { timeoutMs: 30_000 } }, fn).catch((e: unknown) => e);
      await until(() => opened.isDone());
      const recheck = api().get(`${PREFIX}/approval/apr_t`).reply(200, { status: 'pending' }, json);
      stream.send({ type: 'CONNECTED' });
      await until(() => recheck.isDone());
      await advance(30_000);
      expect(await result).toMatchObject({ name: 'ApprovalTimeoutError', approvalId: 'apr_t', timeoutMs: 30_000 });
      expect(fn).not.toHaveBeenCalled();
      stream.end();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('haltstateGuard() and execute()', () => {
  it('check flow: check → run → report with the (redacted) return value', async () => {
    api().post(`${PREFIX}/action/check`, { agent_id: 'email-bot', action: 'email.send', params: { to: 'bob@example.com', subject: 'Hi' } }).reply(200, { decision: 'ALLOW', policy_id: 'p1' }, json);
    const report = api()
      .post(`${PREFIX}/action/report`, (body) => body.status === 'success' && body.decision === 'ALLOW' && body.policy_id === 'p1' && body.agent_id === 'email-bot' && body.action === 'email.send' && body.result.messageId === 'm1' && body.result.token === '[REDACTED]' && /^[0-9a-f-]{36}$/.test(body.request_id))
      .reply(200, {}, json);
    const client = makeClient();
    const send = haltstateGuard(client, { action: 'email.send', agentId: 'email-bot' })((to: string, subject: string) => ({ messageId: 'm1', token: 'secret', to, subject }));
    await expect(send('bob@example.com', 'Hi')).resolves.toMatchObject({ messageId: 'm1' });
    await client.flush();
    report.done();
  });

  it('keeps `this` and reports a thrown error with its message', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW' }, json);
    const report = api().post(`${PREFIX}/action/report`, (body) => body.status === 'error' && body.result.error === 'mailbox full').reply(200, {}, json);
    const client = makeClient();
    const mailer = {
      box: 'full',
      send: haltstateGuard(client, { action: 'email.send', params: (to: string) => ({ to }) })(function (this: { box: string }, _to: string) {
        throw new Error(`mailbox ${this.box}`);
      }),
    };
    await expect(mailer.send('a@b.c')).rejects.toThrow('mailbox full');
    await client.flush();
    report.done();
  });

  it('denied and approval-required do not run', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'DENY', reason: 'nope', policy_id: 'p' }, json);
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'APPROVAL_REQUIRED', approval_id: 'a1' }, json);
    const fn = jest.fn();
    const guarded = haltstateGuard(makeClient(), { action: 'db.drop' })(fn);
    await expect(guarded()).rejects.toMatchObject({ name: 'ActionDenied', reason: 'nope', policyId: 'p' });
    await expect(guarded()).rejects.toMatchObject({ name: 'ApprovalPending', approvalId: 'a1' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('execute() with a key takes the guard flow: executed throws ActionAlreadyExecuted, fn never runs', async () => {
    api().post(`${PREFIX}/action/guard`, (body) => body.idempotency_key === 'inv-7').reply(200, { status: 'executed', approval_id: 'apr_x' }, json);
    const fn = jest.fn();
    await expect(makeClient().execute({ action: 'payment.process', idempotencyKey: 'inv-7' }, fn)).rejects.toMatchObject({ name: 'ActionAlreadyExecuted', idempotencyKey: 'inv-7' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('uses the guard flow when an idempotency key function is given', async () => {
    api().post(`${PREFIX}/action/guard`, (body) => body.idempotency_key === 'inv-42' && body.params.invoice === 42).reply(200, { status: 'allowed' }, json);
    api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    const client = makeClient();
    const pay = haltstateGuard(client, { action: 'payment.process', params: (invoice: number) => ({ invoice }), idempotencyKey: (invoice: number) => `inv-${invoice}` })(async (invoice: number) => invoice * 2);
    await expect(pay(42)).resolves.toBe(84);
    await client.flush();
  });
});
