// An agent cannot stall the server through the policy: `matches` patterns run on an RE2 engine
// (linear in the string), globs are matched without backtracking, no string longer than
// maxMatchedLength is matched, and a pattern RE2 cannot run is refused when the policy loads.
// No timing is asserted: the old engine would not answer these at all within the test's life
// (2^40 and more steps), and the glob's work is counted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HaltStateClient } from '@haltstate/core';
import { buildServer, createLocalServer, evaluate, globMatches, parsePolicy, type GlobMeter, type LocalServer, type PolicyInput } from '@haltstate/local';
import { testKey } from '@test-support/keys';

const EMAIL = '^([a-zA-Z0-9]+[._-]?)*@example\\.com$';
const tenant = { id: 'acme', apiKey: testKey('redos'), adminKey: testKey('redos-admin') };
const POLICY: PolicyInput = {
  version: 1,
  default: 'DENY',
  tenants: [tenant],
  rules: [
    { id: 'no-deletes', match: { action: '*.*.*.*.delete' }, decision: 'DENY' },
    { id: 'company-mail', match: { action: 'email.send' }, when: { 'params.to': { matches: EMAIL } }, decision: 'ALLOW' },
    { id: 'reads', match: { action: 'read.*' }, decision: 'ALLOW' },
  ],
};

describe('policy matching is linear in the input', () => {
  let server: LocalServer;
  let client: HaltStateClient;
  beforeAll(async () => {
    server = await createLocalServer({ policy: POLICY });
    client = new HaltStateClient({ baseUrl: server.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'mailer', retries: 0 });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('the catastrophic email pattern (40 a’s and a "!", a 100-byte request) answers, and so does a heartbeat sent meanwhile', async () => {
    const evil = client.check({ action: 'email.send', params: { to: `${'a'.repeat(40)}!` } });
    const heartbeat = client.heartbeat();
    const [decision, status] = await Promise.all([evil, heartbeat]);
    expect(decision).toMatchObject({ decision: 'DENY', policyId: null });
    expect(status).toBe('OK');
    // 4 000 a's too: RE2 does not care about the pattern's nesting.
    expect(await client.check({ action: 'email.send', params: { to: `${'a'.repeat(4000)}!` } })).toMatchObject({ decision: 'DENY', policyId: null });
    expect(await client.check({ action: 'email.send', params: { to: 'ada.lovelace@example.com' } })).toMatchObject({ decision: 'ALLOW', policyId: 'company-mail' });
  });

  it('a 510-character action against *.*.*.*.delete answers', async () => {
    expect(await client.check({ action: 'a.'.repeat(255), params: {} })).toMatchObject({ decision: 'DENY', policyId: null });
    expect(await client.check({ action: `${'a.'.repeat(252)}delete`, params: {} })).toMatchObject({ decision: 'DENY', policyId: 'no-deletes' });
  });

  it('an action or agent id longer than maxMatchedLength is refused (422) rather than slipping past a glob', async () => {
    const small = await createLocalServer({ policy: POLICY, limits: { maxMatchedLength: 64 } });
    try {
      const post = (body: object) => fetch(`${small.url}/api/sentinel/action/check`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey }, body: JSON.stringify(body) });
      const long = await post({ agent_id: 'a', action: `${'x'.repeat(70)}.delete`, params: {} });
      expect(long.status).toBe(422);
      expect(((await long.json()) as { detail: string }).detail).toBe('action is 77 characters; the server matches policies on at most 64 (server limit maxMatchedLength)');
      expect((await post({ agent_id: 'b'.repeat(65), action: 'read.x', params: {} })).status).toBe(422);
      expect((await post({ agent_id: 'a', action: 'read.x', params: {} })).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('globMatches', () => {
  it('places each piece once: a 510-character action costs at most length × glob length comparisons', () => {
    const glob = '*.*.*.*.delete';
    for (const text of ['a.'.repeat(255), `${'a.'.repeat(253)}delete`, '.'.repeat(510), `${'.'.repeat(509)}x`]) {
      const meter: GlobMeter = { steps: 0 };
      globMatches(glob, text, meter);
      expect(meter.steps).toBeLessThanOrEqual(text.length * glob.length);
    }
  });

  it.each([
    ['payment.*', 'payment.refund', true],
    ['payment.*', 'payment.', true],
    ['payment.*', 'payments.x', false],
    ['*', '', true],
    ['*.delete', 'a.b.delete', true],
    ['*.delete', 'delete', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'acb', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*?', '', false],
    ['*a*a*', 'aa', true],
    ['*a*a*', 'a', false],
    ['payment-bot*', 'payment-bot-1', true],
    ['x.y', 'x.y', true],
    ['x.y', 'xzy', false],
    ['ab*ab', 'ab', false],
    ['ab*ab', 'abab', true],
  ])('%s against %s: %s', (glob, text, expected) => {
    expect(globMatches(glob, text)).toBe(expected);
  });

  it('agrees with a reference matcher on every short glob and text over a small alphabet', () => {
    // A memoized reference (what a glob means), compared on all globs and texts up to a length.
    const reference = (glob: string, text: string): boolean => {
      const memo = new Map<string, boolean>();
      const go = (i: number, j: number): boolean => {
        const slot = `${i},${j}`;
        if (memo.has(slot)) return memo.get(slot)!;
        let result: boolean;
        if (i === glob.length) result = j === text.length;
        else if (glob[i] === '*') result = go(i + 1, j) || (j < text.length && go(i, j + 1));
        else result = j < text.length && (glob[i] === '?' || glob[i] === text[j]) && go(i + 1, j + 1);
        memo.set(slot, result);
        return result;
      };
      return go(0, 0);
    };
    const words = (alphabet: string, max: number): string[] => {
      const out = [''];
      for (let length = 1, frontier = ['']; length <= max; length++) {
        frontier = frontier.flatMap((prefix) => [...alphabet].map((char) => prefix + char));
        out.push(...frontier);
      }
      return out;
    };
    const globs = words('a*?', 4);
    const texts = words('ab', 4);
    for (const glob of globs) for (const text of texts) expect([glob, text, globMatches(glob, text)]).toEqual([glob, text, reference(glob, text)]);
  });
});

describe('evaluate and the policy loader', () => {
  it('a string longer than maxMatchedLength never matches a pattern or a glob', () => {
    const policy = parsePolicy({ rules: [{ id: 'a', match: { action: 'read.*' }, decision: 'ALLOW' }, { id: 'b', when: { 'params.to': { matches: '^x' } }, decision: 'ALLOW' }] });
    expect(evaluate(policy, { agentId: 'a', action: `read.${'x'.repeat(20)}`, params: {} }, { maxMatchedLength: 10 })).toMatchObject({ decision: 'DENY', policyId: null });
    expect(evaluate(policy, { agentId: 'a', action: 'read.x', params: {} }, { maxMatchedLength: 10 })).toMatchObject({ policyId: 'a' });
    expect(evaluate(policy, { agentId: 'a', action: 'q', params: { to: 'x'.repeat(11) } }, { maxMatchedLength: 10 })).toMatchObject({ decision: 'DENY', policyId: 'b', reason: 'params.to is longer than 10 characters, which the policy\'s patterns do not read (server limit maxMatchedLength)' });
    expect(evaluate(policy, { agentId: 'a', action: 'q', params: { to: 'x'.repeat(10) } }, { maxMatchedLength: 10 })).toMatchObject({ policyId: 'b' });
  });

  it('a param too long for a DENY rule\'s pattern is denied, never passed on to a broader rule that allows', () => {
    const policy = parsePolicy({
      rules: [
        { id: 'no-drops', match: { action: 'db.*' }, when: { 'params.sql': { matches: 'DROP TABLE' } }, decision: 'DENY' },
        { id: 'db', match: { action: 'db.*' }, decision: 'ALLOW' },
      ],
    });
    const padded = { agentId: 'a', action: 'db.query', params: { sql: `DROP TABLE users;${' '.repeat(5000)}` } };
    expect(evaluate(policy, padded)).toMatchObject({ decision: 'DENY', policyId: 'no-drops', reason: expect.stringMatching(/^params\.sql is longer than 4096 characters/) });
    expect(evaluate(policy, { ...padded, params: { sql: 'SELECT 1' } })).toMatchObject({ decision: 'ALLOW', policyId: 'db' });
  });

  it.each([
    ['a backreference', '(a+)\\1'],
    ['a lookahead', '^(?=.*admin)'],
    ['a lookbehind', '(?<=x)y'],
  ])('refuses %s at load, naming the rule', (_, pattern) => {
    expect(() => parsePolicy({ rules: [{ id: 'r', decision: 'ALLOW' }, { id: 'mail', when: { 'params.to': { matches: pattern } }, decision: 'ALLOW' }] }, 'policy.yaml')).toThrow(
      /^policy\.yaml: rules\[1\]\.when\.params\.to\.matches: is not a valid RE2 regular expression \(.+\); policies match in linear time, so backreferences and lookaround are not supported$/,
    );
  });
});

describe('evaluation and the database lock', () => {
  it('the policy is evaluated while no write transaction is open: another connection can take the write lock meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haltstate-eval-lock-'));
    const file = join(dir, 'lock.db');
    const policy = parsePolicy(POLICY);
    const rules = policy.rules;
    const probe = { db: undefined as Database.Database | undefined, evaluations: 0, locked: 0 };
    // Every evaluation reads policy.rules: at that moment, try the write lock from outside.
    Object.defineProperty(policy, 'rules', {
      get() {
        if (probe.db) {
          probe.evaluations++;
          try {
            probe.db.exec('BEGIN IMMEDIATE');
            probe.db.exec('ROLLBACK');
          } catch (error) {
            if ((error as { code?: string }).code === 'SQLITE_BUSY') probe.locked++;
            else throw error;
          }
        }
        return rules;
      },
    });
    const built = buildServer({ policy, db: file });
    probe.db = new Database(file);
    probe.db.pragma('busy_timeout = 0');
    try {
      const headers = { 'x-api-key': tenant.apiKey };
      const check = await built.app.inject({ method: 'POST', url: '/api/sentinel/action/check', headers: { ...headers, 'x-request-id': 'lock-1' }, payload: { agent_id: 'a', action: 'read.x' } });
      expect(check.json()).toMatchObject({ decision: 'ALLOW' });
      const guard = await built.app.inject({ method: 'POST', url: '/api/sentinel/action/guard', headers, payload: { agent_id: 'a', action: 'read.x', params: {}, idempotency_key: 'lock-2', tenant_id: 'acme' } });
      expect(guard.json()).toMatchObject({ status: 'allowed' });
      expect(probe.evaluations).toBeGreaterThanOrEqual(2);
      expect(probe.locked).toBe(0);
    } finally {
      probe.db.close();
      await built.app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
