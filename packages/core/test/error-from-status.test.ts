import { isHaltStateError } from '@haltstate/core';
import { errorFromStatus } from '../src/errors';

const response = { label: 'POST /api/sentinel/action/check', requestId: 'r', detail: 'why', baseUrl: 'http://127.0.0.1:1' };

describe('errorFromStatus: the one place a status becomes an error', () => {
  it.each([
    [401, 'HALTSTATE_AUTH'],
    [403, 'HALTSTATE_AUTH'],
    [409, 'HALTSTATE_IDEMPOTENCY_CONFLICT'],
    [404, 'HALTSTATE_NOT_FOUND'],
    [400, 'HALTSTATE_POLICY'],
    [422, 'HALTSTATE_POLICY'],
    [418, 'HALTSTATE_ERROR'],
    [302, 'HALTSTATE_ERROR'],
  ] as const)('%i is %s', (status, code) => {
    const error = errorFromStatus(status, response);
    expect(isHaltStateError(error, code)).toBe(true);
    expect(error).toMatchObject({ status, requestId: 'r' });
  });

  it('after retries: 429 is rate limited with its Retry-After, 408 and 5xx unreachable', () => {
    expect(errorFromStatus(429, { ...response, attempts: 3, retryAfterMs: 1_000 })).toMatchObject({ code: 'HALTSTATE_RATE_LIMITED', retryAfterMs: 1_000, message: `${response.label} was rate limited (429) after 3 attempt(s): why` });
    expect(errorFromStatus(503, { ...response, attempts: 2, note: '; not retried' }).message).toBe(`${response.label} failed with 503 after 2 attempt(s); not retried: why`);
    expect(errorFromStatus(408, { ...response, attempts: 1 }).code).toBe('HALTSTATE_CONNECTION');
    // A request never retried (a stream's open) keeps a plain error for those statuses.
    expect(errorFromStatus(503, response).code).toBe('HALTSTATE_ERROR');
  });

  it('a hidden redirect (status 0) is still named a redirect, with only the origin', () => {
    expect(errorFromStatus(0, { ...response, detail: undefined, redirectTarget: ' to https://elsewhere.example' }).message).toMatch(/answered a redirect to https:\/\/elsewhere\.example; redirects are not followed/);
  });
});
