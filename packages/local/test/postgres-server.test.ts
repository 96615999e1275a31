// The server on PostgreSQL (issue 19): the routes through app.inject, the readiness wait in
// createLocalServer, 503 while the database is away, and SSE streams ended when the store's
// LISTEN connection comes back (clients then replay from their cursor).
import { buildServer, createLocalServer, type BuiltServer } from '@haltstate/local';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@test-support/postgres';
import { StoreUnavailableError } from '../src/server/store/store-unavailable';
import { main, type CliIo } from '../src/cli/index';
import { POLICY, TENANTS } from './helpers/server';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy';

const acme = TENANTS[0]!;
const agent = { 'x-tenant-id': acme.id, 'x-api-key': acme.apiKey, 'content-type': 'application/json' };
const adminHeaders = { 'x-tenant-id': acme.id, authorization: `Bearer ${acme.adminKey}`, 'content-type': 'application/json' };
const guardBody = { agent_id: 'payment-bot-1', action: 'payment.process', params: { amount: 5000, currency: 'USD' }, idempotency_key: 'pay-1', tenant_id: acme.id };

describeWithPostgres('the server on PostgreSQL', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let viaProxy: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startTcpProxy(Number(new URL(db.url).port || 5432), new URL(db.url).hostname);
    const url = new URL(db.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    viaProxy = url.toString();
  });
  afterAll(async () => {
    await proxy?.close();
    await db?.drop();
  });

  it('guard → approve → guard through the routes', async () => {
    const built: BuiltServer = buildServer({ policy: POLICY, db: db.url });
    try {
      const guard = () => built.app.inject({ method: 'POST', url: '/api/sentinel/action/guard', headers: agent, payload: JSON.stringify(guardBody) });
      const first = await guard();
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ status: 'pending', approval_id: expect.any(String) });
      const id = first.json().approval_id as string;
      const approved = await built.app.inject({ method: 'POST', url: `/local/approvals/${id}/approve`, headers: adminHeaders, payload: JSON.stringify({ approver: 'alice' }) });
      expect(approved.statusCode).toBe(200);
      const second = await guard();
      expect(second.json()).toMatchObject({ status: 'approved', approval_id: id, approver: 'alice' });
      const state = await built.app.inject({ method: 'GET', url: `/api/sentinel/approval/${id}`, headers: { ...agent, 'x-admin-token': acme.apiKey } });
      expect(state.json()).toMatchObject({ status: 'approved', approver: 'alice', decided_at: expect.any(String) });
    } finally {
      await built.app.close();
    }
  });

  it('createLocalServer waits for the store; an unreachable database fails the start', async () => {
    proxy.cut();
    try {
      await expect(createLocalServer({ policy: POLICY, db: viaProxy })).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      proxy.restore();
    }
  });

  it('a request while the database is away is a 503 with Retry-After; an open stream ends once the store listens again', async () => {
    const server = await createLocalServer({ policy: POLICY, db: viaProxy, keepAliveMs: 60_000 });
    try {
      const stream = await fetch(`${server.url}/api/sentinel/approvals/stream?tenant_id=${acme.id}`, { headers: { ...agent, accept: 'text/event-stream' } });
      expect(stream.status).toBe(200);
      const reader = stream.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toContain('CONNECTED');
      proxy.cut();
      const response = await server.app.inject({ method: 'POST', url: '/api/sentinel/action/guard', headers: agent, payload: JSON.stringify({ ...guardBody, idempotency_key: 'pay-2' }) });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.body).not.toContain('postgres://');
      proxy.restore();
      // The server's stream does not go through the proxy: it ends (done) only because onGap ended
      // every stream when the store's LISTEN connection was back; a client reconnects and replays.
      let done = false;
      while (!done) done = (await reader.read()).done;
      expect(done).toBe(true);
      const after = await server.app.inject({ method: 'POST', url: '/api/sentinel/action/guard', headers: agent, payload: JSON.stringify({ ...guardBody, idempotency_key: 'pay-2' }) });
      expect(after.statusCode).toBe(200);
    } finally {
      proxy.restore();
      await server.close();
    }
  });

  it('haltstate dev takes a postgres:// URL: prints it with the password masked, and refuses --fresh on it', async () => {
    const url = new URL(db.url);
    url.password = 'hunter2-not-shown';
    const out: string[] = [];
    const err: string[] = [];
    let stop = () => undefined as void;
    let server: { url: string } | undefined;
    const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text), env: {}, stopSignal: new Promise<void>((resolve) => (stop = resolve)), onServer: (started) => (server = started) };
    const exit = main(['dev', '--db', url.toString(), '--port', '0'], io);
    while (!out.some((line) => line.includes('database:'))) {
      if (err.some((line) => line.startsWith('error'))) throw new Error(err.join('\n'));
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The server's state is in PostgreSQL: an agent's check there is in the database's audit trail.
    expect((await fetch(`${server!.url}/healthz`)).status).toBe(200);
    stop();
    expect(await exit).toBe(0);
    const printed = [...out, ...err].join('\n');
    expect(printed).toContain('database: postgres://postgres:***@');
    expect(printed).not.toContain('hunter2-not-shown');

    const fresh: string[] = [];
    expect(await main(['dev', '--db', db.url, '--fresh', '--port', '0'], { out: () => undefined, err: (text) => fresh.push(text), env: {} })).toBe(1);
    expect(fresh.join('\n')).toMatch(/--fresh clears a SQLite file; to start a PostgreSQL database afresh, drop and create it/);
  });
});
