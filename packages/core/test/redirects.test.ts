// A redirect is never followed: the API key (X-API-Key, Authorization, X-Admin-Token) would go to
// whatever address the Location names, and that address's answer would be read as a decision.
import nock from 'nock';
import { HaltStateError, isHaltStateError } from '@haltstate/core';
import { api, makeClient, PREFIX, setupNock } from './helpers/api';

setupNock();

const LOCATION = 'https://evil.test/steal?token=abc123';

/** The redirect target: records whether anything reached it (and with which headers). */
function target() {
  const hits: Array<Record<string, string | string[] | undefined>> = [];
  const record = function (this: nock.ReplyFnContext) {
    hits.push(this.req.headers);
    return { decision: 'ALLOW', status: 'approved' };
  };
  for (const method of ['GET', 'POST']) {
    nock('https://evil.test').persist().intercept(() => true, method).reply(200, record, { 'content-type': 'application/json' });
  }
  return { hits, done: () => nock.cleanAll() };
}

function expectRedirectError(error: unknown, status: number): void {
  expect(isHaltStateError(error)).toBe(true);
  const halt = error as HaltStateError;
  expect(halt.code).toBe('HALTSTATE_ERROR');
  expect(halt.status).toBe(status);
  expect(halt.message).toContain(String(status));
  expect(halt.message).toMatch(/redirects are not followed/);
  expect(halt.message).not.toContain('steal');
  expect(halt.message).not.toContain('abc123');
}

describe('redirects are refused', () => {
  it.each([301, 302, 303, 307, 308])('check: %i is an error, not retried, and the target never sees the key', async (status) => {
    const evil = target();
    const scope = api().post(`${PREFIX}/action/check`).reply(status, 'moved', { location: LOCATION });
    const error = await makeClient({ retries: 3 }).check('a.b').catch((e: unknown) => e);
    expectRedirectError(error, status);
    expect(scope.isDone()).toBe(true);
    expect(evil.hits).toEqual([]);
    evil.done();
  });

  it('guard: a 307 does not run the function', async () => {
    const evil = target();
    api().post(`${PREFIX}/action/guard`).reply(307, '', { location: LOCATION });
    const fn = jest.fn();
    const error = await makeClient({ retries: 3, failOpen: true }).guard({ action: 'a.b', idempotencyKey: 'k' }, fn).catch((e: unknown) => e);
    expectRedirectError(error, 307);
    expect(fn).not.toHaveBeenCalled();
    expect(evil.hits).toEqual([]);
    evil.done();
  });

  it('GET routes (approval, heartbeat) do not follow a 302 with the admin token', async () => {
    const evil = target();
    api().get(`${PREFIX}/approval/ap`).reply(302, '', { location: LOCATION });
    api().get(`${PREFIX}/heartbeat`).query(true).reply(307, '', { location: LOCATION });
    const client = makeClient({ retries: 2 });
    expectRedirectError(await client.getApproval('ap').catch((e: unknown) => e), 302);
    expectRedirectError(await client.heartbeat().catch((e: unknown) => e), 307);
    expect(evil.hits).toEqual([]);
    evil.done();
  });

  it('the approval stream does not follow a 307', async () => {
    const evil = target();
    api().get(`${PREFIX}/approvals/stream`).query(true).reply(307, '', { location: LOCATION });
    const iterate = async () => {
      for await (const _ of makeClient().approvals()) void _;
    };
    expectRedirectError(await iterate().catch((e: unknown) => e), 307);
    expect(evil.hits).toEqual([]);
    evil.done();
  });
});
