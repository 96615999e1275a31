// How a wait for a human ends when it is not decided: the client is closed, the caller aborts,
// or the server goes away. Each has its own typed outcome, and the guarded function never runs.
import nock from 'nock';
import { HaltStateAbortError, HaltStateClosedError, HaltStateConnectionError, isHaltStateError } from '@haltstate/core';
import { api, json, makeClient, PREFIX, setupNock } from './helpers/api';
import { advance, sseHeaders, sseStream, until } from './helpers/sse';

setupNock();

/** A guard that is pending and listening on a live stream. */
async function waitingOnStream(id: string) {
  const stream = sseStream();
  api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: id }, json);
  api().get(`${PREFIX}/approval/${id}`).reply(200, { status: 'pending' }, json);
  const opened = api().get(`${PREFIX}/approvals/stream`).query(true).reply(200, () => stream.body, sseHeaders);
  const recheck = api().get(`${PREFIX}/approval/${id}`).reply(200, { status: 'pending' }, json);
  /** Resolves once the stream is live and the approval was read again. */
  const live = async () => {
    await until(() => opened.isDone());
    stream.send({ type: 'CONNECTED' });
    await until(() => recheck.isDone());
    await advance(100);
  };
  return { stream, live };
}

describe('a wait that ends without a decision', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => {
    nock.abortPendingRequests();
    jest.useRealTimers();
  });

  it('client.close() ends it at once with HaltStateClosedError (not a connection error); later calls are refused', async () => {
    const { stream, live } = await waitingOnStream('apr_c');
    const client = makeClient();
    const fn = jest.fn();
    let settled = false;
    const result = client.guard({ action: 'a.b', idempotencyKey: 'k', wait: true }, fn).catch((e: unknown) => e).finally(() => (settled = true));
    await live();
    expect(settled).toBe(false);
    await client.close();
    await until(() => settled);
    const error = await result;
    expect(error).toBeInstanceOf(HaltStateClosedError);
    expect(isHaltStateError(error, 'HALTSTATE_CLOSED')).toBe(true);
    expect(isHaltStateError(error, 'HALTSTATE_CONNECTION')).toBe(false);
    expect((error as Error).message).toMatch(/client was closed/);
    expect(fn).not.toHaveBeenCalled();
    // Nothing is sent after close: no interceptor is left for these.
    await expect(client.guard({ action: 'a.b', idempotencyKey: 'k2' }, fn)).rejects.toBeInstanceOf(HaltStateClosedError);
    await expect(client.check('a.b')).rejects.toMatchObject({ code: 'HALTSTATE_CLOSED', message: expect.stringContaining('client is closed') });
    stream.end();
  });

  it('an abort without a reason ends it with HaltStateAbortError, whose cause is the AbortError', async () => {
    const { stream, live } = await waitingOnStream('apr_a');
    const controller = new AbortController();
    const fn = jest.fn();
    const result = makeClient().guard({ action: 'payment.process', idempotencyKey: 'k', wait: true }, fn, { signal: controller.signal }).catch((e: unknown) => e);
    await live();
    controller.abort();
    const error = await result;
    expect(error).toBeInstanceOf(HaltStateAbortError);
    expect(error).toMatchObject({ code: 'HALTSTATE_ABORTED', message: expect.stringMatching(/guard of "payment\.process" was aborted by its AbortSignal; a guarded action that had not started did not run/) });
    expect((error as Error).cause).toMatchObject({ name: 'AbortError' });
    expect(fn).not.toHaveBeenCalled();
    stream.end();
  });

  it('an abort with a reason ends it with that reason', async () => {
    const { stream, live } = await waitingOnStream('apr_r');
    const controller = new AbortController();
    const reason = new Error('the user cancelled');
    const result = makeClient().guard({ action: 'a.b', idempotencyKey: 'k', wait: true }, jest.fn(), { signal: controller.signal }).catch((e: unknown) => e);
    await live();
    controller.abort(reason);
    expect(await result).toBe(reason);
    stream.end();
  });

  it('an already aborted signal or AbortSignal.timeout-style reason is a HaltStateAbortError for every call', async () => {
    const aborted = AbortSignal.abort();
    const client = makeClient();
    await expect(client.check('a.b', {}, { signal: aborted })).rejects.toMatchObject({ name: 'HaltStateAbortError', message: expect.stringContaining('check of "a.b"') });
    const timedOut = new AbortController();
    timedOut.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    await expect(client.getApproval('apr', { signal: timedOut.signal })).rejects.toMatchObject({ name: 'HaltStateAbortError', message: expect.stringContaining('timed out') });
  });

  it('a server that disappears mid-wait ends it after the retries with a connection error saying the wait was abandoned', async () => {
    const { stream, live } = await waitingOnStream('apr_gone');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
    const gets = api().get(`${PREFIX}/approval/apr_gone`).times(3).replyWithError(refused);
    api().get(`${PREFIX}/approvals/stream`).query(true).optionally().times(10).replyWithError(refused);
    const fn = jest.fn();
    let settled = false;
    const result = makeClient({ retries: 2 }).guard({ action: 'a.b', idempotencyKey: 'k', wait: { timeoutMs: 3_600_000 } }, fn).catch((e: unknown) => e).finally(() => (settled = true));
    await live();
    stream.end();
    // Three attempts with backoff (at most 300 + 600 ms), then the abandoned-wait error below, not
    // the hour of the wait (which would end in ApprovalTimeoutError). Fake time runs until the
    // call settles: how much of it passes while real replies travel depends on the machine.
    while (!settled) await advance(100);
    expect(settled).toBe(true);
    const error = await result;
    expect(error).toBeInstanceOf(HaltStateConnectionError);
    expect(error).toMatchObject({ approvalId: 'apr_gone', message: expect.stringMatching(/^Stopped waiting for approval apr_gone: .*could not reach .*after 3 attempt\(s\).*The wait was abandoned, not decided: the approval stays on the server/) });
    expect(gets.isDone()).toBe(true);
    expect(fn).not.toHaveBeenCalled();
  });

  it('execute: a server unreachable from the start of the wait ends it after the retries', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'APPROVAL_REQUIRED', approval_id: 'apr_x' }, json);
    api().get(`${PREFIX}/approval/apr_x`).times(2).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const fn = jest.fn();
    let settled = false;
    const result = makeClient({ retries: 1 }).execute({ action: 'a.b', wait: true }, fn).catch((e: unknown) => e).finally(() => (settled = true));
    while (!settled) await advance(100);
    expect(await result).toMatchObject({ name: 'HaltStateConnectionError', approvalId: 'apr_x', message: expect.stringContaining('Stopped waiting for approval apr_x') });
    expect(fn).not.toHaveBeenCalled();
  });
});
