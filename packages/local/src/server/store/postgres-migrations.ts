import type { Pool, PoolClient } from 'pg';

/**
 * Advisory lock keys: the first of the two int4 keys, "HS" in ASCII then the lock's number (the
 * second key is 0, or the tenant's hashtext for a tenant's lock).
 */
export const LOCKS = { migrations: 0x48530001, decisions: 0x48530002, tenant: 0x48530003, append: 0x48530004 } as const;

// Schema migrations for PostgreSQL, applied in order; haltstate_migrations records each version.
// The first is the SQLite schema (all of migrations.ts) as of issue 19, with:
// - times as text ISO-8601 strings, made by the store's clock, so answers are the same strings as
//   SQLite's and compare in order as text (fixed width, UTC);
// - params, metadata and results as text: the canonical JSON round-trips byte for byte (jsonb
//   would reorder keys);
// - approvals.seq (bigserial) for insertion order and paging, as SQLite's rowid;
// - decided_at indexed alone: each decision is stamped after the latest one of every tenant.
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE approvals (
    seq BIGSERIAL NOT NULL UNIQUE,
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    action TEXT NOT NULL,
    params TEXT NOT NULL,
    metadata TEXT,
    idempotency_key TEXT,
    policy_id TEXT,
    policy_reason TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    approver TEXT,
    reason TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    decided_at TEXT
  );
  CREATE INDEX approvals_pending ON approvals (expires_at) WHERE status = 'pending';
  CREATE INDEX approvals_decided ON approvals (tenant_id, decided_at);
  CREATE INDEX approvals_decided_at ON approvals (decided_at);
  CREATE INDEX approvals_by_tenant_status ON approvals (tenant_id, status, agent_id);
  CREATE INDEX approvals_page ON approvals (tenant_id, seq);
  CREATE TABLE guards (
    tenant_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    action TEXT NOT NULL,
    params TEXT NOT NULL,
    decision TEXT NOT NULL,
    policy_id TEXT,
    reason TEXT,
    approval_id TEXT REFERENCES approvals (id),
    created_at TEXT NOT NULL,
    last_state TEXT,
    permit_issued_at TEXT,
    outcome TEXT,
    error TEXT,
    reported_at TEXT,
    executed_at TEXT,
    PRIMARY KEY (tenant_id, idempotency_key)
  );
  CREATE INDEX guards_unreported ON guards (tenant_id, permit_issued_at) WHERE permit_issued_at IS NOT NULL AND reported_at IS NULL;
  CREATE TABLE reports (
    id BIGSERIAL PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    decision TEXT NOT NULL,
    policy_id TEXT,
    result TEXT,
    created_at TEXT NOT NULL,
    verified SMALLINT,
    UNIQUE (tenant_id, request_id)
  );
  CREATE TABLE agents (
    tenant_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, agent_id)
  );
  CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY,
    time TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    agent_id TEXT,
    action TEXT,
    decision TEXT,
    policy_id TEXT,
    approver TEXT,
    outcome TEXT,
    approval_id TEXT,
    idempotency_key TEXT,
    request_id TEXT,
    reason TEXT,
    trace_id TEXT
  );
  CREATE INDEX audit_tenant ON audit (tenant_id, id);
  CREATE INDEX audit_checks ON audit (tenant_id, request_id) WHERE kind = 'check';
  CREATE TABLE check_requests (
    tenant_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    body_digest TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, request_id)
  );
  CREATE INDEX check_requests_age ON check_requests (created_at);
  `,
];

/**
 * Applies the migrations `pool`'s database lacks, each in its own transaction, under a session
 * advisory lock on one dedicated connection: instances starting together wait for each other,
 * and the second finds the versions applied. The lock dies with the connection if it is lost.
 *
 * @example
 * await migratePostgres(pool); // the versions applied now, e.g. [1]
 */
export async function migratePostgres(pool: Pool, migrations: readonly string[] = PG_MIGRATIONS): Promise<number[]> {
  const client: PoolClient = await pool.connect();
  let broken: Error | undefined;
  // Checked out, the client has no error listener: a dropped socket must not crash the process.
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    // A migration may wait for another instance's and rewrite a large table: the store's
    // statement and lock timeouts are for requests. This client is dropped after, never reused.
    await client.query('SET statement_timeout = 0; SET lock_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCKS.migrations, 0]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS haltstate_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM haltstate_migrations')).rows.map((row) => row.version));
      // A newer server migrated this database: this one would write rows the schema no longer
      // means (a rolling upgrade goes forward only).
      const newest = Math.max(0, ...done);
      if (newest > migrations.length) throw new Error(`The database's HaltState schema is at version ${newest}; this @haltstate/local knows versions up to ${migrations.length}. Run the newer @haltstate/local on it (a downgrade is not supported).`);
      const applied: number[] = [];
      for (let index = 0; index < migrations.length; index++) {
        const version = index + 1;
        if (done.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migrations[index]!);
          await client.query('INSERT INTO haltstate_migrations (version) VALUES ($1)', [version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        applied.push(version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCKS.migrations, 0]).catch(() => undefined);
    }
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    // Dropped, not reused: its session has no timeouts, and after a failure (and lock) may be in any state.
    client.removeListener('error', onError);
    client.release(broken ?? true);
  }
}
