// A wait's deadline is a deadline: once `wait.timeoutMs` has passed, the guarded function never
// starts, whatever the stream, the network or the garbage collector do afterwards.
import nock from 'nock';
import { ApprovalTimeoutError } from '@haltstate/core';
import { api, json, makeClient, PREFIX, setupNock } from './helpers/api';
import { advance, sseHeaders, sseStream, until } from './helpers/sse';

setupNock();

/**
 * A fetch that never hands the caller's AbortSignal to the network, as when a chain of
 * AbortSignal.any() links was collected: aborting the wait must then still end the stream.
 */
const deafFetch: typeof fetch = (input, init) => globalThis.fetch(input, { ...init, signal: null });

const approved = (id: string, timestamp = '2026-01-01T00:00:10Z') => ({ type: 'APPROVAL_DECISION', request_id: id, status: 'approved', approver: 'alice', reason: null, agent_id: 'bot-1', action: 'a.b', timestamp });

describe('a wait ends at its deadline', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => {
    nock.abortPendingRequests();
    jest.useRealTimers();
  });

  /** A pending guard that has subscribed to the stream and re-read the approval once live. */
  async function pendingOnStream(id: string, stream: ReturnType<typeof sseStream>, announce = true) {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: id }, json);
    api().get(`${PREFIX}/approval/${id}`).reply(200, { status: 'pending' }, json);
    const opened = api().get(`${PREFIX}/approvals/stream`).query(true).reply(200, () => stream.body, sseHeaders);
    const recheck = announce ? api().get(`${PREFIX}/approval/${id}`).reply(200, { status: 'pending' }, json) : undefined;
    return { opened, recheck };
  }

  it('guard: an approval that arrives after timeoutMs does not run fn (ApprovalTimeoutError), even when aborts do not reach fetch', async () => {
    const stream = sseStream();
    const { opened, recheck } = await pendingOnStream('apr_late', stream);
    // If the client asked again after the late approval, the server would say approved.
    api().post(`${PREFIX}/action/guard`).optionally().reply(200, { status: 'approved', approval_id: 'apr_late' }, json);
    api().post(`${PREFIX}/action/guard/report`).optionally().reply(200, {}, json);
    const fn = jest.fn();
    let settled = false;
    const result = makeClient({ fetch: deafFetch }).guard({ action: 'a.b', idempotencyKey: 'k', wait: { timeoutMs: 3000 } }, fn).catch((e: unknown) => e).finally(() => (settled = true));
    await until(() => opened.isDone());
    stream.send({ type: 'CONNECTED' });
    await until(() => recheck!.isDone());
    await advance(10_000);
    stream.send(approved('apr_late'));
    await advance(1000);
    expect(settled).toBe(true);
    const error = await result;
    expect(error).toBeInstanceOf(ApprovalTimeoutError);
    expect(error).toMatchObject({ approvalId: 'apr_late', timeoutMs: 3000 });
    expect(fn).not.toHaveBeenCalled();
    stream.end();
  });

  it('guard: a stream that never sends a byte does not hang past the deadline', async () => {
    const stream = sseStream();
    const { opened } = await pendingOnStream('apr_mute', stream, false);
    const fn = jest.fn();
    let settled = false;
    const result = makeClient({ fetch: deafFetch }).guard({ action: 'a.b', idempotencyKey: 'k', wait: { timeoutMs: 3000 } }, fn).catch((e: unknown) => e).finally(() => (settled = true));
    await until(() => opened.isDone());
    await advance(2900);
    expect(settled).toBe(false);
    await advance(200);
    await until(() => settled, 1000).catch(() => undefined);
    expect(settled).toBe(true);
    expect(await result).toMatchObject({ name: 'ApprovalTimeoutError', approvalId: 'apr_mute' });
    expect(fn).not.toHaveBeenCalled();
    stream.end();
  });

  it('guard: an approval in time whose confirmation lands after the deadline does not run fn', async () => {
    const stream = sseStream();
    const { opened, recheck } = await pendingOnStream('apr_slow', stream);
    // The re-ask is answered `approved` only when the test says so, after the deadline.
    let release: (() => void) | undefined;
    const reask = api().post(`${PREFIX}/action/guard`).reply((_uri, _body, callback) => {
      release = () => callback(null, [200, { status: 'approved', approval_id: 'apr_slow' }, json]);
    });
    const fn = jest.fn();
    let settled = false;
    const result = makeClient({ fetch: deafFetch }).guard({ action: 'a.b', idempotencyKey: 'k', wait: { timeoutMs: 3000 } }, fn).catch((e: unknown) => e).finally(() => (settled = true));
    await until(() => opened.isDone());
    stream.send({ type: 'CONNECTED' });
    await until(() => recheck!.isDone());
    await advance(2500);
    stream.send(approved('apr_slow'));
    await until(() => release !== undefined);
    expect(reask.isDone()).toBe(true);
    await advance(1000);
    release!();
    while (!settled) await advance(100);
    expect(await result).toMatchObject({ name: 'ApprovalTimeoutError', approvalId: 'apr_slow' });
    expect(fn).not.toHaveBeenCalled();
    stream.end();
  });

  it('execute (check flow): an approval after timeoutMs does not run fn', async () => {
    const stream = sseStream();
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'APPROVAL_REQUIRED', approval_id: 'apr_chk' }, json);
    api().get(`${PREFIX}/approval/apr_chk`).reply(200, { status: 'pending' }, json);
    // The read after CONNECTED races the deadline on a busy machine (seen on Node 24 under load):
    // whether it happens or not, the outcome below must be the same.
    api().get(`${PREFIX}/approval/apr_chk`).optionally().reply(200, { status: 'pending' }, json);
    const opened = api().get(`${PREFIX}/approvals/stream`).query(true).reply(200, () => stream.body, sseHeaders);
    const fn = jest.fn();
    let settled = false;
    const result = makeClient({ fetch: deafFetch }).execute({ action: 'a.b', wait: { timeoutMs: 3000 } }, fn).catch((e: unknown) => e).finally(() => (settled = true));
    await until(() => opened.isDone());
    stream.send({ type: 'CONNECTED' });
    await advance(10_000);
    stream.send(approved('apr_chk'));
    await advance(1000);
    expect(settled).toBe(true);
    expect(await result).toMatchObject({ name: 'ApprovalTimeoutError', approvalId: 'apr_chk' });
    expect(fn).not.toHaveBeenCalled();
    stream.end();
  });

  it('waitForApproval: a stream that never sends a byte ends at timeoutMs', async () => {
    const stream = sseStream();
    api().get(`${PREFIX}/approval/apr_w`).reply(200, { status: 'pending' }, json);
    const opened = api().get(`${PREFIX}/approvals/stream`).query(true).reply(200, () => stream.body, sseHeaders);
    let settled = false;
    const result = makeClient({ fetch: deafFetch }).waitForApproval('apr_w', { timeoutMs: 2000 }).catch((e: unknown) => e).finally(() => (settled = true));
    await until(() => opened.isDone());
    await advance(2100);
    await until(() => settled, 1000).catch(() => undefined);
    expect(settled).toBe(true);
    expect(await result).toMatchObject({ name: 'ApprovalTimeoutError', timeoutMs: 2000 });
    stream.end();
  });
});
