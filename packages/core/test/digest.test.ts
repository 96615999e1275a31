// The keyed params digest: derived idempotency keys and redaction tags are HMACs under a secret
// derived from the API key, so a short secret in params (a PIN, a CVV) cannot be recovered from
// what the server stores, while two calls that differ only in a secret still differ on the wire.
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { canonicalJson, deriveIdempotencyKey, HaltStateValidationError, resolveOptions, type JsonObject } from '@haltstate/core';
import { testKey } from '@test-support/keys';
import nock from 'nock';
import { api, BASE_URL, json, KEY, makeClient, PREFIX, setupNock, TENANT } from './helpers/api';

setupNock();

const TAG = /^\[REDACTED:[0-9a-f]{12}\]$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** How 0.1 derived a key: a plain SHA-256 over the unredacted call. */
const oldKey = (params: JsonObject) => `hs_auto_${sha256(canonicalJson([TENANT, 'bot-1', 'atm.withdraw', params])).slice(0, 40)}`;
const pins = Array.from({ length: 10_000 }, (_, n) => String(n).padStart(4, '0'));

/** Captures the body of every request to `route` (answering `answer`). */
function capture(route: string, answer: object, times = 1, anyKey = false): Array<Record<string, unknown>> {
  const bodies: Array<Record<string, unknown>> = [];
  (anyKey ? nock(BASE_URL) : api()).post(`${PREFIX}${route}`).times(times).reply(200, (_uri, body) => (bodies.push(body as Record<string, unknown>), answer), json);
  return bodies;
}

describe('derived idempotency keys', () => {
  it('the old format gave a 4-digit PIN away to anyone holding the key and the other params', () => {
    const leaked = oldKey({ amount: 200, pin: '4821' });
    expect(pins.filter((pin) => oldKey({ amount: 200, pin }) === leaked)).toEqual(['4821']);
  });

  it('the key guard sends matches no unkeyed candidate: all 10 000 PINs, plain SHA-256 or the old format', async () => {
    const bodies = capture('/action/guard', { status: 'pending', approval_id: 'apr' });
    const client = makeClient({ redact: ['pin'] });
    await client.guard({ action: 'atm.withdraw', params: { amount: 200, pin: '4821' } }, jest.fn()).catch(() => undefined);
    const sent = bodies[0]!;
    const key = sent.idempotency_key as string;
    expect(key).toMatch(/^hs_auto_[0-9a-f]{40}$/);
    expect(JSON.stringify(sent)).not.toContain('4821');
    const hex = key.slice('hs_auto_'.length);
    const tag = (sent.params as { pin: string }).pin;
    expect(tag).toMatch(TAG);
    const tagHex = tag.slice('[REDACTED:'.length, -1);
    const matches: string[] = [];
    for (const pin of pins) {
      const params = { amount: 200, pin };
      const candidates = [oldKey(params).slice(8), sha256(canonicalJson([TENANT, 'bot-1', 'atm.withdraw', params])), sha256(canonicalJson(params)), sha256(pin), sha256(canonicalJson([['pin'], pin]))];
      for (const candidate of candidates) if (candidate.startsWith(hex) || candidate.startsWith(tagHex)) matches.push(pin);
    }
    expect(matches).toEqual([]);
    // Without the API key nothing matches; with it (the client's own secret) the key is recomputed.
    expect(pins.filter((pin) => deriveIdempotencyKey({ secret: KEY, tenantId: TENANT, agentId: 'bot-1', action: 'atm.withdraw', params: { amount: 200, pin } }) === key)).toEqual(['4821']);
    expect(pins.filter((pin) => deriveIdempotencyKey({ secret: testKey('other'), tenantId: TENANT, agentId: 'bot-1', action: 'atm.withdraw', params: { amount: 200, pin } }) === key)).toEqual([]);
  });

  it('client.idempotencyKey() is the key guard derives, deterministic whatever the key order', async () => {
    const client = makeClient();
    const key = client.idempotencyKey({ action: 'payment.process', params: { amount: 5, to: 'x' } });
    expect(client.idempotencyKey({ action: 'payment.process', params: { to: 'x', amount: 5 } })).toBe(key);
    expect(client.idempotencyKey({ action: 'payment.process', agentId: 'bot-1', params: { amount: 5, to: 'x' } })).toBe(key);
    for (const other of [
      client.idempotencyKey({ action: 'payment.process', agentId: 'bot-2', params: { amount: 5, to: 'x' } }),
      client.idempotencyKey({ action: 'payment.refund', params: { amount: 5, to: 'x' } }),
      client.idempotencyKey({ action: 'payment.process', params: { amount: 6, to: 'x' } }),
      makeClient({ tenantId: 'other' }).idempotencyKey({ action: 'payment.process', params: { amount: 5, to: 'x' } }),
    ]) expect(other).not.toBe(key);
    const bodies = capture('/action/guard', { status: 'denied' });
    await client.guard({ action: 'payment.process', params: { to: 'x', amount: 5 } }, jest.fn()).catch(() => undefined);
    expect(bodies[0]!.idempotency_key).toBe(key);
    expect(() => client.idempotencyKey({ action: '' })).toThrow(HaltStateValidationError);
  });

  it('deriveIdempotencyKey needs the secret: the old (tenant, agent, action, params) call is a clear error', () => {
    const old = deriveIdempotencyKey as unknown as (...args: unknown[]) => string;
    expect(() => old(TENANT, 'bot-1', 'a.b', {})).toThrow(/deriveIdempotencyKey takes \{ secret, tenantId, agentId, action, params \}.*client\.idempotencyKey/);
    expect(() => deriveIdempotencyKey({ secret: '', tenantId: TENANT, agentId: 'bot-1', action: 'a.b', params: {} })).toThrow(HaltStateValidationError);
  });
});

describe('redaction tags', () => {
  it('two calls that differ only in a secret send different params; the same secret, the same tag', async () => {
    const bodies = capture('/action/check', { decision: 'ALLOW' }, 3);
    const client = makeClient();
    for (const token of ['tok_live_AAAA', 'tok_live_BBBB', 'tok_live_AAAA']) await client.check('card.charge', { params: { amount: 5, card: { token } } });
    const tags = bodies.map((body) => (body.params as { card: { token: string } }).card.token);
    for (const tag of tags) expect(tag).toMatch(TAG);
    expect(tags[0]).not.toBe(tags[1]);
    expect(tags[2]).toBe(tags[0]);
    expect(JSON.stringify(bodies)).not.toMatch(/tok_live/);
  });

  it('a tag depends on where the value is and on the API key', async () => {
    const bodies = capture('/action/check', { decision: 'ALLOW' }, 2, true);
    await makeClient().check('a.b', { params: { password: 'hunter2', nested: { password: 'hunter2' } } });
    await makeClient({ apiKey: testKey('another') }).check('a.b', { params: { password: 'hunter2', nested: { password: 'hunter2' } } });
    const [mine, theirs] = bodies.map((body) => body.params as { password: string; nested: { password: string } });
    expect(mine!.password).not.toBe(mine!.nested.password);
    expect(theirs!.password).not.toBe(mine!.password);
  });

  it('the raw secret is in no request body: check, guard (params, metadata), reports', async () => {
    const secret = 'cvv-982-SECRET';
    const all: Array<Record<string, unknown>> = [];
    for (const route of ['/action/check', '/action/report', '/action/guard/report']) {
      api().post(`${PREFIX}${route}`).reply(200, (_uri, body) => (all.push(body as Record<string, unknown>), { decision: 'ALLOW' }), json);
    }
    api().post(`${PREFIX}/action/guard`).reply(200, (_uri, body) => (all.push(body as Record<string, unknown>), { status: 'allowed' }), json);
    const client = makeClient();
    await client.execute({ action: 'card.charge', params: { cvv: secret } }, () => ({ cvv: secret }));
    await client.guard({ action: 'card.charge', params: { cvv: secret }, metadata: { cvv: secret } }, () => 'ok');
    await client.flush();
    expect(all).toHaveLength(4);
    expect(JSON.stringify(all)).not.toContain(secret);
    const guard = all.find((body) => 'idempotency_key' in body)!;
    expect((guard.params as { cvv: string }).cvv).toMatch(TAG);
    // Metadata and results are not compared by the server: they keep the plain marker.
    expect(guard.metadata).toEqual({ cvv: '[REDACTED]' });
  });
});

describe('digestSecret (pins the digest across API keys)', () => {
  const digestSecret = testKey('digest-secret-32-characters-long');

  it('with the same digestSecret, clients with different API keys derive the same keys and tags', async () => {
    const bodies = capture('/action/guard', { status: 'denied' }, 2, true);
    for (const apiKey of [KEY, testKey('rotated')]) {
      await makeClient({ apiKey, digestSecret }).guard({ action: 'a.b', params: { token: 't-1' } }, jest.fn()).catch(() => undefined);
    }
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[0]!.idempotency_key).not.toBe(makeClient().idempotencyKey({ action: 'a.b', params: { token: 't-1' } }));
    expect(deriveIdempotencyKey({ secret: digestSecret, tenantId: TENANT, agentId: 'bot-1', action: 'a.b', params: { token: 't-1' } })).toBe(bodies[0]!.idempotency_key);
  });

  it('is read from HALTSTATE_DIGEST_SECRET, must be at least 32 characters, and is never shown', () => {
    const env = { HALTSTATE_TENANT_ID: 't', HALTSTATE_API_KEY: KEY, HALTSTATE_DIGEST_SECRET: digestSecret };
    expect(resolveOptions({}, env).digestSecret).toBe(digestSecret);
    const short = 'short-SECRET-do-not-leak';
    let error: unknown;
    try {
      resolveOptions({ tenantId: 't', apiKey: KEY, digestSecret: short }, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: 'HaltStateValidationError', path: 'digestSecret', message: expect.stringContaining('at least 32 characters') });
    expect((error as Error).message).not.toContain(short);
    const client = makeClient({ digestSecret });
    for (const text of [inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client), String(client)]) expect(text).not.toContain(digestSecret);
  });
});
