import pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { AgentStatus, ApprovalStatus } from '@haltstate/core';
import { currentTraceId } from '../trace-context.js';
import { isConnectionError, toStoreError } from './postgres-errors.js';
import { EVENTS_CHANNEL, PostgresListener, type StoreNotice } from './postgres-listener.js';
import { LOCKS, migratePostgres } from './postgres-migrations.js';
import { newApprovalRow, type Row, toApproval, toAudit, toGuard, toPage } from './rows.js';
import { StoreUnavailableError } from './store-unavailable.js';
import type { CapHit, CheckAnswer, CheckInput, CheckOnceResult, DecideResult, GuardInput, GuardReportResult, GuardResult, Page, PageRequest, PendingCaps, ReportVerdict, Store, StoredEvaluation, StoreOptions } from './store.js';
import type { ApprovalRow, AuditEntry, AuditInput, GuardAnswer, GuardOutcome, GuardRow, NewApproval, ReportInput } from './types.js';

/** What a transaction's work may run its statements on. */
type Tx = Pick<pg.PoolClient, 'query'>;

/** Returned by a transaction's work: roll back (nothing is written) and answer `value`. */
class Rollback<T> {
  constructor(readonly value: T) {}
}

/** Options of {@link PostgresStore}: those of every store, and the pool's. */
export type PostgresStoreOptions = Omit<StoreOptions, 'db'> & {
  /** How long to wait for a connection before the call fails as unavailable. @unit milliseconds @default 5000 */
  connectTimeoutMs?: number;
  /**
   * The longest one statement may run (PostgreSQL's `statement_timeout`); a lock is waited for half
   * as long (`lock_timeout`). Past it the request answers 503 and changes nothing, instead of
   * holding a connection and a lock behind a stuck transaction. A request whose answer never comes
   * back (a silent network) is given up 5 s later on the client side. @unit milliseconds @default 10000
   */
  statementTimeoutMs?: number;
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * All state of the server in PostgreSQL, for several server instances on one database. Each
 * method's writes are one transaction; the guarantees the SQLite store gets from one process and
 * one writer come from the database here:
 * - one approval per guard key / one answer per check request id / one report per request id:
 *   a unique key, `INSERT … ON CONFLICT DO NOTHING`, then the row read `FOR UPDATE`;
 * - pending caps: a transaction-level advisory lock on the tenant around the count and insert;
 * - decision times: a transaction-level advisory lock for every decision (human or expiry), the
 *   time stamped after the latest `decided_at` of the database, so times rise in commit order and
 *   a `decided_at >` cursor never skips one;
 * - a decision once: `UPDATE … WHERE status = 'pending'`, whichever instance;
 * - events: `pg_notify` in the transaction; every other instance's {@link PostgresListener}
 *   loads the row and calls `onCreated`/`onDecision`; a lost LISTEN connection is `onGap`.
 * A lost database is {@link StoreUnavailableError} (the server answers 503); the pool and the
 * listener reconnect by themselves.
 *
 * @example
 * const store = new PostgresStore('postgres://haltstate@db:5432/haltstate', { onDecision: (approval) => … });
 * await store.ping();
 */
export class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #listener: PostgresListener;
  /** Tells this instance's notifications from the others'. */
  readonly #instance = randomUUID();
  readonly #now: () => Date;
  readonly #requestIdWindowMs: number;
  readonly #onCreated: (approval: ApprovalRow) => void;
  readonly #onDecision: (approval: ApprovalRow) => void;
  readonly #onGap: () => void;
  #migrated: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  /** Other instances' notices, handled one after another (in the order they were committed). */
  #notices: Promise<void> = Promise.resolve();

  constructor(url: string, options: PostgresStoreOptions = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#requestIdWindowMs = options.requestIdWindowMs ?? 24 * 3_600_000;
    this.#onCreated = options.onCreated ?? (() => undefined);
    this.#onDecision = options.onDecision ?? (() => undefined);
    this.#onGap = options.onGap ?? (() => undefined);
    const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      statement_timeout: statementTimeoutMs,
      lock_timeout: Math.ceil(statementTimeoutMs / 2),
      // A transaction this process left open (it died mid-way on a socket that stayed up) must not hold its locks for ever.
      idle_in_transaction_session_timeout: 30_000,
      query_timeout: statementTimeoutMs + 5000,
    });
    // An idle client whose connection dies emits here; the pool drops it and the next call
    // connects anew. Unhandled, the event would crash the process.
    this.#pool.on('error', () => undefined);
    this.#listener = new PostgresListener(url, { onNotice: (notice) => this.#heard(notice), onGap: () => this.#onGap() });
    // Migrate at once, so the first request does not wait for it; a failure is retried by the next call.
    this.#ready().catch(() => undefined);
  }

  now(): string {
    return this.#now().toISOString();
  }

  /** Ready when the migrations ran and the database answers `SELECT 1`. */
  async ping(): Promise<void> {
    await this.#read('SELECT 1');
  }

  /** Ends the listener and the pool; idempotent. */
  async close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#listener.close();
      await this.#migrated?.catch(() => undefined);
      await this.#notices;
      await this.#pool.end();
    })();
    return this.#closing;
  }

  /** For tests: resolves once the LISTEN connection listens (the first time). */
  listening(): Promise<void> {
    return this.#listener.listening();
  }

  // ── plumbing ─────────────────────────────────────────────────────────────

  #ready(): Promise<void> {
    if (this.#closing) return Promise.reject(new StoreUnavailableError('The PostgreSQL store is closed'));
    this.#migrated ??= migratePostgres(this.#pool).then(
      () => undefined,
      (error: unknown) => {
        this.#migrated = undefined;
        throw toStoreError(error);
      },
    );
    return this.#migrated;
  }

  /** One statement outside a transaction (a read, or one write that is atomic by itself). */
  async #read(sql: string, params: unknown[] = []): Promise<Row[]> {
    await this.#ready();
    try {
      return (await this.#pool.query(sql, params)).rows as Row[];
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /**
   * Runs `work` in one transaction: COMMIT when it returns, ROLLBACK when it throws or returns a
   * {@link Rollback}. The client goes back to the pool always, and is dropped when its
   * connection failed (it may be mid-transaction on a dead socket).
   */
  async #tx<T>(work: (tx: Tx) => Promise<T | Rollback<T>>): Promise<T> {
    await this.#ready();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    // A checked-out client has no error listener (the pool removes its own): a socket that dies
    // between two statements would emit an unhandled 'error' and crash the process. The next
    // statement rejects anyway, and the client is dropped on release.
    let broken: Error | undefined;
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      if (result instanceof Rollback) {
        await client.query('ROLLBACK');
        return result.value as T;
      }
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A lost connection is dropped (it may be mid-transaction on a dead socket); after a
      // timeout or deadlock the connection works and only the transaction is rolled back.
      if (isConnectionError(error)) broken = error as Error;
      else await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError as Error));
      throw toStoreError(error);
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /**
   * A page of rows ordered by an id the tenant's writers draw (see #audit): read under the
   * tenant's append lock taken exclusively, so no writer holds an id it has not committed yet.
   * Held for the one read only; new writers wait that long.
   */
  async #pageRead(tenantId: string, sql: string, params: unknown[]): Promise<Row[]> {
    return this.#tx(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCKS.append, tenantId]);
      return (await tx.query(sql, params)).rows as Row[];
    });
  }

  /** Tells the other instances, at commit (NOTIFY is transactional): who, what, which approval. */
  async #notify(tx: Tx, type: StoreNotice['type'], approvalId: string): Promise<void> {
    const notice: StoreNotice = { instance: this.#instance, type, approvalId };
    await tx.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(notice)]);
  }

  /** Another instance's change: load the row and tell this server's listeners. */
  #heard(notice: StoreNotice): void {
    if (notice.instance === this.#instance) return;
    this.#notices = this.#notices.then(async () => {
      let row: Row | undefined;
      try {
        [row] = await this.#read('SELECT * FROM approvals WHERE id = $1', [notice.approvalId]);
      } catch {
        // Could not load it: the change is missed here, so the streams must replay.
        this.#onGap();
        return;
      }
      if (!row) return;
      if (notice.type === 'created') this.#onCreated(toApproval(row));
      else this.#onDecision(toApproval(row));
    });
  }

  /**
   * Takes the decisions lock (held to commit) and returns the stamp for each decision of this
   * transaction: the clock's millisecond, or 1 ms after the latest decision of the database.
   */
  async #decisionStamps(tx: Tx): Promise<() => string> {
    await tx.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCKS.decisions]);
    const last = (await tx.query<{ last: string | null }>('SELECT max(decided_at) AS last FROM approvals')).rows[0]?.last ?? null;
    let lastMs = last === null ? 0 : Date.parse(last);
    return () => {
      lastMs = Math.max(this.#now().getTime(), lastMs + 1);
      return iso(lastMs);
    };
  }

  /**
   * An audit line. Like every insert that pages read (audit ids, approvals' seq), it first takes
   * the tenant's append lock in shared mode, held to commit: writers never wait for each other,
   * but a page read takes the lock exclusively (see #pageRead), so it starts only once every
   * writer that has drawn an id has committed, and a writer that draws one later gets a larger
   * id. A bigserial is drawn at insert, not at commit: without this, a slow transaction could
   * commit a row behind a cursor a reader already holds, and the reader (the export, the CLI)
   * would never see it. The lock is the last one a writer takes (after the decisions and tenant
   * locks and its row locks), so it cannot deadlock with them.
   */
  async #audit(tx: Tx, entry: AuditInput): Promise<void> {
    await tx.query(
      `INSERT INTO audit (time, tenant_id, kind, agent_id, action, decision, policy_id, approver, outcome, approval_id, idempotency_key, request_id, reason, trace_id)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 FROM (SELECT pg_advisory_xact_lock_shared($15, hashtext($2))) AS appending`,
      [this.now(), entry.tenantId, entry.kind, entry.agentId ?? null, entry.action ?? null, entry.decision ?? null, entry.policyId ?? null, entry.approver ?? null, entry.outcome ?? null, entry.approvalId ?? null, entry.idempotencyKey ?? null, entry.requestId ?? null, entry.reason ?? null, entry.traceId ?? currentTraceId(), LOCKS.append],
    );
  }

  // ── approvals ────────────────────────────────────────────────────────────

  async createApproval(input: NewApproval, notify = true): Promise<ApprovalRow> {
    const approval = await this.#tx((tx) => this.#createApproval(tx, input));
    if (notify) this.#onCreated(approval);
    return approval;
  }

  /** A new pending approval inside the caller's transaction; the caller calls `onCreated` after commit. */
  async #createApproval(tx: Tx, input: NewApproval): Promise<ApprovalRow> {
    const row: Row = newApprovalRow(input, this.#now());
    await tx.query(
      // The tenant's append lock first (see #audit): approvals are paged by seq.
      `INSERT INTO approvals (id, tenant_id, agent_id, action, params, metadata, idempotency_key, policy_id, policy_reason, status, created_at, expires_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM (SELECT pg_advisory_xact_lock_shared($13, hashtext($2))) AS appending`,
      [row.id, row.tenant_id, row.agent_id, row.action, row.params, row.metadata, row.idempotency_key, row.policy_id, row.policy_reason, row.status, row.created_at, row.expires_at, LOCKS.append],
    );
    await this.#audit(tx, { tenantId: input.tenantId, kind: 'approval_requested', agentId: input.agentId, action: input.action, decision: 'APPROVAL_REQUIRED', policyId: input.policyId, approvalId: row.id as string, idempotencyKey: input.idempotencyKey ?? null, reason: input.policyReason });
    await this.#notify(tx, 'created', row.id as string);
    return toApproval(row);
  }

  async getApproval(tenantId: string, id: string): Promise<ApprovalRow | undefined> {
    await this.#expireDue();
    const [row] = await this.#read('SELECT * FROM approvals WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
    return row && toApproval(row);
  }

  async listApprovals(tenantId: string, status?: ApprovalStatus): Promise<ApprovalRow[]> {
    await this.#expireDue();
    const rows = await this.#read('SELECT * FROM approvals WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY created_at, seq', [tenantId, status ?? null]);
    return rows.map(toApproval);
  }

  async approvalsPage(tenantId: string, request: PageRequest & { status?: ApprovalStatus }): Promise<Page<ApprovalRow>> {
    await this.#expireDue();
    // Keyset paging on seq (insertion order), as SQLite's rowid.
    const rows = await this.#pageRead(tenantId, 'SELECT seq AS page_seq, * FROM approvals WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND seq > $3 ORDER BY seq LIMIT $4', [tenantId, request.status ?? null, request.after ?? 0, request.limit + 1]);
    return toPage(rows, request.limit, toApproval);
  }

  /** A human decision, once: the update is conditional on the row still being pending and not past its ttl. */
  async decide(tenantId: string, id: string, status: 'approved' | 'rejected', approver: string, reason: string | null): Promise<DecideResult> {
    await this.#expireDue();
    const result = await this.#tx(async (tx): Promise<DecideResult> => {
      const [current] = (await tx.query('SELECT * FROM approvals WHERE id = $1 AND tenant_id = $2', [id, tenantId])).rows as Row[];
      if (!current) return { ok: false, error: 'not_found' };
      const now = this.now();
      // Past its ttl it is expired, even if the sweep has not marked it yet: too late to decide.
      if (current.status === 'pending' && (current.expires_at as string) <= now) return { ok: false, error: 'conflict', approval: toApproval({ ...current, status: 'expired' }) };
      if (current.status !== 'pending') return { ok: false, error: 'conflict', approval: toApproval(current) };
      const stamp = await this.#decisionStamps(tx);
      // Stamped after the lock wait: an approval that expired while this waited is not decided.
      const decidedAt = stamp();
      const [updated] = (await tx.query("UPDATE approvals SET status = $1, approver = $2, reason = $3, decided_at = $4 WHERE id = $5 AND status = 'pending' AND expires_at > $4 RETURNING *", [status, approver, reason, decidedAt, id])).rows as Row[];
      if (!updated) {
        // Another instance decided (or expired) it between the read and the lock, or its time ran out.
        const [latest] = (await tx.query('SELECT * FROM approvals WHERE id = $1', [id])).rows as Row[];
        return { ok: false, error: 'conflict', approval: toApproval(latest!.status === 'pending' ? { ...latest!, status: 'expired' } : latest!) };
      }
      const approval = toApproval(updated);
      await this.#audit(tx, { tenantId, kind: 'approval_decided', agentId: approval.agentId, action: approval.action, decision: status, policyId: approval.policyId, approver, approvalId: id, idempotencyKey: approval.idempotencyKey, reason });
      await this.#notify(tx, 'decided', id);
      return { ok: true, approval };
    });
    if (result.ok) this.#onDecision(result.approval);
    return result;
  }

  /** Marks pending approvals past their expiry as expired, each once across every instance; returns the ones this call marked. */
  async expireDue(): Promise<ApprovalRow[]> {
    return this.#expireDue();
  }

  /** The cheap look (the partial index) first; the lock and the update only when something is due. */
  async #expireDue(): Promise<ApprovalRow[]> {
    const now = this.now();
    const due = await this.#read("SELECT 1 FROM approvals WHERE status = 'pending' AND expires_at <= $1 LIMIT 1", [now]);
    if (due.length === 0) return [];
    const expired = await this.#tx(async (tx) => {
      const stamp = await this.#decisionStamps(tx);
      const rows = (await tx.query("SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at, seq", [now])).rows as Array<{ id: string }>;
      const expired: ApprovalRow[] = [];
      for (const { id } of rows) {
        // Conditional: a row another instance marked first is not marked (or told) twice.
        const [row] = (await tx.query("UPDATE approvals SET status = 'expired', decided_at = $1 WHERE id = $2 AND status = 'pending' RETURNING *", [stamp(), id])).rows as Row[];
        if (!row) continue;
        const approval = toApproval(row);
        expired.push(approval);
        await this.#audit(tx, { tenantId: approval.tenantId, kind: 'approval_decided', agentId: approval.agentId, action: approval.action, decision: 'expired', policyId: approval.policyId, approvalId: approval.id, idempotencyKey: approval.idempotencyKey, reason: 'Approval window closed' });
        await this.#notify(tx, 'decided', approval.id);
      }
      return expired;
    });
    for (const approval of expired) this.#onDecision(approval);
    return expired;
  }

  async decisionsSince(tenantId: string, since: string, limit: number): Promise<ApprovalRow[]> {
    await this.#expireDue();
    const rows = await this.#read("SELECT * FROM approvals WHERE tenant_id = $1 AND status <> 'pending' AND decided_at > $2 ORDER BY decided_at, seq LIMIT $3", [tenantId, since, limit]);
    return rows.map(toApproval);
  }

  // ── guards ───────────────────────────────────────────────────────────────

  /**
   * As SQLite's guard; the key's row is claimed first (`INSERT … ON CONFLICT DO NOTHING`), so a
   * concurrent first call with the same key, on any instance, waits for this one to commit and
   * then answers from its approval. A capped call rolls its claim back: nothing is written.
   */
  async guard(tenantId: string, key: string, request: GuardInput, evaluation: StoredEvaluation, caps: PendingCaps): Promise<GuardResult> {
    await this.#expireDue();
    const result = await this.#tx(async (tx): Promise<GuardResult | Rollback<GuardResult>> => {
      const [inserted] = (
        await tx.query(
          `INSERT INTO guards (tenant_id, idempotency_key, agent_id, action, params, decision, policy_id, reason, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING *`,
          [tenantId, key, request.agentId, request.action, request.params, evaluation.decision, evaluation.policyId, evaluation.reason, this.now()],
        )
      ).rows as Row[];
      let existing: Row | undefined;
      if (!inserted) {
        [existing] = (await tx.query('SELECT * FROM guards WHERE tenant_id = $1 AND idempotency_key = $2 FOR UPDATE', [tenantId, key])).rows as Row[];
        if (!existing) throw new Error(`guard row (${tenantId}, ${key}) vanished`);
        const guard = toGuard(existing);
        if (guard.agentId !== request.agentId || guard.action !== request.action || existing.params !== request.params) return { kind: 'conflict' };
        // A key with an approval answers from it: a retry is never a new approval, cap or not.
        if (guard.approvalId) return { kind: 'ok', guard, approval: await this.#approvalById(tx, guard.approvalId), created: false };
      }
      let approval: ApprovalRow | null = null;
      if (evaluation.decision === 'APPROVAL_REQUIRED') {
        const hit = await this.#capHit(tx, tenantId, request.agentId, caps);
        if (hit) return new Rollback<GuardResult>({ kind: 'capped', hit });
        approval = await this.#createApproval(tx, { tenantId, agentId: request.agentId, action: request.action, params: JSON.parse(request.params) as Record<string, unknown>, metadata: request.metadata, idempotencyKey: key, policyId: evaluation.policyId, policyReason: evaluation.reason, ttlMs: evaluation.ttlMs });
      }
      const fresh = { decision: evaluation.decision, policy_id: evaluation.policyId, reason: evaluation.reason, approval_id: approval?.id ?? null };
      if (existing || approval) {
        await tx.query('UPDATE guards SET decision = $1, policy_id = $2, reason = $3, approval_id = $4 WHERE tenant_id = $5 AND idempotency_key = $6', [fresh.decision, fresh.policy_id, fresh.reason, fresh.approval_id, tenantId, key]);
      }
      return { kind: 'ok', guard: toGuard({ ...(existing ?? inserted!), ...fresh }), approval, created: existing ? approval !== null : true };
    });
    // Published once committed, so a listener never hears of an approval that was rolled back.
    if (result.kind === 'ok' && result.created && result.approval) this.#onCreated(result.approval);
    return result;
  }

  /**
   * The pending cap one more approval of `agentId` would go past, if any. Takes the tenant's
   * lock (held to commit) first, so two instances cannot both count the last free slot.
   */
  async #capHit(tx: Tx, tenantId: string, agentId: string, caps: PendingCaps): Promise<CapHit | undefined> {
    await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCKS.tenant, tenantId]);
    const [counts] = (await tx.query("SELECT count(*) AS tenant, count(*) FILTER (WHERE agent_id = $2) AS agent FROM approvals WHERE tenant_id = $1 AND status = 'pending' AND expires_at > $3", [tenantId, agentId, this.now()])).rows as Row[];
    if (Number(counts!.tenant) >= caps.pendingPerTenant) return { cap: 'pendingPerTenant', limit: caps.pendingPerTenant };
    if (Number(counts!.agent) >= caps.pendingPerAgent) return { cap: 'pendingPerAgent', limit: caps.pendingPerAgent };
    return undefined;
  }

  async #approvalById(tx: Tx, id: string): Promise<ApprovalRow | null> {
    const [row] = (await tx.query('SELECT * FROM approvals WHERE id = $1', [id])).rows as Row[];
    return row ? toApproval(row) : null;
  }

  async noteGuardState(tenantId: string, guard: GuardRow, answer: GuardAnswer): Promise<void> {
    if (guard.lastState === answer.status) return;
    const permit = answer.status === 'allowed' || answer.status === 'approved';
    await this.#tx(async (tx) => {
      await tx.query('UPDATE guards SET last_state = $1, permit_issued_at = COALESCE(permit_issued_at, $2) WHERE tenant_id = $3 AND idempotency_key = $4', [answer.status, permit ? this.now() : null, tenantId, guard.idempotencyKey]);
      await this.#audit(tx, { tenantId, kind: 'guard', agentId: guard.agentId, action: guard.action, decision: answer.status, policyId: answer.policyId, approver: answer.approver, approvalId: guard.approvalId, idempotencyKey: guard.idempotencyKey, reason: answer.reason });
    });
  }

  /** As SQLite's; the key's row is locked for the transaction, so two reports use an approval up once. */
  async guardReport(tenantId: string, key: string, outcome: GuardOutcome): Promise<GuardReportResult> {
    return this.#tx(async (tx): Promise<GuardReportResult> => {
      const [row] = (await tx.query('SELECT * FROM guards WHERE tenant_id = $1 AND idempotency_key = $2 FOR UPDATE', [tenantId, key])).rows as Row[];
      if (!row) return { kind: 'not_found' };
      if (row.agent_id !== outcome.agentId || row.action !== outcome.action) return { kind: 'mismatch' };
      if (row.permit_issued_at === null) return { kind: 'not_permitted', state: (row.last_state as string | null) ?? null };
      const approvalId = (row.approval_id as string | null) ?? null;
      // A retried report of the same outcome (the answer to the first was lost) changes nothing.
      const retried = row.reported_at !== null && row.outcome === outcome.outcome && row.error === outcome.error;
      const now = this.now();
      if (!retried) {
        await tx.query('UPDATE guards SET outcome = $1, error = $2, reported_at = $3 WHERE tenant_id = $4 AND idempotency_key = $5', [outcome.outcome, outcome.error, now, tenantId, key]);
        await this.#audit(tx, { tenantId, kind: 'guard_report', agentId: outcome.agentId, action: outcome.action, outcome: outcome.outcome, idempotencyKey: key, approvalId, reason: outcome.error });
      }
      const approval = approvalId ? await this.#approvalById(tx, approvalId) : null;
      if (approval?.status === 'approved' && row.executed_at === null) {
        await tx.query('UPDATE guards SET executed_at = $1 WHERE tenant_id = $2 AND idempotency_key = $3', [now, tenantId, key]);
        await this.#audit(tx, { tenantId, kind: 'approval_executed', agentId: approval.agentId, action: approval.action, decision: 'executed', policyId: approval.policyId, approver: approval.approver, outcome: outcome.outcome, approvalId, idempotencyKey: key });
        return { kind: 'ok', guard: toGuard({ ...row, executed_at: now }) };
      }
      return { kind: 'ok', guard: toGuard(row) };
    });
  }

  async unreportedPermits(tenantId: string): Promise<GuardRow[]> {
    return (await this.#read('SELECT * FROM guards WHERE tenant_id = $1 AND permit_issued_at IS NOT NULL AND reported_at IS NULL ORDER BY permit_issued_at', [tenantId])).map(toGuard);
  }

  // ── checks ───────────────────────────────────────────────────────────────

  /**
   * As SQLite's; the request id is claimed first (`INSERT … ON CONFLICT DO NOTHING`, answer
   * filled in before commit), so a concurrent repeat on any instance waits and gets the first
   * answer. A capped check rolls its claim back: nothing is written or remembered.
   */
  async checkOnce(check: CheckInput, evaluation: StoredEvaluation, answer: CheckAnswer, caps: PendingCaps): Promise<CheckOnceResult> {
    const { tenantId, requestId } = check;
    type First = { kind: 'first'; answer: Record<string, unknown>; approval: ApprovalRow | null };
    type Run = First | { kind: 'capped'; hit: CapHit };
    const run = async (tx: Tx): Promise<Run> => {
      if (evaluation.decision === 'APPROVAL_REQUIRED') {
        const hit = await this.#capHit(tx, tenantId, check.agentId, caps);
        if (hit) return { kind: 'capped', hit };
      }
      await this.#audit(tx, { tenantId, kind: 'check', agentId: check.agentId, action: check.action, decision: evaluation.decision, policyId: evaluation.policyId, requestId: requestId ?? null, reason: evaluation.reason });
      const approval =
        evaluation.decision === 'APPROVAL_REQUIRED'
          ? await this.#createApproval(tx, { tenantId, agentId: check.agentId, action: check.action, params: check.params, metadata: null, policyId: evaluation.policyId, policyReason: evaluation.reason, ttlMs: evaluation.ttlMs })
          : null;
      return { kind: 'first', answer: answer(evaluation, approval), approval };
    };
    type Outcome = Run | { kind: 'repeat'; answer: Record<string, unknown> } | { kind: 'conflict' };
    const result = await this.#tx(async (tx): Promise<Outcome | Rollback<Outcome>> => {
      if (requestId === undefined) {
        const first = await run(tx);
        return first.kind === 'capped' ? new Rollback<Outcome>(first) : first;
      }
      const claimed = (await tx.query("INSERT INTO check_requests (tenant_id, request_id, body_digest, answer, created_at) VALUES ($1, $2, $3, '', $4) ON CONFLICT (tenant_id, request_id) DO NOTHING RETURNING 1", [tenantId, requestId, check.bodyDigest, this.now()])).rowCount === 1;
      if (!claimed) {
        const cutoff = iso(this.#now().getTime() - this.#requestIdWindowMs);
        const [seen] = (await tx.query('SELECT body_digest, answer, created_at FROM check_requests WHERE tenant_id = $1 AND request_id = $2 FOR UPDATE', [tenantId, requestId])).rows as Row[];
        if (seen && (seen.created_at as string) > cutoff) return seen.body_digest === check.bodyDigest ? { kind: 'repeat', answer: JSON.parse(seen.answer as string) as Record<string, unknown> } : { kind: 'conflict' };
        // Past the window (not yet pruned): the id is new again, and its entry is replaced below.
      }
      const first = await run(tx);
      if (first.kind === 'capped') return new Rollback<Outcome>(first);
      await tx.query(
        `INSERT INTO check_requests (tenant_id, request_id, body_digest, answer, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, request_id) DO UPDATE SET body_digest = excluded.body_digest, answer = excluded.answer, created_at = excluded.created_at`,
        [tenantId, requestId, check.bodyDigest, JSON.stringify(first.answer), this.now()],
      );
      return first;
    });
    if (result.kind !== 'first') return result;
    if (result.approval) this.#onCreated(result.approval);
    return { kind: 'first', answer: result.answer };
  }

  async forgetRequestIds(): Promise<number> {
    const cutoff = iso(this.#now().getTime() - this.#requestIdWindowMs);
    await this.#ready();
    try {
      return (await this.#pool.query('DELETE FROM check_requests WHERE created_at <= $1', [cutoff])).rowCount ?? 0;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  // ── reports, agents, audit ───────────────────────────────────────────────

  /** As SQLite's; the unique (tenant, request id) makes a concurrent retry, on any instance, a no-op. */
  async report(input: ReportInput): Promise<ReportVerdict> {
    return this.#tx(async (tx): Promise<ReportVerdict> => {
      const shadow = input.result?.shadow === true;
      const key = shadow && typeof input.result?.idempotency_key === 'string' ? input.result.idempotency_key : null;
      const [check] = (await tx.query("SELECT agent_id, action, decision, policy_id FROM audit WHERE tenant_id = $1 AND request_id = $2 AND kind = 'check' ORDER BY id LIMIT 1", [input.tenantId, input.requestId])).rows as Row[];
      const guard = !check && key !== null ? ((await tx.query('SELECT * FROM guards WHERE tenant_id = $1 AND idempotency_key = $2', [input.tenantId, key])).rows[0] as Row | undefined) : undefined;
      const decided = check ?? guard;
      if (decided && (decided.agent_id !== input.agentId || decided.action !== input.action)) {
        return { kind: 'mismatch', detail: check ? `request_id "${input.requestId}" names a check this server answered for another agent or action` : `idempotency_key "${key}" names a guarded action of another agent or action` };
      }
      if (check && (check.decision !== input.decision || ((check.policy_id as string | null) ?? null) !== input.policyId)) {
        return { kind: 'mismatch', detail: `request_id "${input.requestId}": this server answered ${String(check.decision)} (policy ${String(check.policy_id ?? 'none')}), not ${input.decision} (policy ${input.policyId ?? 'none'})` };
      }
      const verified = decided !== undefined;
      const inserted = (
        await tx.query('INSERT INTO reports (tenant_id, request_id, agent_id, action, status, decision, policy_id, result, created_at, verified) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (tenant_id, request_id) DO NOTHING', [
          input.tenantId,
          input.requestId,
          input.agentId,
          input.action,
          input.status,
          input.decision,
          input.policyId,
          input.result === null ? null : JSON.stringify(input.result),
          this.now(),
          verified ? 1 : 0,
        ])
      ).rowCount;
      if (inserted === 0) return { kind: verified ? 'verified' : 'unverified' };
      const base = { tenantId: input.tenantId, agentId: input.agentId, action: input.action, outcome: input.status, requestId: input.requestId, idempotencyKey: key };
      if (!verified) {
        await this.#audit(tx, { ...base, kind: 'unverified_report', reason: `Unverified: no decision of this server has this request id${key === null ? '' : ' or guard key'}; the agent claimed ${input.decision}` });
        return { kind: 'unverified' };
      }
      const decision = check ? (check.decision as string) : ((guard!.last_state as string | null) ?? (guard!.decision as string));
      const policyId = ((check ?? guard)!.policy_id as string | null) ?? null;
      await this.#audit(tx, { ...base, kind: shadow ? 'shadow_report' : 'report', decision, policyId });
      return { kind: 'verified' };
    });
  }

  async agentStatus(tenantId: string, agentId: string): Promise<AgentStatus> {
    const [row] = await this.#read('SELECT status FROM agents WHERE tenant_id = $1 AND agent_id = $2', [tenantId, agentId]);
    return (row?.status as AgentStatus | undefined) ?? 'OK';
  }

  async setAgentStatus(tenantId: string, agentId: string, status: AgentStatus): Promise<void> {
    await this.#tx(async (tx) => {
      await tx.query('INSERT INTO agents (tenant_id, agent_id, status, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, agent_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at', [tenantId, agentId, status, this.now()]);
      await this.#audit(tx, { tenantId, kind: 'agent_status', agentId, decision: status });
    });
  }

  async audit(entry: AuditInput): Promise<void> {
    await this.#tx((tx) => this.#audit(tx, entry));
  }

  async auditTrail(tenantId: string): Promise<AuditEntry[]> {
    return (await this.#read('SELECT * FROM audit WHERE tenant_id = $1 ORDER BY id', [tenantId])).map(toAudit);
  }

  async auditPage(tenantId: string, request: PageRequest): Promise<Page<AuditEntry>> {
    const rows = await this.#pageRead(tenantId, 'SELECT id AS page_seq, * FROM audit WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3', [tenantId, request.after ?? 0, request.limit + 1]);
    return toPage(rows, request.limit, toAudit);
  }
}
