// `haltstate serve`, the production entry: the built bin run as a process (refusals, JSON logs
// without keys, probes, SIGTERM drain, exit 0), and in-process what needs no process (the probe
// routes, the request log, drain, no sign-in tokens). The spawned tests run the built package:
// `npx turbo build --filter=@haltstate/local` first.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildServer, createLocalServer, type LocalServer } from '@haltstate/local';
import { maskDbUrl } from '../src/cli/db-location';
import { main, type CliIo } from '../src/cli/index';
import { StoreUnavailableError } from '../src/server/store/store-unavailable';
import { TenantDirectory } from '../src/server/tenants';
import { POLICY, TENANTS } from './helpers/server';

const BIN = join(__dirname, '../bin/haltstate.cjs');
const dir = mkdtempSync(join(tmpdir(), 'haltstate-serve-'));
// In serve only approvers decide, each with a key of their own (the policy holds its digest).
const ALICE_KEY = 'hs_approver_alice_0123456789abcdef';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const SERVE_POLICY = { ...POLICY, tenants: POLICY.tenants!.map((tenant) => ({ ...tenant, approvers: [{ id: `alice-${tenant.id}`, keySha256: sha256(`${ALICE_KEY}-${tenant.id}`) }] })) };
const SESSION_SECRET = 'a-session-secret-of-at-least-32-bytes!';
const policyFile = join(dir, 'policy.json');
writeFileSync(policyFile, JSON.stringify(SERVE_POLICY));
const noApprovers = join(dir, 'no-approvers.json');
writeFileSync(noApprovers, JSON.stringify(POLICY));
const noTenants = join(dir, 'no-tenants.json');
writeFileSync(noTenants, JSON.stringify({ ...POLICY, tenants: undefined }));
const badPolicy = join(dir, 'bad.json');
writeFileSync(badPolicy, JSON.stringify({ version: 1, rules: [{ id: 'x', decision: 'MAYBE' }] }));
const starterKeys = join(dir, 'starter.json');
writeFileSync(starterKeys, JSON.stringify({ version: 1, tenants: [{ id: 'demo', apiKey: 'hs_local_demo_key', adminKey: 'hs_admin_demo_key' }] }));
const [acme] = TENANTS as [(typeof TENANTS)[number]];
const KEYS = TENANTS.flatMap((tenant) => [tenant.apiKey, tenant.adminKey]);
const CHECK = { agent_id: 'payment-bot-1', action: 'payment.process', params: { amount: 5000, currency: 'USD' } };

/** The environment of a spawned server: none of the parent's HALTSTATE_* settings. */
const cleanEnv = (extra: Record<string, string> = {}) => ({ ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HALTSTATE_'))), HALTSTATE_SESSION_SECRET: SESSION_SECRET, ...extra });

/** Runs `haltstate serve …` to its end. */
function runServe(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

type LogLine = Record<string, unknown> & { msg?: string; event?: string; level: number };

/** A running `haltstate serve` process: its JSON log lines as they come, and its exit. */
function startServe(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const raw: string[] = [];
  const lines: LogLine[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    raw.push(line);
    lines.push(JSON.parse(line) as LogLine);
    for (const wake of [...waiters]) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let exited = false;
  void exit.then(() => {
    exited = true;
    for (const wake of [...waiters]) wake();
  });
  /** The first log line that matches; rejects if the process ends first. */
  const waitFor = (match: (line: LogLine) => boolean) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (found) return void (waiters.delete(check), resolve(found));
        if (exited) return void (waiters.delete(check), reject(new Error(`serve exited without the line; stdout:\n${raw.join('\n')}\nstderr:\n${stderr}`)));
      };
      waiters.add(check);
      check();
    });
  return { child, raw, lines, exit, waitFor, stderr: () => stderr };
}

/** An SSE stream, open once CONNECTED arrived; `ended` resolves when the server ends it. */
function openStream(url: string): Promise<{ ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/api/sentinel/approvals/stream`, { agent: false, headers: { 'x-api-key': acme.apiKey, accept: 'text/event-stream' } }, (response) => {
      let text = '';
      const ended = new Promise<void>((done) => response.once('end', () => done()));
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('CONNECTED')) resolve({ ended });
      });
    });
    request.once('error', reject);
    request.end();
  });
}

/**
 * A check whose headers reached the server (it answered 100 Continue, which Node does as it
 * hands the request to the app) and whose body is held back: a request under way until `finish()`.
 */
function heldCheck(url: string, requestId: string): Promise<{ finish: () => Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }>; request: ClientRequest }> {
  const body = JSON.stringify(CHECK);
  return new Promise((resolve, reject) => {
    let answered: (value: { status: number; body: string; headers: IncomingMessage['headers'] }) => void;
    let failed: (error: Error) => void;
    const answer = new Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }>((done, fail) => ((answered = done), (failed = fail)));
    answer.catch(() => undefined); // a cut request: only finish()'s caller hears of it
    const request = httpRequest(`${url}/api/sentinel/action/check`, { method: 'POST', agent: false, headers: { 'x-api-key': acme.apiKey, 'x-request-id': requestId, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.once('end', () => answered({ status: response.statusCode!, body: text, headers: response.headers }));
    });
    request.once('error', (error) => (failed(error), reject(error)));
    request.once('continue', () => resolve({ request, finish: () => (request.end(body), answer) }));
    request.flushHeaders();
  });
}

describe('haltstate serve (the built bin)', () => {
  it('refuses to start without a session secret for the page (or --no-page-sign-in)', async () => {
    const run = await runServe(['--policy', policyFile, '--db', 'a.db'], { HALTSTATE_SESSION_SECRET: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the approvals page signs its sessions: give every instance the same secret of at least 32 bytes in HALTSTATE_SESSION_SECRET or --session-secret-file .* or pass --no-page-sign-in/);
  });

  it.each([
    ['without --policy', ['--db', 'a.db'], 1, /required option '--policy <file>'/],
    ['without a database', ['--policy', policyFile], 1, /keeps its state in a database: pass --db postgres:\/\/.* or set HALTSTATE_DB_URL/],
    ['with --db :memory:', ['--policy', policyFile, '--db', ':memory:'], 1, /--db :memory: keeps nothing/],
    ['without a tenant', ['--policy', noTenants, '--db', 'a.db'], 1, /no tenant: haltstate serve makes no keys of its own\. Declare one under `tenants:` in the policy file/],
    ["with the starter policy's published keys", ['--policy', starterKeys, '--db', 'a.db'], 1, /tenant demo uses the starter policy's published keys/],
    ['with a policy that cannot be used', ['--policy', badPolicy, '--db', 'a.db'], 2, /error: .*bad\.json/],
    ['with a tenant that has no approver', ['--policy', noApprovers, '--db', 'a.db'], 1, /no approver for tenant acme, globex: in haltstate serve only approvers decide/],
    ['with a trusted proxy header but no proxy address', ['--policy', policyFile, '--db', 'a.db', '--trusted-proxy-header', 'x-forwarded-user'], 1, /--trusted-proxy-header and --trusted-proxy go together/],
  ])('refuses to start %s', async (_name, args, code, message) => {
    const run = await runServe(args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('logs JSON lines without a key, answers the probes, and on SIGTERM drains (a request under way finishes, streams end, no new connection) and exits 0', async () => {
    const serve = startServe(['--policy', policyFile, '--db', join(dir, 'serve.db'), '--port', '0', '--log-level', 'debug']);
    try {
      const listening = await serve.waitFor((line) => line.event === 'listening');
      const url = listening.url as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(listening).toMatchObject({ level: 30, tenants: ['acme', 'globex'], db: join(dir, 'serve.db'), drain_ms: 10_000 });

      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
      // Every credential header, and a key in a query string, on requests that are logged.
      const check = await fetch(`${url}/api/sentinel/action/check?api_key=${acme.apiKey}`, { method: 'POST', headers: { authorization: `Bearer ${acme.apiKey}`, 'x-api-key': acme.apiKey, cookie: `session=${acme.adminKey}`, 'x-approver-key': acme.apiKey, 'x-request-id': 'req-check-1', 'content-type': 'application/json' }, body: JSON.stringify(CHECK) });
      expect(check.status).toBe(200);
      expect((await fetch(`${url}/local/approvals`, { headers: { 'x-admin-token': acme.adminKey } })).status).toBe(200);
      expect((await fetch(`${url}/local/approvals`, { headers: { 'x-admin-token': `${acme.adminKey}-wrong` } })).status).toBe(401);
      // Only an approver decides, as who they authenticated as: the shared admin key is refused.
      const { approval_id: approvalId } = (await check.clone().json()) as { approval_id: string };
      const decide = (headers: Record<string, string>, body: object = {}) => fetch(`${url}/local/approvals/${approvalId}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      expect((await decide({ 'x-admin-token': acme.adminKey }, { approver: 'alice-acme' })).status).toBe(403);
      const approved = await decide({ 'x-approver-key': `${ALICE_KEY}-acme`, 'x-tenant-id': 'acme' });
      expect(approved.status).toBe(200);
      expect(await approved.json()).toMatchObject({ status: 'approved', approver: 'alice-acme' });

      const stream = await openStream(url);
      const held = await heldCheck(url, 'req-during-drain');
      serve.child.kill('SIGTERM');
      const draining = await serve.waitFor((line) => line.event === 'draining');
      expect(draining).toMatchObject({ in_flight: 1, streams_ended: 1 });
      await stream.ended;
      await expect(fetch(`${url}/healthz`)).rejects.toThrow(); // no new connection once draining
      const answer = await held.finish();
      expect(answer.status).toBe(200);
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.body)).toMatchObject({ decision: 'APPROVAL_REQUIRED', policy_id: 'large-payments' });
      expect(await serve.exit).toBe(0);

      expect(serve.lines.map((line) => line.event).filter((event) => event !== 'request' && event !== undefined)).toEqual(['listening', 'stopping', 'draining', 'stopped']);
      const requests = serve.lines.filter((line) => line.event === 'request');
      expect(requests.find((line) => line.request_id === 'req-check-1')).toMatchObject({ method: 'POST', url: '/api/sentinel/action/check', route: '/api/sentinel/action/check', status: 200, tenant_id: 'acme', response_time_ms: expect.any(Number) });
      expect(requests.find((line) => line.request_id === 'req-during-drain')).toMatchObject({ status: 200, tenant_id: 'acme' });
      expect(requests.find((line) => line.url === '/local/approvals' && line.status === 401)).not.toHaveProperty('tenant_id');
      expect(requests.find((line) => line.url === '/readyz')).toMatchObject({ level: 20, status: 200 }); // probes at debug level
      const output = serve.raw.join('\n') + serve.stderr();
      for (const key of [...KEYS, `${ALICE_KEY}-acme`, SESSION_SECRET]) expect(output).not.toContain(key);
      expect(output).not.toMatch(/sign-in|hs_signin_|hs_code_/);
    } finally {
      serve.child.kill('SIGKILL');
    }
  }, 60_000);
});

describe('haltstate serve (in process)', () => {
  function io(extra: Partial<CliIo> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text), env: {}, cwd: dir, ...extra } satisfies CliIo };
  }

  it('takes the database from HALTSTATE_DB_URL and a tenant from --tenant with key files; makes no sign-in token; logs only JSON', async () => {
    writeFileSync(join(dir, 'api.key'), `${acme.apiKey}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'admin.key'), `${acme.adminKey}\n`, { mode: 0o600 });
    let stop = () => undefined as void;
    let server: LocalServer | undefined;
    const run = io({ env: { HALTSTATE_DB_URL: 'env/serve.db' }, stopSignal: new Promise<void>((resolve) => (stop = resolve)), onServer: (started) => (server = started) });
    const policy = join(dir, 'rules-only.json');
    writeFileSync(policy, JSON.stringify({ version: 1, rules: [{ id: 'r', match: { action: 'read.*' }, decision: 'ALLOW' }] }));
    writeFileSync(join(dir, 'approvers.json'), JSON.stringify({ tenants: { acme: [{ id: 'alice', keySha256: sha256(ALICE_KEY) }] } }));
    const exit = main(['serve', '--policy', policy, '--port', '0', '--tenant', 'acme', '--api-key-file', 'api.key', '--admin-key-file', 'admin.key', '--approvers-file', 'approvers.json', '--no-page-sign-in'], run.io);
    while (!run.out.some((line) => line.includes('"event":"listening"'))) {
      if (run.err.length > 0) throw new Error(run.err.join('\n'));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server!.tenants.map((tenant) => tenant.id)).toEqual(['acme']);
    expect(() => server!.signInToken('acme')).toThrow(/makes no sign-in tokens/);
    expect(JSON.parse(run.out.find((line) => line.includes('"event":"listening"'))!)).toMatchObject({ db: 'env/serve.db', policy });
    stop();
    expect(await exit).toBe(0);
    expect(run.err).toEqual([]);
    for (const line of run.out) expect(() => JSON.parse(line)).not.toThrow();
    for (const key of KEYS) expect(run.out.join('\n')).not.toContain(key);
  });

  it('masks the password of a database URL', () => {
    expect(maskDbUrl('postgres://app:s3cret@db.internal:5432/haltstate?sslmode=require')).toBe('postgres://app:***@db.internal:5432/haltstate?sslmode=require');
    expect(maskDbUrl('postgresql://db/haltstate?password=s3cret')).toBe('postgresql://db/haltstate?password=***');
    expect(maskDbUrl('postgres://app:s3c ret@[bad')).toBe('postgres://…');
    expect(maskDbUrl('data/haltstate.db')).toBe('data/haltstate.db');
  });
});

describe('probe routes', () => {
  it('GET /healthz is 200 ok; GET /readyz is 200 ready, then 503 with a short reason when the store does not answer (no URL, no error text)', async () => {
    const { app, store } = buildServer({ policy: POLICY });
    try {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ready' }]);
      store.ping = () => Promise.reject(new StoreUnavailableError('connect ECONNREFUSED postgres://app:s3cret@db:5432'));
      const down = await app.inject({ method: 'GET', url: '/readyz' });
      expect([down.statusCode, down.json()]).toEqual([503, { status: 'unavailable', reason: 'store unavailable' }]);
      expect(down.body).not.toMatch(/s3cret|ECONNREFUSED|postgres/);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200); // alive all the same
    } finally {
      await app.close();
    }
  });

  it('probes are not held to the per-IP rate limit (keyless requests elsewhere are)', async () => {
    const { app } = buildServer({ policy: POLICY, limits: { requestsPerIp: 2 } });
    try {
      for (let i = 0; i < 5; i++) for (const url of ['/healthz', '/readyz']) expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'GET', url: '/page.js' })).statusCode);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await app.close();
    }
  });
});

describe('signInTokens: false', () => {
  it('the directory makes no token, and admin keys still authenticate', () => {
    const directory = new TenantDirectory(TENANTS, { signInTokens: false });
    expect(directory.signInToken('acme')).toBeUndefined();
    expect(directory.byAdminKey(acme.adminKey)?.id).toBe('acme');
    expect(directory.byAdminKey('hs_signin_guess')).toBeUndefined();
    expect(new TenantDirectory(TENANTS).signInToken('acme')).toMatch(/^hs_signin_/);
  });
});

describe('drain and the request log (in process)', () => {
  const logged = () => {
    const lines: LogLine[] = [];
    return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } };
  };

  it('readiness turns 503 at once; an open stream ends; a request under way finishes; then the server and its store close', async () => {
    const log = logged();
    const server = await createLocalServer({ policy: POLICY, logger: { stream: log.stream }, signInTokens: false });
    const stream = await openStream(server.url);
    const held = await heldCheck(server.url, 'held-1');
    const drained = server.drain(60_000);
    expect(server.draining).toBe(true);
    const readiness = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect([readiness.statusCode, readiness.json()]).toEqual([503, { status: 'unavailable', reason: 'draining' }]);
    await stream.ended;
    expect((await held.finish()).status).toBe(200);
    await drained;
    await expect(server.store.ping()).rejects.toThrow(); // closed with the server
    expect(log.lines.find((line) => line.event === 'draining')).toMatchObject({ in_flight: 1, streams_ended: 1 });
    expect(log.lines.find((line) => line.request_id === 'held-1')).toMatchObject({ event: 'request', status: 200, tenant_id: 'acme', url: '/api/sentinel/action/check' });
  });

  it('a request still open at the deadline is cut, and the log says so', async () => {
    const log = logged();
    const server = await createLocalServer({ policy: POLICY, logger: { stream: log.stream } });
    const held = await heldCheck(server.url, 'held-2');
    const cut = new Promise<void>((resolve) => held.request.once('error', () => resolve()));
    await server.drain(1);
    await cut;
    expect(log.lines.find((line) => line.event === 'drain_timeout')).toMatchObject({ unfinished: 1 });
  });

  it('writes one line per request, without headers, query strings or keys', async () => {
    const log = logged();
    const { app } = buildServer({ policy: POLICY, logger: { stream: log.stream, level: 'info' } });
    try {
      await app.inject({ method: 'GET', url: `/api/sentinel/heartbeat?agent_id=a&key=${acme.apiKey}`, headers: { 'x-api-key': acme.apiKey, 'x-request-id': 'hb-1', cookie: acme.adminKey, 'proxy-authorization': acme.adminKey } });
      await app.inject({ method: 'GET', url: '/healthz' });
      const lines = log.lines.filter((line) => line.event === 'request');
      expect(lines).toEqual([expect.objectContaining({ method: 'GET', url: '/api/sentinel/heartbeat', status: 200, tenant_id: 'acme', request_id: 'hb-1' })]); // the probe at debug: not at info
      const text = JSON.stringify(log.lines);
      for (const key of KEYS) expect(text).not.toContain(key);
      expect(text).not.toMatch(/headers|agent_id=/);
    } finally {
      await app.close();
    }
  });
});
