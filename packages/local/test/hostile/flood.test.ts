// A flood from one key, or from one address without a valid key, meets a 429 that names the limit
// and says when to come back; other keys are not slowed by it.
import { HaltStateClient, HaltStateRateLimitError } from '@haltstate/core';
import { buildServer, type BuiltServer } from '@haltstate/local';
import { RateLimiter } from '../../src/server/rate-limit';
import { POLICY, TENANTS } from '../helpers/server';

const [acme, globex] = TENANTS as [(typeof TENANTS)[0], (typeof TENANTS)[0]];
const heartbeat = (built: BuiltServer, key: string) => built.app.inject({ method: 'GET', url: '/api/sentinel/heartbeat?agent_id=a', headers: { 'x-api-key': key } });

describe('rate limits', () => {
  let built: BuiltServer;
  beforeEach(() => {
    // A clock that stands still: the refill (and so Retry-After) does not depend on how fast the machine runs the test.
    built = buildServer({ policy: POLICY, limits: { requestsPerKey: 5, requestsPerIp: 3, rateWindowMs: 60_000 }, now: () => new Date('2026-12-01T12:00:00Z') });
  });
  afterEach(() => built.app.close());

  it('a key past requestsPerKey gets 429 with Retry-After and a detail naming the limit; another key still gets through', async () => {
    for (let index = 0; index < 5; index++) expect((await heartbeat(built, acme.apiKey)).statusCode).toBe(200);
    const refused = await heartbeat(built, acme.apiKey);
    expect(refused.statusCode).toBe(429);
    // 5 per 60 s refill one every 12 s.
    expect(refused.headers['retry-after']).toBe('12');
    expect(refused.json()).toEqual({ detail: expect.stringMatching(/more than 5 requests per 60 s with this key \(server limit requestsPerKey\); retry after 12 s/) });
    expect((await heartbeat(built, globex.apiKey)).statusCode).toBe(200);
  });

  it('requests without a valid key count per address (requestsPerIp), apart from keyed ones', async () => {
    for (let index = 0; index < 3; index++) expect((await heartbeat(built, `hs_guess_${index}_0000`)).statusCode).toBe(401);
    const refused = await heartbeat(built, 'hs_guess_x_0000');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().detail).toMatch(/from this address without a valid key \(server limit requestsPerIp\)/);
    // Sign-in attempts are keyless too: a code cannot be guessed faster than the address limit.
    expect((await built.app.inject({ method: 'POST', url: '/local/sign-in', payload: { code: 'hs_code_guess' } })).statusCode).toBe(429);
    expect((await heartbeat(built, acme.apiKey)).statusCode).toBe(200);
  });

  it("core's client maps the 429 to HaltStateRateLimitError with the server's Retry-After", async () => {
    await built.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = built.app.server.address() as { port: number };
    const client = new HaltStateClient({ baseUrl: `http://127.0.0.1:${port}`, tenantId: acme.id, apiKey: acme.apiKey, agentId: 'payment-bot-1', retries: 0, onReportError: () => undefined });
    for (let index = 0; index < 5; index++) await client.heartbeat();
    const error = await client.heartbeat().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HaltStateRateLimitError);
    expect((error as HaltStateRateLimitError).retryAfterMs).toBe(12_000);
    await client.close();
  });
});

describe('RateLimiter', () => {
  it('bursts up to the limit, then refills at limit per window', () => {
    const limiter = new RateLimiter(3, 3_000);
    expect([0, 0, 0, 0].map(() => limiter.take('k', 0).ok)).toEqual([true, true, true, false]);
    expect(limiter.take('k', 0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('k', 999).ok).toBe(false);
    expect(limiter.take('k', 1_000).ok).toBe(true);
    expect(limiter.take('other', 1_000).ok).toBe(true);
  });

  it('keeps a bounded number of buckets', () => {
    const limiter = new RateLimiter(2, 1_000, 100);
    for (let index = 0; index < 1_000; index++) limiter.take(`ip:${index}`, index);
    // A caller dropped for room starts full again: the bound costs nothing but that.
    expect(limiter.take('ip:999', 1_000).ok).toBe(true);
  });
});
