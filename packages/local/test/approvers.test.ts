// Approvers are people (issue 19): their own keys, a trusted proxy's header, the recorded
// approver is who authenticated, no self-approval where forbidden, signed page sessions.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, createLocalServer, parsePolicy, PolicyFileError, readApproversFile, type ApproverOptions, type BuiltServer, type PolicyInput } from '@haltstate/local';
import { TEST_SECRET_MARKER, testKey } from '@test-support/keys';
import { main, type CliIo } from '../src/cli/index';

const sha256 = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const KEYS = { alice: testKey('alice-approver'), bob: testKey('bob-approver'), gina: testKey('gina-approver') };
const ACME = { id: 'acme', apiKey: testKey('acme'), adminKey: testKey('acme-admin'), approvers: [{ id: 'alice', keySha256: sha256(KEYS.alice), agents: 'alice-*' }, { id: 'bob', keySha256: sha256(KEYS.bob) }] };
const GLOBEX = { id: 'globex', apiKey: testKey('globex'), adminKey: testKey('globex-admin'), forbidSelfApproval: true, approvers: [{ id: 'gina', keySha256: sha256(KEYS.gina), agents: 'gina-bot' }] };
const POLICY: PolicyInput = {
  version: 1,
  default: 'APPROVAL_REQUIRED',
  tenants: [ACME, GLOBEX],
  rules: [
    { id: 'payments', match: { action: 'payment.*' }, decision: 'APPROVAL_REQUIRED', selfApproval: false },
    { id: 'reviews', match: { action: 'review.*' }, decision: 'APPROVAL_REQUIRED' },
    { id: 'refunds', match: { action: 'refund.*' }, decision: 'APPROVAL_REQUIRED', selfApproval: true },
  ],
};
const SECRET = 'a-session-secret-of-at-least-32-bytes!!';
const APPROVER_MODE: ApproverOptions = { required: true, sessionSecret: SECRET, trustedProxy: { header: 'x-forwarded-user', from: ['10.0.0.5'] } };
const ALL_KEYS = [...Object.values(KEYS), ACME.apiKey, ACME.adminKey, GLOBEX.apiKey, GLOBEX.adminKey];

type Headers = Record<string, string>;
const as = (key: string, tenant = 'acme'): Headers => ({ 'x-tenant-id': tenant, authorization: `Bearer ${key}` });
const inject = (built: BuiltServer, method: 'GET' | 'POST' | 'PUT', url: string, headers: Headers, payload?: unknown, remoteAddress?: string) =>
  built.app.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }), ...(remoteAddress ? { remoteAddress } : {}) });

/** A pending approval of `agentId` for `action`, made by the tenant's agent key. */
async function pending(built: BuiltServer, action: string, agentId: string, tenant = ACME): Promise<string> {
  const response = await inject(built, 'POST', '/api/sentinel/action/check', { 'x-tenant-id': tenant.id, 'x-api-key': tenant.apiKey }, { agent_id: agentId, action, params: {} });
  expect(response.json()).toMatchObject({ decision: 'APPROVAL_REQUIRED' });
  return response.json<{ approval_id: string }>().approval_id;
}

const details: string[] = [];
/** A refusal: its status, and its detail kept to prove no key is ever in one. */
async function refused(response: Promise<{ statusCode: number; json: <T>() => T; body: string }>, status: number): Promise<string> {
  const answer = await response;
  expect(answer.statusCode).toBe(status);
  details.push(answer.body);
  return answer.json<{ detail: string }>().detail;
}

let built: BuiltServer;
let logLines: string[];
beforeAll(() => {
  built = buildServer({ policy: POLICY, approvers: APPROVER_MODE, logger: true });
  // Fastify's pino writes to its stream: every log line of this server passes here.
  const stream = (built.app.log as unknown as Record<symbol, { write: (line: string) => void }>)[Object.getOwnPropertySymbols(built.app.log).find((symbol) => symbol.description === 'pino.stream')!]!;
  logLines = [];
  jest.spyOn(stream, 'write').mockImplementation((line: string) => void logLines.push(String(line)));
});
afterAll(() => built.app.close());

describe('deciding in approver mode (required)', () => {
  it("an approver's own key decides; the approval and the audit trail record that approver", async () => {
    const id = await pending(built, 'payment.process', 'payment-bot');
    const response = await inject(built, 'POST', `/local/approvals/${id}/approve`, as(KEYS.bob), { reason: 'fine' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ approval_id: id, status: 'approved', approver: 'bob' });
    const audit = (await inject(built, 'GET', '/local/audit', as(ACME.adminKey))).json<Array<{ kind: string; approvalId: string; approver: string | null }>>();
    expect(audit.find((entry) => entry.kind === 'approval_decided' && entry.approvalId === id)).toMatchObject({ approver: 'bob' });
    // X-Approver-Key works as well as the bearer.
    const other = await pending(built, 'payment.process', 'payment-bot');
    expect((await inject(built, 'POST', `/local/approvals/${other}/reject`, { 'x-tenant-id': 'acme', 'x-approver-key': KEYS.bob }, { reason: 'no' })).json()).toMatchObject({ status: 'rejected', approver: 'bob' });
  });

  it("refuses to decide with the tenant's admin key (403 naming the approver's own key); the admin key still reads and sets agent status", async () => {
    const id = await pending(built, 'payment.process', 'payment-bot');
    const detail = await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, as(ACME.adminKey), { approver: 'bob' }), 403);
    expect(detail).toMatch(/approver's own key/);
    expect((await inject(built, 'GET', `/local/approvals?status=pending`, as(ACME.adminKey))).json<{ approvals: Array<{ approval_id: string }> }>().approvals.map((approval) => approval.approval_id)).toContain(id);
    expect((await inject(built, 'GET', '/local/audit', as(ACME.adminKey))).statusCode).toBe(200);
    expect((await inject(built, 'PUT', '/local/agents/payment-bot/status', as(ACME.adminKey), { status: 'PAUSE' })).json()).toEqual({ agent_id: 'payment-bot', status: 'PAUSE' });
    // The sign-in token of the run is an admin credential: it reads, it does not decide.
    expect((await inject(built, 'POST', `/local/approvals/${id}/approve`, as(built.signInToken('acme')), {})).statusCode).toBe(403);
    expect((await inject(built, 'GET', `/local/approvals/${id}`.replace('/local/approvals/', '/api/sentinel/approval/'), { 'x-tenant-id': 'acme', 'x-api-key': ACME.apiKey })).json()).toMatchObject({ status: 'pending' });
  });

  it("a body approver naming someone else is a 403; naming oneself, or omitting it, is fine", async () => {
    const id = await pending(built, 'payment.process', 'payment-bot');
    expect(await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, as(KEYS.bob), { approver: 'alice' }), 403)).toMatch(/signed in as approver "bob"/);
    expect((await inject(built, 'POST', `/local/approvals/${id}/approve`, as(KEYS.bob), { approver: 'bob' })).json()).toMatchObject({ status: 'approved', approver: 'bob' });
  });

  it('an agent key never decides (403), and an approver key is no agent key (401 on the agent routes)', async () => {
    const id = await pending(built, 'payment.process', 'payment-bot');
    await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, { 'x-tenant-id': 'acme', 'x-api-key': ACME.apiKey }, {}), 403);
    await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, as(ACME.apiKey), { approver: 'bob' }), 403);
    await refused(inject(built, 'POST', '/api/sentinel/action/check', as(KEYS.bob), { action: 'read.x' }), 401);
    // Another tenant's approver, or a wrong key, is not authenticated here.
    await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, as(KEYS.gina), {}), 401);
    await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, as(testKey('nobody-approver')), {}), 401);
  });
});

describe('a trusted proxy', () => {
  const proxied = (user: string, tenant = 'acme'): Headers => ({ 'x-tenant-id': tenant, 'x-forwarded-user': user });

  it('names the approver only from a trusted peer', async () => {
    const id = await pending(built, 'payment.process', 'payment-bot');
    // Spoofed: the same header from any other peer gets nothing.
    await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, proxied('bob'), {}, '10.0.0.6'), 401);
    await refused(inject(built, 'GET', '/local/whoami', proxied('bob'), undefined, '203.0.113.9'), 401);
    // An approver not declared for the tenant, or no tenant, is nobody.
    await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, proxied('mallory'), {}, '10.0.0.5'), 401);
    await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, { 'x-forwarded-user': 'bob' }, {}, '10.0.0.5'), 401);
    // The proxy's user is no agent.
    await refused(inject(built, 'POST', '/api/sentinel/action/check', proxied('bob'), { action: 'read.x' }, '10.0.0.5'), 401);
    expect((await inject(built, 'GET', '/local/whoami', proxied('bob'), undefined, '::ffff:10.0.0.5')).json()).toEqual({ tenant_id: 'acme', approver_id: 'bob' });
    const decided = await inject(built, 'POST', `/local/approvals/${id}/approve`, proxied('bob'), {}, '10.0.0.5');
    expect(decided.json()).toMatchObject({ status: 'approved', approver: 'bob' });
  });

  it('a key wins over the header: an admin key behind the proxy still cannot decide', async () => {
    const id = await pending(built, 'payment.process', 'payment-bot');
    await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, { ...as(ACME.adminKey), 'x-forwarded-user': 'bob' }, { approver: 'bob' }, '10.0.0.5'), 403);
  });

  it('is ignored entirely when no trusted proxy is configured', async () => {
    const plain = buildServer({ policy: POLICY, approvers: { required: true, sessionSecret: SECRET } });
    try {
      const id = await pending(plain, 'payment.process', 'payment-bot');
      await refused(inject(plain, 'POST', `/local/approvals/${id}/approve`, proxied('bob'), {}, '10.0.0.5'), 401);
      await refused(inject(plain, 'POST', `/local/approvals/${id}/approve`, proxied('bob'), {}, '127.0.0.1'), 401);
    } finally {
      await plain.app.close();
    }
  });
});

describe('self-approval', () => {
  it('is refused when the rule says selfApproval: false (403 naming the rule); another approver may decide', async () => {
    const id = await pending(built, 'payment.process', 'alice-bot');
    const detail = await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, as(KEYS.alice), {}), 403);
    expect(detail).toMatch(/rule "payments"/);
    expect((await inject(built, 'POST', `/local/approvals/${id}/reject`, as(KEYS.alice), { reason: 'mine' })).statusCode).toBe(403);
    expect((await inject(built, 'POST', `/local/approvals/${id}/approve`, as(KEYS.bob), {})).json()).toMatchObject({ status: 'approved', approver: 'bob' });
  });

  it("is allowed where neither the rule nor the tenant forbids it, and for an agent that is not the approver's", async () => {
    const own = await pending(built, 'review.post', 'alice-bot');
    expect((await inject(built, 'POST', `/local/approvals/${own}/approve`, as(KEYS.alice), {})).json()).toMatchObject({ status: 'approved', approver: 'alice' });
    const theirs = await pending(built, 'payment.process', 'payment-bot');
    expect((await inject(built, 'POST', `/local/approvals/${theirs}/approve`, as(KEYS.alice), {})).json()).toMatchObject({ status: 'approved', approver: 'alice' });
  });

  it('is refused tenant-wide by forbidSelfApproval, also when no rule can be found (the default); a rule with selfApproval: true wins', async () => {
    const byRule = await pending(built, 'review.post', 'gina-bot', GLOBEX);
    expect(await refused(inject(built, 'POST', `/local/approvals/${byRule}/approve`, as(KEYS.gina, 'globex'), {}), 403)).toMatch(/tenant "globex" \(forbidSelfApproval: true, for rule "reviews"\)/);
    const byDefault = await pending(built, 'other.thing', 'gina-bot', GLOBEX);
    expect(await refused(inject(built, 'POST', `/local/approvals/${byDefault}/approve`, as(KEYS.gina, 'globex'), {}), 403)).toMatch(/tenant "globex"/);
    const allowed = await pending(built, 'refund.issue', 'gina-bot', GLOBEX);
    expect((await inject(built, 'POST', `/local/approvals/${allowed}/approve`, as(KEYS.gina, 'globex'), {})).json()).toMatchObject({ status: 'approved', approver: 'gina' });
    // In acme (no tenant-wide setting) the default's approval is alice's to decide.
    const acmeDefault = await pending(built, 'other.thing', 'alice-bot');
    expect((await inject(built, 'POST', `/local/approvals/${acmeDefault}/approve`, as(KEYS.alice), {})).statusCode).toBe(200);
  });
});

describe('page sessions', () => {
  const signIn = (server: BuiltServer, body: object) => inject(server, 'POST', '/local/sign-in', {}, body);

  it("an approver key signs in to a signed session that decides as that approver, on any instance with the same secret, and on no other", async () => {
    const answer = await signIn(built, { tenant_id: 'acme', approver_key: KEYS.bob });
    expect(answer.json()).toEqual({ tenant_id: 'acme', approver_id: 'bob', token: expect.stringMatching(/^hs_session\.[\w-]+\.[\w-]+$/) });
    const token = answer.json<{ token: string }>().token;
    const second = buildServer({ policy: POLICY, approvers: { required: true, sessionSecret: SECRET } });
    const other = buildServer({ policy: POLICY, approvers: { required: true, sessionSecret: `${SECRET}-another` } });
    try {
      expect((await inject(second, 'GET', '/local/whoami', as(token))).json()).toEqual({ tenant_id: 'acme', approver_id: 'bob' });
      const id = await pending(second, 'payment.process', 'payment-bot');
      expect((await inject(second, 'POST', `/local/approvals/${id}/approve`, as(token), {})).json()).toMatchObject({ status: 'approved', approver: 'bob' });
      await refused(inject(other, 'GET', '/local/whoami', as(token)), 401);
      // A token with its claims changed (another approver) fails the signature.
      const [head, claims, signature] = token.split('.');
      const forged = `${head}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims!, 'base64url').toString()), a: 'alice' })).toString('base64url')}.${signature}`;
      await refused(inject(second, 'GET', '/local/whoami', as(forged)), 401);
    } finally {
      await Promise.all([second.app.close(), other.app.close()]);
    }
  });

  it('refuses a wrong approver key or tenant, and an admin-key session reads but does not decide', async () => {
    await refused(signIn(built, { tenant_id: 'globex', approver_key: KEYS.bob }), 401);
    await refused(signIn(built, { tenant_id: 'acme', approver_key: testKey('wrong-approver') }), 401);
    const admin = (await signIn(built, { tenant_id: 'acme', admin_key: ACME.adminKey })).json<{ token: string; approver_id?: string }>();
    expect(admin.approver_id).toBeUndefined();
    const id = await pending(built, 'payment.process', 'payment-bot');
    expect((await inject(built, 'GET', '/local/approvals', as(admin.token))).statusCode).toBe(200);
    await refused(inject(built, 'POST', `/local/approvals/${id}/approve`, as(admin.token), { approver: 'bob' }), 403);
  });

  it('an expired session is refused (fake clock)', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const clocked = buildServer({ policy: POLICY, now: () => now, approvers: { required: true, sessionSecret: SECRET, sessionTtlMs: 60_000 } });
    try {
      const { token } = (await signIn(clocked, { tenant_id: 'acme', approver_key: KEYS.bob })).json<{ token: string }>();
      now = new Date(now.getTime() + 59_999);
      expect((await inject(clocked, 'GET', '/local/whoami', as(token))).statusCode).toBe(200);
      now = new Date(now.getTime() + 1);
      await refused(inject(clocked, 'GET', '/local/whoami', as(token)), 401);
    } finally {
      await clocked.app.close();
    }
  });

  it('approver mode refuses to start with sessions but no secret, or a secret under 32 bytes; sessions: false turns sign-in off', async () => {
    expect(() => buildServer({ policy: POLICY, approvers: { required: true } })).toThrow(/sessionSecret/);
    expect(() => buildServer({ policy: POLICY, approvers: { required: true, sessionSecret: 'x'.repeat(31) } })).toThrow(/31 bytes; it must be at least 32/);
    const noPage = buildServer({ policy: POLICY, approvers: { required: true, sessions: false } });
    try {
      await refused(signIn(noPage, { tenant_id: 'acme', approver_key: KEYS.bob }), 403);
    } finally {
      await noPage.app.close();
    }
  });
});

describe('dev mode (approvers not required)', () => {
  it('the admin key still decides as the body names; an approver key decides as its owner', async () => {
    const dev = buildServer({ policy: POLICY });
    try {
      const id = await pending(dev, 'payment.process', 'payment-bot');
      expect(await refused(inject(dev, 'POST', `/local/approvals/${id}/approve`, as(ACME.adminKey), {}), 422)).toMatch(/^approver:/);
      expect((await inject(dev, 'POST', `/local/approvals/${id}/approve`, as(ACME.adminKey), { approver: 'someone' })).json()).toMatchObject({ approver: 'someone' });
      const mine = await pending(dev, 'payment.process', 'alice-bot');
      await refused(inject(dev, 'POST', `/local/approvals/${mine}/approve`, as(KEYS.alice), {}), 403);
      await refused(inject(dev, 'POST', `/local/approvals/${mine}/approve`, as(KEYS.bob), { approver: 'someone' }), 403);
    } finally {
      await dev.app.close();
    }
  });
});

describe('declarations', () => {
  const withApprovers = (approvers: unknown[], extra: object = {}) => () => parsePolicy({ tenants: [{ id: 'acme', apiKey: ACME.apiKey, adminKey: ACME.adminKey, approvers, ...extra }] });
  const issuesOf = (run: () => unknown): readonly string[] => {
    try {
      run();
    } catch (error) {
      if (error instanceof PolicyFileError) return error.issues;
      throw error;
    }
    throw new Error('expected a PolicyFileError');
  };

  it('refuses a key in clear, saying to hash it, without repeating it', () => {
    const issues = issuesOf(withApprovers([{ id: 'alice', key: KEYS.alice }]));
    expect(issues.join('\n')).toMatch(/tenants\[0\]\.approvers\[0\]\.key: an approver key is never written in clear: put its SHA-256 digest in keySha256 \(`haltstate hash-key`/);
    expect(issues.join('\n')).not.toContain(TEST_SECRET_MARKER);
  });

  it('refuses duplicate ids and digests, with their paths, and a digest of another key of the file', () => {
    expect(issuesOf(withApprovers([{ id: 'alice', keySha256: sha256(KEYS.alice) }, { id: 'alice', keySha256: sha256(KEYS.bob) }]))).toEqual(['tenants[0].approvers[1].id: duplicate approver id "alice"']);
    expect(issuesOf(withApprovers([{ id: 'alice', keySha256: sha256(KEYS.alice) }, { id: 'bob', keySha256: sha256(KEYS.alice).toUpperCase() }]))).toEqual([
      'tenants[0].approvers[1].keySha256: keySha256 is already used by another approver or key: each approver has a key of their own',
    ]);
    expect(issuesOf(withApprovers([{ id: 'root', keySha256: sha256(ACME.adminKey) }]))).toEqual(['tenants[0].approvers[0].keySha256: keySha256 is already used by another approver or key: each approver has a key of their own']);
    expect(issuesOf(withApprovers([{ id: 'alice', keySha256: 'abc' }]))[0]).toMatch(/keySha256: keySha256 is the SHA-256 digest of the approver key, 64 hex digits/);
    expect(issuesOf(() => parsePolicy({ rules: [{ decision: 'APPROVAL_REQUIRED', selfApproval: false }] }))).toEqual(['rules[0].selfApproval: a rule that sets selfApproval needs an id: a decision finds its rule by id']);
  });

  it('reads an approvers file; its approvers join the policy\'s, and one declared twice stops the start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haltstate-approvers-'));
    try {
      const file = join(dir, 'approvers.yaml');
      writeFileSync(file, `version: 1\ntenants:\n  acme:\n    - id: carol\n      keySha256: ${sha256(testKey('carol-approver'))}\n`);
      const extra = readApproversFile(file);
      expect(extra).toEqual({ acme: [{ id: 'carol', keySha256: sha256(testKey('carol-approver')) }] });
      const server = buildServer({ policy: POLICY, approvers: { required: true, sessionSecret: SECRET, extra } });
      try {
        expect((await inject(server, 'GET', '/local/whoami', as(testKey('carol-approver')))).json()).toEqual({ tenant_id: 'acme', approver_id: 'carol' });
      } finally {
        await server.app.close();
      }
      expect(() => buildServer({ policy: POLICY, approvers: { required: false, extra: { acme: [{ id: 'bob', keySha256: sha256(testKey('bob-2')) }] } } })).toThrow(/"bob" is declared twice for tenant "acme"/);
      expect(() => buildServer({ policy: POLICY, approvers: { required: false, extra: { initech: [] } } })).toThrow(/tenant "initech" of the approvers file is not a tenant/);
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, `tenants:\n  acme:\n    - id: carol\n      key: ${KEYS.alice}\n`);
      let error: unknown;
      try {
        readApproversFile(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PolicyFileError);
      expect((error as Error).message).toMatch(/tenants\.acme\[0\]\.key: an approver key is never written in clear[\s\S]*bad\.yaml:4/);
      expect((error as Error).message).not.toContain(TEST_SECRET_MARKER);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the CLI', () => {
  function cli(extra: Partial<CliIo> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text), env: {}, ...extra } satisfies CliIo };
  }

  it('hash-key prints the digest of the key on stdin; --new prints a new key and its digest once', async () => {
    const piped = cli({ stdin: async () => `${KEYS.alice}\n` });
    expect(await main(['hash-key'], piped.io)).toBe(0);
    expect(piped.out).toEqual([sha256(KEYS.alice)]);
    const short = cli({ stdin: async () => 'short\n' });
    expect(await main(['hash-key'], short.io)).toBe(1);
    expect(short.err.join('\n')).toMatch(/shorter than 16 characters/);
    const fresh = cli();
    expect(await main(['hash-key', '--new'], fresh.io)).toBe(0);
    const [keyLine, digestLine] = fresh.out;
    const key = /^key: +(hs_approver_[\w-]{32})$/.exec(keyLine!)?.[1];
    expect(key).toBeDefined();
    expect(digestLine).toBe(`keySha256: ${sha256(key!)}`);
  });

  it('approve and reject take the approver key from HALTSTATE_APPROVER_KEY or --approver-key-file, send no --as, and never print it', async () => {
    const server = await createLocalServer({ policy: POLICY, approvers: { required: true, sessionSecret: SECRET } });
    const dir = mkdtempSync(join(tmpdir(), 'haltstate-approver-key-'));
    try {
      const first = await pending(server, 'payment.process', 'payment-bot');
      const byEnv = cli({ env: { HALTSTATE_APPROVER_KEY: KEYS.bob } });
      expect(await main(['approve', first.slice(0, 8), '--url', server.url, '--tenant', 'acme', '--as', 'someone-else'], byEnv.io)).toBe(0);
      expect(byEnv.out.join('\n')).toMatch(/^approved [0-9a-f]{8} \(payment.process by payment-bot\) as bob$/);
      const keyFile = join(dir, 'key');
      writeFileSync(keyFile, `${KEYS.alice}\n`, { mode: 0o600 });
      const second = await pending(server, 'payment.process', 'alice-bot');
      const own = cli();
      expect(await main(['reject', second, '--reason', 'no', '--url', server.url, '--tenant', 'acme', '--approver-key-file', keyFile], own.io)).toBe(1);
      expect(own.err.join('\n')).toMatch(/may not decide approval .*rule "payments"/);
      const byFile = cli();
      expect(await main(['reject', second, '--reason', 'no', '--url', server.url, '--tenant', 'acme', '--approver-key-file', keyFile], { ...byFile.io, env: { HALTSTATE_APPROVER_KEY: KEYS.bob } })).toBe(1);
      for (const text of [...byEnv.out, ...byEnv.err, ...own.out, ...own.err, ...byFile.err]) expect(text).not.toContain(TEST_SECRET_MARKER);
      const third = await pending(server, 'payment.process', 'payment-bot');
      const asAlice = cli();
      expect(await main(['reject', third, '--reason', 'no', '--url', server.url, '--tenant', 'acme', '--approver-key-file', keyFile], asAlice.io)).toBe(0);
      expect((await server.store.getApproval('acme', third))).toMatchObject({ status: 'rejected', approver: 'alice' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.close();
    }
  });
});

afterAll(() => {
  // Every refusal above, and every log line of the logged server: no key in any of them.
  expect(details.length).toBeGreaterThan(20);
  expect(logLines.length).toBeGreaterThan(0);
  for (const text of [...details, ...logLines]) for (const key of ALL_KEYS) expect(text).not.toContain(key);
});
