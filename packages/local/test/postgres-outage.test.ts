// PostgresStore when the database goes away and comes back (issue 19): the store talks to
// PostgreSQL through a TCP proxy the test cuts and restores. While cut, calls reject with
// StoreUnavailableError (the server answers 503); nothing is half-written; after restore the
// store works again by itself, and onGap says its LISTEN connection is back.
import pg from 'pg';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@test-support/postgres';
import { PostgresStore } from '../src/server/store/postgres-store';
import { StoreUnavailableError } from '../src/server/store/store-unavailable';
import type { PendingCaps, StoredEvaluation } from '../src/server/store/store';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy';

const NEEDS_HUMAN: StoredEvaluation = { decision: 'APPROVAL_REQUIRED', policyId: 'large-payments', reason: 'Over the automatic limit', ttlMs: 60_000 };
const CAPS: PendingCaps = { pendingPerTenant: 1000, pendingPerAgent: 1000 };
const payment = (amount: number) => ({ agentId: 'bot-1', action: 'payment.process', params: JSON.stringify({ amount }), metadata: null });

describeWithPostgres('PostgresStore: connection loss', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let admin: pg.Client;
  let store: PostgresStore;
  let gaps = 0;
  let onGap = () => undefined as void;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startTcpProxy(Number(new URL(db.url).port || 5432), new URL(db.url).hostname);
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    store = new PostgresStore(viaProxy.toString(), {
      connectTimeoutMs: 3000,
      onGap: () => {
        gaps++;
        onGap();
      },
    });
    await store.ping();
    await store.listening();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await store?.close();
    await proxy?.close();
    await admin?.end();
    await db?.drop();
  });

  it('while cut every call rejects with StoreUnavailableError; after restore it works again and onGap fires once the LISTEN connection is back', async () => {
    await store.guard('acme', 'warm-up', payment(1), NEEDS_HUMAN, CAPS); // idle clients in the pool
    const gapped = new Promise<void>((resolve) => (onGap = resolve));
    const gapsBefore = gaps;
    proxy.cut();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.guard('acme', 'key-1', payment(5000), NEEDS_HUMAN, CAPS)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.listApprovals('acme')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.decide('acme', 'nope', 'approved', 'alice', null)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.expireDue()).rejects.toBeInstanceOf(StoreUnavailableError);
    // The error names no connection string (it may hold a password).
    const error = await store.agentStatus('acme', 'bot-1').catch((caught: unknown) => caught);
    expect(String(error)).not.toMatch(/postgres(ql)?:\/\//);
    expect(gaps).toBe(gapsBefore);
    proxy.restore();
    await gapped;
    expect(gaps).toBe(gapsBefore + 1);
    await store.ping();
    const result = await store.guard('acme', 'key-1', payment(5000), NEEDS_HUMAN, CAPS);
    expect(result).toMatchObject({ kind: 'ok', created: true });
  });

  it('a guard cut mid-transaction leaves no half rows; its retry makes the one approval', async () => {
    const cutting = proxy.cutOn('INSERT INTO approvals');
    const gapped = new Promise<void>((resolve) => (onGap = resolve));
    // The guard row was inserted in this transaction; the approval insert never arrives.
    await expect(store.guard('acme', 'key-2', payment(7000), NEEDS_HUMAN, CAPS)).rejects.toBeInstanceOf(StoreUnavailableError);
    await cutting;
    const count = async (sql: string) => (await admin.query<{ n: number }>(sql, ['key-2'])).rows[0]!.n;
    expect(await count('SELECT count(*)::int AS n FROM guards WHERE idempotency_key = $1')).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM approvals WHERE idempotency_key = $1')).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM audit WHERE idempotency_key = $1')).toBe(0);
    proxy.restore();
    await gapped;
    const retried = await store.guard('acme', 'key-2', payment(7000), NEEDS_HUMAN, CAPS);
    expect(retried).toMatchObject({ kind: 'ok', created: true, approval: { status: 'pending' } });
    expect(await count('SELECT count(*)::int AS n FROM approvals WHERE idempotency_key = $1')).toBe(1);
  });
});
