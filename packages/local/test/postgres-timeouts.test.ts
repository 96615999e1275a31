// PostgresStore's timeouts and error mapping (issue 19): a statement stuck behind another
// transaction's lock gives up (lock_timeout) and answers as unavailable (the server's 503) with
// nothing changed, on a connection that keeps working; every SQLSTATE of a database that cannot
// serve now becomes StoreUnavailableError, an error of the statement itself does not.
import pg from 'pg';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@test-support/postgres';
import { PostgresStore } from '../src/server/store/postgres-store';
import { isConnectionError, toStoreError } from '../src/server/store/postgres-errors';
import { StoreUnavailableError } from '../src/server/store/store-unavailable';

const sqlError = (code: string) => Object.assign(new Error(`postgres said ${code}`), { code });

describe('PostgreSQL errors → StoreUnavailableError', () => {
  it.each([
    ['55P03', 'lock_timeout'],
    ['57014', 'statement_timeout'],
    ['25P03', 'idle in transaction timeout'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
    ['3D000', 'database missing'],
    ['53100', 'disk full'],
    ['53300', 'too many connections'],
    ['28P01', 'password refused'],
    ['28000', 'role not allowed'],
    ['08006', 'connection failure'],
    ['57P01', 'admin shutdown'],
  ])('%s (%s) is unavailable, with the driver error as cause only', (code) => {
    const error = sqlError(code);
    const mapped = toStoreError(error);
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect((mapped as Error).message).not.toContain(code);
    expect((mapped as Error).cause).toBe(error);
  });

  it.each(['23505', '42P01', '22P02'])('%s (an error of the statement) stays as it is: a bug is a 500', (code) => {
    const error = sqlError(code);
    expect(toStoreError(error)).toBe(error);
  });

  it('a timeout or deadlock keeps the connection (rolled back, reused); a lost or refused one is dropped', () => {
    expect(isConnectionError(sqlError('55P03'))).toBe(false);
    expect(isConnectionError(sqlError('40P01'))).toBe(false);
    expect(isConnectionError(sqlError('28P01'))).toBe(true);
    expect(isConnectionError(new Error('Query read timeout'))).toBe(true);
  });
});

describeWithPostgres('PostgresStore: a statement stuck behind a lock', () => {
  let db: TestDatabase;
  let store: PostgresStore;
  let holder: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresStore(db.url, { statementTimeoutMs: 400, poolSize: 1 });
    await store.ping();
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await store?.close();
    await db?.drop();
  });

  it('a decision waiting on a row another transaction holds fails as unavailable, changes nothing, and the same pooled connection decides once the lock is gone', async () => {
    const approval = await store.createApproval({ tenantId: 't1', agentId: 'bot-1', action: 'payment.process', params: { amount: 5000 }, metadata: null, policyId: 'large-payments', policyReason: 'Over the limit', ttlMs: 60_000 }, false);
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM approvals WHERE id = $1 FOR UPDATE', [approval.id]);

    await expect(store.decide('t1', approval.id, 'approved', 'alice', null)).rejects.toBeInstanceOf(StoreUnavailableError);
    await holder.query('ROLLBACK');

    expect((await store.getApproval('t1', approval.id))?.status).toBe('pending');
    const decided = await store.decide('t1', approval.id, 'approved', 'alice', null);
    expect(decided).toMatchObject({ ok: true, approval: { status: 'approved', approver: 'alice' } });
  });
});
