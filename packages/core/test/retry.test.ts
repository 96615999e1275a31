import nock from 'nock';
import { HaltStateAuthError, HaltStateConnectionError, HaltStateRateLimitError } from '@haltstate/core';
import { parseRetryAfter, retryDelay } from '../src/internal/retry';
import { api, json, makeClient, PREFIX, setupNock } from './helpers/api';
import { drive } from './helpers/sse';

setupNock();

describe('retryDelay and parseRetryAfter', () => {
  it('backs off exponentially with jitter in the upper half, capped at 8 s', () => {
    expect(retryDelay(1, undefined, () => 0)).toBe(150);
    expect(retryDelay(1, undefined, () => 1)).toBe(300);
    expect(retryDelay(3, undefined, () => 1)).toBe(1200);
    expect(retryDelay(20, undefined, () => 1)).toBe(8000);
    expect(retryDelay(20, undefined, () => 0)).toBe(4000);
  });

  it('honours Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(retryDelay(1, 3000)).toBe(3000);
  });

  it('accepts only the RFC 9110 forms: 1*DIGIT seconds or an HTTP-date', () => {
    const now = Date.parse('Sun, 06 Nov 1994 08:49:30 GMT');
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('007')).toBe(7000);
    // IMF-fixdate, the obsolete RFC 850 form and asctime (which is UTC, not local time).
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(7000);
    // A date in the past means now.
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:00 GMT', now)).toBe(0);
    for (const bad of ['0x10', '1e3', ' 5', '5 ', '-1', '5.5', '+5', '0b11', 'Infinity', '١٢', '5s', '', '2026-01-01T00:00:00Z', 'Sun, 06 Nov 1994 08:49:37 PST', 'Sun, 32 Nov 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT', 'tomorrow']) {
      expect([bad, parseRetryAfter(bad, now)]).toEqual([bad, undefined]);
    }
  });
});

describe('retries', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => {
    nock.abortPendingRequests();
    jest.useRealTimers();
  });

  // makeClient's long request deadline: fake time runs ahead of nock's replies here, and only
  // the test that is about a timeout sets a short one.
  const client = (retries: number) => makeClient({ retries });

  it('retries 5xx and network errors (POST included), then succeeds', async () => {
    api().post(`${PREFIX}/action/guard`).reply(502, 'bad gateway');
    api().post(`${PREFIX}/action/guard`).replyWithError('socket hang up');
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'allowed' }, json);
    api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    const { result, waits } = await drive(client(2).guard({ action: 'a.b', idempotencyKey: 'k' }, () => 'ran'));
    expect(result).toMatchObject({ status: 'fulfilled', value: 'ran' });
    expect(waits).toHaveLength(2);
  });

  it('gives up after retries + 1 attempts with a connection error', async () => {
    api().post(`${PREFIX}/action/guard`).times(3).reply(500, { detail: 'boom' }, json);
    const { result, waits } = await drive(client(2).guard({ action: 'a.b', idempotencyKey: 'k' }, jest.fn()));
    expect(result.status).toBe('rejected');
    const error = (result as PromiseRejectedResult).reason as HaltStateConnectionError;
    expect(error).toBeInstanceOf(HaltStateConnectionError);
    expect(error.message).toMatch(/500 after 3 attempt/);
    // 150–300 ms, then 300–600 ms of backoff.
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(150);
    expect(waits[0]).toBeLessThanOrEqual(300);
    expect(waits[1]).toBeGreaterThanOrEqual(300);
    expect(waits[1]).toBeLessThanOrEqual(600);
  });

  it('honours Retry-After on 429 and then raises a rate-limit error with retryAfterMs', async () => {
    api().post(`${PREFIX}/action/check`).times(2).reply(429, { detail: 'slow down' }, { ...json, 'retry-after': '2' });
    const { result, waits } = await drive(client(1).check('a.b'));
    const error = (result as PromiseRejectedResult).reason as HaltStateRateLimitError;
    expect(error).toBeInstanceOf(HaltStateRateLimitError);
    expect(error.retryAfterMs).toBe(2000);
    expect(waits).toEqual([2000]);
  });

  it('ignores a Retry-After that is not RFC 9110 (0x10 is not 16 s) and backs off as usual', async () => {
    api().post(`${PREFIX}/action/guard`).reply(429, 'slow down', { 'retry-after': '0x10' });
    api().post(`${PREFIX}/action/guard`).reply(429, 'slow down', { 'retry-after': '1e3' });
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied' }, json);
    const { result, waits } = await drive(client(2).guard({ action: 'a.b', idempotencyKey: 'k' }, jest.fn()));
    expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'ActionDenied' });
    expect(waits).toHaveLength(2);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(600);
  });

  it('does not wait for a Retry-After longer than a minute', async () => {
    api().post(`${PREFIX}/action/check`).reply(429, 'later', { 'retry-after': '3600' });
    const { result, waits } = await drive(client(3).check('a.b'));
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(HaltStateRateLimitError);
    expect(waits).toEqual([]);
  });

  it('never retries auth errors', async () => {
    api().post(`${PREFIX}/action/check`).once().reply(403, { detail: 'forbidden' }, json);
    const { result, waits } = await drive(client(3).check('a.b'));
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(HaltStateAuthError);
    expect(waits).toEqual([]);
  });

  it('times out a slow response (headers or body) and retries it', async () => {
    api().post(`${PREFIX}/action/guard`).delay(10_000).reply(200, { status: 'allowed' }, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied', reason: 'second' }, json);
    const { result } = await drive(makeClient({ retries: 1, timeoutMs: 2000 }).guard({ action: 'a.b', idempotencyKey: 'k' }, jest.fn()));
    expect(result).toMatchObject({ status: 'rejected', reason: { name: 'ActionDenied', reason: 'second' } });
  });

  it('times out a body that stalls after its headers, with or without a declared length', async () => {
    const body = JSON.stringify({ status: 'allowed' });
    api().post(`${PREFIX}/action/guard`).delayBody(10_000).reply(200, body, { ...json, 'content-length': String(Buffer.byteLength(body)) });
    api().post(`${PREFIX}/action/guard`).delayBody(10_000).reply(200, body, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied', reason: 'third' }, json);
    const run = jest.fn();
    const { result } = await drive(makeClient({ retries: 2, timeoutMs: 2000 }).guard({ action: 'a.b', idempotencyKey: 'k' }, run));
    expect(result).toMatchObject({ status: 'rejected', reason: { name: 'ActionDenied', reason: 'third' } });
    expect(run).not.toHaveBeenCalled();
  });

  it('per-request options override the client: retries and timeout', async () => {
    api().post(`${PREFIX}/action/check`).delay(10_000).reply(200, { decision: 'ALLOW' }, json);
    const { result, waits } = await drive(client(5).check('a.b', {}, { retries: 0, timeoutMs: 200 }));
    const error = (result as PromiseRejectedResult).reason as HaltStateConnectionError;
    expect(error.message).toMatch(/timed out after 200 ms/);
    expect(waits).toEqual([]);
  });

  it('passes an AbortSignal through and stops retrying when it aborts', async () => {
    api().post(`${PREFIX}/action/check`).reply(503, 'x');
    const controller = new AbortController();
    const promise = client(5).check('a.b', {}, { signal: controller.signal });
    await jest.advanceTimersByTimeAsync(10);
    controller.abort(new Error('caller gave up'));
    const { result } = await drive(promise);
    expect((result as PromiseRejectedResult).reason).toEqual(new Error('caller gave up'));
  });
});
