import { canonicalJson, deriveIdempotencyKey, REDACTED, REDACTED_TAG } from '@haltstate/core';
import { toJson } from '../src/json';
import { redact } from '../src/redaction';
import { api, json, makeClient, PREFIX, setupNock } from './helpers/api';

setupNock();

describe('params hygiene', () => {
  it('turns Dates into ISO strings and drops undefined like JSON', () => {
    expect(toJson({ at: new Date('2026-01-02T03:04:05Z'), gone: undefined, list: [undefined, 1] }, 'params')).toEqual({ at: '2026-01-02T03:04:05.000Z', list: [null, 1] });
  });

  it('keeps __proto__ an ordinary key instead of polluting prototypes', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const out = toJson(input, 'params') as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });

  it('redacts the default keys at any depth, case- and separator-insensitively', () => {
    const out = redact(
      { password: 'p', nested: { API_KEY: 'k', apiKey: 'k2', 'card-number': '4242', cvv: '123', Authorization: 'Bearer x', refresh_token: 't' }, list: [{ secret: 's' }], amount: 5, company: 'acme', pan: '4111' },
      undefined,
    );
    expect(out).toEqual({
      password: REDACTED,
      nested: { API_KEY: REDACTED, apiKey: REDACTED, 'card-number': REDACTED, cvv: REDACTED, Authorization: REDACTED, refresh_token: REDACTED },
      list: [{ secret: REDACTED }],
      amount: 5,
      company: 'acme',
      pan: REDACTED,
    });
  });

  it('adds key names, applies a function after the defaults, or turns redaction off', () => {
    expect(redact({ ssn: '1', password: 'p' }, ['SSN'])).toEqual({ ssn: REDACTED, password: REDACTED });
    expect(redact({ email: 'a@b.c', password: 'p' }, (params) => ({ ...params, email: 'hidden' }))).toEqual({ email: 'hidden', password: REDACTED });
    expect(redact({ password: 'p' }, false)).toEqual({ password: 'p' });
  });

  it('sends redacted params on the wire as keyed tags', async () => {
    api()
      .post(`${PREFIX}/action/check`, (body) => body.params.user === 'bob' && REDACTED_TAG.test(body.params.password) && REDACTED_TAG.test(body.params.ssn) && !JSON.stringify(body).includes('hunter2') && !JSON.stringify(body).includes('078-05'))
      .reply(200, { decision: 'ALLOW' }, json);
    await makeClient({ redact: ['ssn'] }).check('user.create', { params: { user: 'bob', password: 'hunter2', ssn: '078-05-1120' } });
  });

  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });

  it('derives the same idempotency key for the same call, whatever the key order', () => {
    const derive = (tenantId: string, agentId: string, action: string, params: Record<string, unknown>) => deriveIdempotencyKey({ secret: 'the-api-key', tenantId, agentId, action, params });
    const a = derive('acme', 'bot', 'payment.process', { amount: 5, to: 'x' });
    expect(derive('acme', 'bot', 'payment.process', { to: 'x', amount: 5 })).toBe(a);
    expect(a).toMatch(/^hs_auto_[0-9a-f]{40}$/);
    for (const other of [
      derive('other', 'bot', 'payment.process', { amount: 5, to: 'x' }),
      derive('acme', 'bot2', 'payment.process', { amount: 5, to: 'x' }),
      derive('acme', 'bot', 'payment.refund', { amount: 5, to: 'x' }),
      derive('acme', 'bot', 'payment.process', { amount: 6, to: 'x' }),
      deriveIdempotencyKey({ secret: 'another-api-key', tenantId: 'acme', agentId: 'bot', action: 'payment.process', params: { amount: 5, to: 'x' } }),
    ]) expect(other).not.toBe(a);
  });

  it('redact() replaces with the plain marker unless given a replacement, which sees the path', () => {
    expect(redact({ a: { token: 't' } }, undefined)).toEqual({ a: { token: REDACTED } });
    const seen: unknown[] = [];
    const out = redact({ list: [{ secret: 's' }], cvv: 123 }, undefined, (path, value) => (seen.push([[...path], value]), 'X'));
    expect(out).toEqual({ list: [{ secret: 'X' }], cvv: 'X' });
    expect(seen).toEqual([[['list', 0, 'secret'], 's'], [['cvv'], 123]]);
  });
});
