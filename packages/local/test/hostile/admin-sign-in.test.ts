// The admin key stays out of the browser's history and the process list: the page signs in with a
// one-time code exchanged for a session token, the CLI reads keys from the environment or a file,
// admin answers are never cached, and keys are compared as digests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalServer } from '@haltstate/local';
import { main, type CliIo } from '../../src/cli/index';
import { sameSecret } from '../../src/server/secret-compare';
import { startServer, TENANTS } from '../helpers/server';

const [acme, globex] = TENANTS as [(typeof TENANTS)[0], (typeof TENANTS)[0]];

let server: LocalServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const signIn = (body: object) => fetch(`${server.url}/local/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const asAdmin = (token: string, path = '/local/approvals') => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
const codeOf = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get('code')!;

describe('page sign-in', () => {
  it('a link carries a one-time code, never a key; the code works once, for a session of its tenant', async () => {
    const link = server.signInUrl('globex');
    expect(link).not.toContain(globex.adminKey);
    const first = await signIn({ code: codeOf(link) });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const session = (await first.json()) as { tenant_id: string; token: string };
    expect(session).toEqual({ tenant_id: 'globex', token: expect.stringMatching(/^hs_session_/) });
    expect(await (await asAdmin(session.token, '/local/whoami')).json()).toEqual({ tenant_id: 'globex' });
    // Replaying the link (from the history, a screenshot, a shoulder) gets nothing.
    const replay = await signIn({ code: codeOf(link) });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { detail: string }).detail).toMatch(/^Sign-in refused/);
  });

  it('a session is an admin credential of its tenant only, not an agent key, and sign-out ends it', async () => {
    const { token } = (await (await signIn({ code: server.signInCode('acme') })).json()) as { token: string };
    expect((await fetch(`${server.url}/local/approvals`, { headers: { authorization: `Bearer ${token}`, 'x-tenant-id': 'globex' } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/sentinel/heartbeat?agent_id=a`, { headers: { 'x-api-key': token } })).status).toBe(401);
    expect((await asAdmin(token)).status).toBe(200);
    expect((await fetch(`${server.url}/local/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await asAdmin(token)).status).toBe(401);
  });

  it('the typed-in form exchanges tenant id and admin key for a session; a wrong pair is the same 401', async () => {
    const ok = await signIn({ tenant_id: 'acme', admin_key: acme.adminKey });
    expect(ok.status).toBe(200);
    const wrongTenant = await signIn({ tenant_id: 'globex', admin_key: acme.adminKey });
    const wrongKey = await signIn({ tenant_id: 'acme', admin_key: 'hs_not_the_key_000' });
    const agentKey = await signIn({ tenant_id: 'acme', admin_key: acme.apiKey });
    const details = await Promise.all([wrongTenant, wrongKey, agentKey].map(async (response) => [response.status, ((await response.json()) as { detail: string }).detail]));
    expect(new Set(details.map((entry) => JSON.stringify(entry))).size).toBe(1);
    expect(details[0]![0]).toBe(401);
  });

  it('every admin JSON answer says Cache-Control: no-store', async () => {
    for (const path of ['/local/approvals', '/local/audit', '/local/whoami', '/local/unreported']) {
      expect((await asAdmin(acme.adminKey, path)).headers.get('cache-control')).toBe('no-store');
    }
    expect((await asAdmin('hs_wrong_key_00000')).headers.get('cache-control')).toBe('no-store');
  });
});

describe('keys out of the process list', () => {
  function capture(env: NodeJS.ProcessEnv = {}): { io: CliIo; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (text) => out.push(text), err: (text) => err.push(text), env } };
  }
  const dir = mkdtempSync(join(tmpdir(), 'haltstate-keys-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };

  it('the approver commands read the admin key from HALTSTATE_ADMIN_KEY or --admin-key-file; --admin-key works with a warning', async () => {
    const fromEnv = capture({ HALTSTATE_ADMIN_KEY: acme.adminKey });
    expect(await main(['approvals', '--url', server.url, '--tenant', 'acme'], fromEnv.io)).toBe(0);
    expect(fromEnv.err).toEqual([]);
    const fromFile = capture();
    expect(await main(['approvals', '--url', server.url, '--tenant', 'acme', '--admin-key-file', file('admin', `${acme.adminKey}\n`)], fromFile.io)).toBe(0);
    expect(fromFile.err).toEqual([]);
    const fromFlag = capture();
    expect(await main(['approvals', '--url', server.url, '--tenant', 'acme', '--admin-key', acme.adminKey], fromFlag.io)).toBe(0);
    expect(fromFlag.err).toEqual([expect.stringMatching(/^warning: --admin-key puts the admin key in the process list.*HALTSTATE_ADMIN_KEY or --admin-key-file$/)]);
    // The starter policy's demo keys are published (the quickstart types them): no warning.
    const demo = capture();
    await main(['approvals', '--url', server.url, '--tenant', 'demo', '--admin-key', 'hs_admin_demo_key'], demo.io);
    expect(demo.err.join('\n')).not.toMatch(/process list/);
    const empty = capture();
    expect(await main(['approvals', '--url', server.url, '--admin-key-file', file('empty', '\n')], empty.io)).toBe(1);
    expect(empty.err.join('\n')).toMatch(/is empty: put the admin key on its first line/);
  });

  it('haltstate sign-in-link prints a new one-time link for the key\'s tenant', async () => {
    const run = capture({ HALTSTATE_ADMIN_KEY: globex.adminKey });
    expect(await main(['sign-in-link', '--url', server.url, '--tenant', 'globex'], run.io)).toBe(0);
    expect(run.out).toEqual([expect.stringMatching(new RegExp(`^${server.url}/#code=hs_code_`))]);
    expect(((await (await signIn({ code: codeOf(run.out[0]!) })).json()) as { tenant_id: string }).tenant_id).toBe('globex');
  });

  it('haltstate dev takes a tenant\'s keys from files or the environment, and masks them', async () => {
    let stop = () => undefined as void;
    let onServer = (_server: LocalServer) => undefined as void;
    const running = new Promise<LocalServer>((resolve) => (onServer = resolve));
    const run = capture({ HALTSTATE_API_KEY: 'hs_env_api_key_123' });
    const exit = main(['dev', '--port', '0', '--db', ':memory:', '--tenant', 'filed', '--admin-key-file', file('dev-admin', 'hs_file_admin_key_456\n')], {
      ...run.io,
      stopSignal: new Promise<void>((resolve) => (stop = resolve)),
      onServer,
    });
    // The server, or the exit code if dev stopped before starting one.
    const started = await Promise.race([running, exit.then((code) => Promise.reject(new Error(`haltstate dev exited with ${code}: ${run.err.join(' ')}`)))]);
    expect(started.tenants).toEqual([{ id: 'filed', apiKey: 'hs_env_api_key_123', adminKey: 'hs_file_admin_key_456' }]);
    const text = [...run.out, ...run.err].join('\n');
    expect(text).not.toContain('hs_env_api_key_123');
    expect(text).not.toContain('hs_file_admin_key_456');
    expect(run.err.join('\n')).not.toMatch(/process list/);
    stop();
    expect(await exit).toBe(0);
  });
});

describe('sameSecret', () => {
  it('compares digests: equal only for equal strings, whatever the lengths', () => {
    expect(sameSecret('hs_key_1', 'hs_key_1')).toBe(true);
    expect(sameSecret('hs_key_1', 'hs_key_2')).toBe(false);
    expect(sameSecret('hs_key', 'hs_key_longer')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});
