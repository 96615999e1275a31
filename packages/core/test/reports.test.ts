import nock from 'nock';
import type { QueuedReportInfo } from '@haltstate/core';
import { api, json, makeClient, PREFIX, setupNock } from './helpers/api';
import { advance, until } from './helpers/sse';

setupNock();

const decisionFor = async (action = 'a.b') => {
  api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW', policy_id: 'p1' }, json);
  return makeClient().check(action);
};

describe('report()', () => {
  it('posts the contract body and never waits for delivery', async () => {
    const client = makeClient();
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW', policy_id: 'p1' }, json);
    const decision = await client.check('payment.process', { params: { amount: 1 } });
    let delivered = false;
    api()
      .post(`${PREFIX}/action/report`, { request_id: decision.requestId, agent_id: 'bot-1', action: 'payment.process', status: 'success', decision: 'ALLOW', policy_id: 'p1', result: { transactionId: 'tx_123' } })
      .reply(200, () => ((delivered = true), {}), json);
    await client.report(decision, { status: 'success', result: { transactionId: 'tx_123' } });
    expect(delivered).toBe(false);
    expect(await client.flush()).toEqual({ ok: true, delivered: 1, failed: [], pending: 0 });
    expect(delivered).toBe(true);
  });

  it('wraps non-object results, serialises odd values leniently and marks fail-open', async () => {
    const client = makeClient({ failOpen: true });
    api().post(`${PREFIX}/action/check`).replyWithError('ECONNREFUSED');
    const decision = await client.check('a.b');
    const bodies: unknown[] = [];
    api().post(`${PREFIX}/action/report`).times(3).reply(200, (_uri, body) => (bodies.push(body), {}), json);
    await client.report(decision, { status: 'success', result: 42 });
    await client.report(decision, { status: 'success', result: { big: 10n } });
    await client.report(decision, { status: 'failure' });
    await client.flush();
    expect(bodies).toEqual(expect.arrayContaining([
      expect.objectContaining({ result: { value: 42, fail_open: true }, decision: 'ALLOW' }),
      expect.objectContaining({ result: { big: '10', fail_open: true } }),
      expect.objectContaining({ result: { fail_open: true }, status: 'failure' }),
    ]));
  });

  it('rejects an unknown status before queueing anything', async () => {
    const decision = await decisionFor();
    await expect(makeClient().report(decision, { status: 'ok' as 'success' })).rejects.toMatchObject({ name: 'HaltStateValidationError', path: 'status' });
  });

  it('retries delivery in the background with backoff and counts the outcome', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const decision = await decisionFor();
      const client = makeClient();
      api().post(`${PREFIX}/action/report`).twice().reply(503, 'down');
      const ok = api().post(`${PREFIX}/action/report`).reply(200, {}, json);
      await client.report(decision, { status: 'success' });
      while (!ok.isDone()) await advance(500);
      await until(() => client.reportStats.delivered === 1);
      expect(client.reportStats).toEqual({ queued: 1, delivered: 1, failed: 0, dropped: 0, pending: 0 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives up on a final failure, says which in flush() and calls onReportError once', async () => {
    const decision = await decisionFor('email.send');
    const errors: Array<[string, QueuedReportInfo]> = [];
    const client = makeClient({ onReportError: (error, info) => errors.push([error.name, info]) });
    api().post(`${PREFIX}/action/report`).reply(422, { detail: 'bad report' }, json);
    await client.report(decision, { status: 'success' });
    const result = await client.flush();
    expect(result).toMatchObject({ ok: false, delivered: 0, pending: 0, failed: [{ report: { kind: 'report', action: 'email.send', id: decision.requestId } }] });
    expect(errors).toEqual([['HaltStatePolicyError', { kind: 'report', action: 'email.send', agentId: 'bot-1', id: decision.requestId }]]);
    expect(client.reportStats).toMatchObject({ failed: 1, delivered: 0 });
  });

  it('refuses reports beyond maxQueuedReports, loudly', async () => {
    const decision = await decisionFor();
    const onReportError = jest.fn();
    const client = makeClient({ maxQueuedReports: 2, onReportError });
    api().post(`${PREFIX}/action/report`).twice().delay(50).reply(200, {}, json);
    for (let i = 0; i < 3; i++) await client.report(decision, { status: 'success' });
    expect(onReportError).toHaveBeenCalledTimes(1);
    expect(onReportError.mock.calls[0][0].message).toMatch(/queue is full \(2 waiting/);
    const result = await client.flush();
    expect(result).toMatchObject({ delivered: 2, pending: 0, ok: false });
    expect(client.reportStats).toMatchObject({ queued: 2, delivered: 2, dropped: 1 });
  });

  it('close() with the service down ends at its deadline and counts what was not delivered', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const decision = await decisionFor();
      const onReportError = jest.fn();
      const client = makeClient({ onReportError });
      api().post(`${PREFIX}/action/report`).times(20).replyWithError('ECONNREFUSED');
      await client.report(decision, { status: 'success' });
      await client.report(decision, { status: 'error', result: { error: 'x' } });
      let result: Awaited<ReturnType<typeof client.close>> | undefined;
      void client.close({ timeoutMs: 3000 }).then((r) => (result = r));
      while (result === undefined) await advance(250);
      expect(result).toMatchObject({ ok: false, pending: 2 });
      expect(onReportError).toHaveBeenCalledTimes(2);
      expect(onReportError.mock.calls[0][0].message).toMatch(/not delivered: the client was closed/);
      // Closed: a later report is refused, not lost silently.
      await client.report(decision, { status: 'success' });
      expect(onReportError).toHaveBeenCalledTimes(3);
    } finally {
      nock.cleanAll();
      jest.useRealTimers();
    }
  });

  it('warns through process warnings when no onReportError is set', async () => {
    const decision = await decisionFor();
    const client = makeClient({ onReportError: undefined });
    api().post(`${PREFIX}/action/report`).reply(400, { detail: 'nope' }, json);
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      await client.report(decision, { status: 'success' });
      await client.flush();
      expect(emitWarning).toHaveBeenCalledWith(expect.stringContaining('/action/report was rejected (400)'), { code: 'HALTSTATE_REPORT_NOT_DELIVERED' });
    } finally {
      emitWarning.mockRestore();
    }
  });
});
