import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { AgentStatus, ApprovalStatus } from '@haltstate/core';
import { MIGRATIONS } from './migrations.js';
import { newApprovalRow, type Row, toApproval, toAudit, toGuard, toPage } from './rows.js';
import { StoreUnavailableError } from './store-unavailable.js';
import { currentTraceId } from '../trace-context.js';
import type { CapHit, CheckAnswer, CheckInput, CheckOnceResult, DecideResult, GuardInput, GuardReportResult, GuardResult, Page, PageRequest, PendingCaps, ReportVerdict, Store, StoredEvaluation, StoreOptions } from './store.js';
import type { ApprovalRow, AuditEntry, AuditInput, GuardAnswer, GuardOutcome, GuardRow, NewApproval, ReportInput } from './types.js';

/** Every statement the store runs, prepared once when it opens (after the migrations). */
function prepareStatements(db: Database.Database) {
  return {
    insertApproval: db.prepare(`INSERT INTO approvals (id, tenant_id, agent_id, action, params, metadata, idempotency_key, policy_id, policy_reason, status, created_at, expires_at)
                VALUES (@id, @tenant_id, @agent_id, @action, @params, @metadata, @idempotency_key, @policy_id, @policy_reason, @status, @created_at, @expires_at)`),
    approvalOfTenant: db.prepare('SELECT * FROM approvals WHERE id = ? AND tenant_id = ?'),
    approvalsWithStatus: db.prepare('SELECT * FROM approvals WHERE tenant_id = ? AND status = ? ORDER BY created_at, rowid'),
    approvals: db.prepare('SELECT * FROM approvals WHERE tenant_id = ? ORDER BY created_at, rowid'),
    decideApproval: db.prepare('UPDATE approvals SET status = ?, approver = ?, reason = ?, decided_at = ? WHERE id = ?'),
    dueApprovals: db.prepare("SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at, rowid"),
    expireApproval: db.prepare("UPDATE approvals SET status = 'expired', decided_at = ? WHERE id = ? AND status = 'pending'"),
    decisionsSince: db.prepare("SELECT * FROM approvals WHERE tenant_id = ? AND status != 'pending' AND decided_at > ? ORDER BY decided_at, rowid LIMIT ?"),
    guard: db.prepare('SELECT * FROM guards WHERE tenant_id = ? AND idempotency_key = ?'),
    reevaluateGuard: db.prepare('UPDATE guards SET decision = @decision, policy_id = @policy_id, reason = @reason, approval_id = @approval_id WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key'),
    insertGuard: db.prepare(`INSERT INTO guards (tenant_id, idempotency_key, agent_id, action, params, decision, policy_id, reason, approval_id, created_at)
                  VALUES (@tenant_id, @idempotency_key, @agent_id, @action, @params, @decision, @policy_id, @reason, @approval_id, @created_at)`),
    noteGuardState: db.prepare('UPDATE guards SET last_state = ?, permit_issued_at = COALESCE(permit_issued_at, ?) WHERE tenant_id = ? AND idempotency_key = ?'),
    reportGuard: db.prepare('UPDATE guards SET outcome = ?, error = ?, reported_at = ? WHERE tenant_id = ? AND idempotency_key = ?'),
    executeGuard: db.prepare('UPDATE guards SET executed_at = ? WHERE tenant_id = ? AND idempotency_key = ?'),
    unreportedPermits: db.prepare('SELECT * FROM guards WHERE tenant_id = ? AND permit_issued_at IS NOT NULL AND reported_at IS NULL ORDER BY permit_issued_at'),
    seenCheck: db.prepare('SELECT body_digest, answer FROM check_requests WHERE tenant_id = ? AND request_id = ? AND created_at > ?'),
    rememberCheck: db.prepare('INSERT INTO check_requests (tenant_id, request_id, body_digest, answer, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, request_id) DO UPDATE SET body_digest = excluded.body_digest, answer = excluded.answer, created_at = excluded.created_at'),
    forgetChecks: db.prepare('DELETE FROM check_requests WHERE created_at <= ?'),
    insertReport: db.prepare('INSERT INTO reports (tenant_id, request_id, agent_id, action, status, decision, policy_id, result, created_at, verified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, request_id) DO NOTHING'),
    checkDecision: db.prepare("SELECT agent_id, action, decision, policy_id FROM audit WHERE tenant_id = ? AND request_id = ? AND kind = 'check' ORDER BY id LIMIT 1"),
    pendingOfTenant: db.prepare("SELECT COUNT(*) AS n FROM approvals WHERE tenant_id = ? AND status = 'pending' AND expires_at > ?"),
    pendingOfAgent: db.prepare("SELECT COUNT(*) AS n FROM approvals WHERE tenant_id = ? AND status = 'pending' AND agent_id = ? AND expires_at > ?"),
    agentStatus: db.prepare('SELECT status FROM agents WHERE tenant_id = ? AND agent_id = ?'),
    setAgentStatus: db.prepare('INSERT INTO agents (tenant_id, agent_id, status, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, agent_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at'),
    insertAudit: db.prepare(`INSERT INTO audit (time, tenant_id, kind, agent_id, action, decision, policy_id, approver, outcome, approval_id, idempotency_key, request_id, reason, trace_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    auditTrail: db.prepare('SELECT * FROM audit WHERE tenant_id = ? ORDER BY id'),
    approvalById: db.prepare('SELECT * FROM approvals WHERE id = ?'),
  };
}

/**
 * All state of the local server in SQLite (WAL mode): approvals, guard states, reports, agent
 * statuses and the audit trail. `:memory:` for tests; a file survives restarts.
 * Every method returns a promise but does its work synchronously, before it returns: each write
 * is one IMMEDIATE better-sqlite3 transaction with no await inside it, and the guard path's is on
 * a unique key, so concurrent first calls with one key make exactly one approval.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #sql: ReturnType<typeof prepareStatements>;
  readonly #now: () => Date;
  readonly #onDecision: (approval: ApprovalRow) => void;
  readonly #onCreated: (approval: ApprovalRow) => void;
  /** The last decision's time: every new decision is stamped strictly after it. @unit epoch ms */
  #lastDecisionMs: number;
  readonly #requestIdWindowMs: number;
  #pageStatements: Record<'approvals' | 'audit', Database.Statement> | undefined;

  /**
   * `onCreated` hears every new approval request; `onDecision` every approval that was approved,
   * rejected or expired. Both are called after the change is stored. `requestIdWindowMs` is how
   * long a check's X-Request-Id is remembered (default 24 h).
   */
  constructor(file: string, options: Omit<StoreOptions, 'db'> = {}) {
    this.#db = new Database(file);
    this.#now = options.now ?? (() => new Date());
    this.#requestIdWindowMs = options.requestIdWindowMs ?? 24 * 3_600_000;
    this.#onDecision = options.onDecision ?? (() => undefined);
    this.#onCreated = options.onCreated ?? (() => undefined);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('foreign_keys = ON');
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    for (let index = version; index < MIGRATIONS.length; index++) {
      this.#db.transaction(() => {
        this.#db.exec(MIGRATIONS[index]!);
        this.#db.pragma(`user_version = ${index + 1}`);
      })();
    }
    const last = (this.#db.prepare('SELECT MAX(decided_at) AS last FROM approvals').get() as Row).last as string | null;
    this.#lastDecisionMs = last === null ? 0 : Date.parse(last);
    this.#sql = prepareStatements(this.#db);
  }

  now(): string {
    return this.#now().toISOString();
  }

  /**
   * The time of a decision being recorded now: strictly after every earlier decision of this
   * server (the clock's millisecond, or the last decision's + 1 ms when the clock has not moved
   * past it), so a cursor `> decided_at` never skips a decision made in the same millisecond.
   */
  #decisionTime(): string {
    this.#lastDecisionMs = Math.max(this.#now().getTime(), this.#lastDecisionMs + 1);
    return new Date(this.#lastDecisionMs).toISOString();
  }

  /** Ready when open: the migrations ran in the constructor. */
  async ping(): Promise<void> {
    if (!this.#db.open) throw new StoreUnavailableError('The SQLite store is closed');
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  // ── approvals ────────────────────────────────────────────────────────────

  /** A new pending approval. `notify: false` when the caller publishes it after its own transaction commits. */
  async createApproval(input: NewApproval, notify = true): Promise<ApprovalRow> {
    return this.#createApproval(input, notify);
  }

  /** {@link createApproval} inside a caller's transaction (synchronous: no await may split it). */
  #createApproval(input: NewApproval, notify = true): ApprovalRow {
    const row = newApprovalRow(input, this.#now());
    this.#sql.insertApproval.run(row);
    this.#audit({ tenantId: input.tenantId, kind: 'approval_requested', agentId: input.agentId, action: input.action, decision: 'APPROVAL_REQUIRED', policyId: input.policyId, approvalId: row.id, idempotencyKey: input.idempotencyKey ?? null, reason: input.policyReason });
    const approval = toApproval(row);
    if (notify) this.#onCreated(approval);
    return approval;
  }

  async getApproval(tenantId: string, id: string): Promise<ApprovalRow | undefined> {
    this.#expireDue();
    const row = this.#sql.approvalOfTenant.get(id, tenantId) as Row | undefined;
    return row && toApproval(row);
  }

  async listApprovals(tenantId: string, status?: ApprovalStatus): Promise<ApprovalRow[]> {
    this.#expireDue();
    const rows = status
      ? this.#sql.approvalsWithStatus.all(tenantId, status)
      : this.#sql.approvals.all(tenantId);
    return (rows as Row[]).map(toApproval);
  }

  async approvalsPage(tenantId: string, request: PageRequest & { status?: ApprovalStatus }): Promise<Page<ApprovalRow>> {
    this.#expireDue();
    // Keyset paging on the row id (insertion order): a row inserted while a client pages through
    // lands after every cursor it has, so nothing is skipped or shown twice.
    const rows = this.#pageSql.approvals.all({ tenant: tenantId, status: request.status ?? null, after: request.after ?? 0, limit: request.limit + 1 }) as Row[];
    return toPage(rows, request.limit, toApproval);
  }

  /** A human decision. `conflict` when already decided (or expired), `not_found` for another tenant's id. */
  async decide(tenantId: string, id: string, status: 'approved' | 'rejected', approver: string, reason: string | null): Promise<DecideResult> {
    this.#expireDue();
    const result = this.#db.transaction(() => {
      const current = this.#sql.approvalOfTenant.get(id, tenantId) as Row | undefined;
      if (!current) return { ok: false as const, error: 'not_found' as const };
      // Past its ttl it is expired, even if the sweep has not marked it yet: too late to decide.
      if (current.status === 'pending' && (current.expires_at as string) <= this.now()) return { ok: false as const, error: 'conflict' as const, approval: toApproval({ ...current, status: 'expired' }) };
      if (current.status !== 'pending') return { ok: false as const, error: 'conflict' as const, approval: toApproval(current) };
      const decidedAt = this.#decisionTime();
      this.#sql.decideApproval.run(status, approver, reason, decidedAt, id);
      const approval = toApproval({ ...current, status, approver, reason, decided_at: decidedAt });
      this.#audit({ tenantId, kind: 'approval_decided', agentId: approval.agentId, action: approval.action, decision: status, policyId: approval.policyId, approver, approvalId: id, idempotencyKey: approval.idempotencyKey, reason });
      return { ok: true as const, approval };
    }).immediate();
    if (result.ok) this.#onDecision(result.approval);
    return result;
  }

  /**
   * Marks pending approvals past their expiry as expired; returns them (for the stream). An
   * expiry's decision time is when it is recorded here (not `expires_at`), so a client whose
   * cursor is already past `expires_at` still sees it.
   */
  async expireDue(): Promise<ApprovalRow[]> {
    return this.#expireDue();
  }

  /** {@link expireDue}, synchronous: the methods that expire first call it before their own transaction. */
  #expireDue(): ApprovalRow[] {
    const now = this.now();
    const due = this.#sql.dueApprovals.all(now) as Row[];
    if (due.length === 0) return [];
    const expired = this.#db.transaction(() => {
      const expired: ApprovalRow[] = [];
      for (const row of due) {
        const decidedAt = this.#decisionTime();
        const changed = this.#sql.expireApproval.run(decidedAt, row.id).changes;
        if (changed === 0) continue;
        const approval = toApproval({ ...row, status: 'expired', decided_at: decidedAt });
        expired.push(approval);
        this.#audit({ tenantId: approval.tenantId, kind: 'approval_decided', agentId: approval.agentId, action: approval.action, decision: 'expired', policyId: approval.policyId, approvalId: approval.id, idempotencyKey: approval.idempotencyKey, reason: 'Approval window closed' });
      }
      return expired;
    }).immediate();
    for (const approval of expired) this.#onDecision(approval);
    return expired;
  }

  /** Decided approvals after `since` (exclusive), oldest first. */
  async decisionsSince(tenantId: string, since: string, limit: number): Promise<ApprovalRow[]> {
    this.#expireDue();
    const rows = this.#sql.decisionsSince.all(tenantId, since, limit) as Row[];
    return rows.map(toApproval);
  }

  // ── guards ───────────────────────────────────────────────────────────────

  /**
   * The guard record for (tenant, key) and the approval bound to it. Only a human's decision is
   * bound to a key: once the key has an approval it answers from that approval; until then
   * `evaluation` (the policy and the kill switch as they were for this call, evaluated before the
   * transaction) decides on every call, and an APPROVAL_REQUIRED answer binds a new approval to
   * the key, unless a pending cap is full (`capped`, nothing written). `conflict` when the key
   * was used for a different agent, action or params.
   */
  async guard(tenantId: string, key: string, request: GuardInput, evaluation: StoredEvaluation, caps: PendingCaps): Promise<GuardResult> {
    this.#expireDue();
    const result = this.#db.transaction((): GuardResult => {
      const existing = this.#sql.guard.get(tenantId, key) as Row | undefined;
      if (existing) {
        const guard = toGuard(existing);
        if (guard.agentId !== request.agentId || guard.action !== request.action || existing.params !== request.params) return { kind: 'conflict' };
        // A key with an approval answers from it: a retry is never a new approval, cap or not.
        if (guard.approvalId) return { kind: 'ok', guard, approval: this.#approvalById(guard.approvalId), created: false };
      }
      let approval: ApprovalRow | null = null;
      if (evaluation.decision === 'APPROVAL_REQUIRED') {
        const hit = this.#capHit(tenantId, request.agentId, caps);
        if (hit) return { kind: 'capped', hit };
        approval = this.#createApproval({ tenantId, agentId: request.agentId, action: request.action, params: JSON.parse(request.params) as Record<string, unknown>, metadata: request.metadata, idempotencyKey: key, policyId: evaluation.policyId, policyReason: evaluation.reason, ttlMs: evaluation.ttlMs }, false);
      }
      const fresh = { decision: evaluation.decision, policy_id: evaluation.policyId, reason: evaluation.reason, approval_id: approval?.id ?? null };
      if (existing) {
        this.#sql.reevaluateGuard.run({ ...fresh, tenant_id: tenantId, idempotency_key: key });
        return { kind: 'ok', guard: toGuard({ ...existing, ...fresh }), approval, created: approval !== null };
      }
      const row = { tenant_id: tenantId, idempotency_key: key, agent_id: request.agentId, action: request.action, params: request.params, ...fresh, created_at: this.now() };
      // The primary key on (tenant_id, idempotency_key) is what makes a second writer fail.
      this.#sql.insertGuard
        .run(row);
      return { kind: 'ok', guard: toGuard(row), approval, created: true };
    }).immediate();
    // Published once committed, so a listener never hears of an approval that was rolled back.
    if (result.kind === 'ok' && result.created && result.approval) this.#onCreated(result.approval);
    return result;
  }

  /** The pending cap one more approval of `agentId` would go past, if any (read inside the caller's transaction). */
  #capHit(tenantId: string, agentId: string, caps: PendingCaps): CapHit | undefined {
    const now = this.now();
    const ofTenant = (this.#sql.pendingOfTenant.get(tenantId, now) as { n: number }).n;
    if (ofTenant >= caps.pendingPerTenant) return { cap: 'pendingPerTenant', limit: caps.pendingPerTenant };
    const ofAgent = (this.#sql.pendingOfAgent.get(tenantId, agentId, now) as { n: number }).n;
    if (ofAgent >= caps.pendingPerAgent) return { cap: 'pendingPerAgent', limit: caps.pendingPerAgent };
    return undefined;
  }

  /** Records the state a guard call answered, auditing it when it changed. */
  async noteGuardState(tenantId: string, guard: GuardRow, answer: GuardAnswer): Promise<void> {
    if (guard.lastState === answer.status) return;
    const permit = answer.status === 'allowed' || answer.status === 'approved';
    this.#sql.noteGuardState
      .run(answer.status, permit ? this.now() : null, tenantId, guard.idempotencyKey);
    this.#audit({ tenantId, kind: 'guard', agentId: guard.agentId, action: guard.action, decision: answer.status, policyId: answer.policyId, approver: answer.approver, approvalId: guard.approvalId, idempotencyKey: guard.idempotencyKey, reason: answer.reason });
  }

  /**
   * Records a guarded action's outcome. Only for the key's own agent and action, and only when the
   * server let the action run (a permit was answered: allowed or approved); anything else is
   * refused and nothing is written. The first report (success or error) for a key whose approval
   * is approved uses that approval up: from then on the key answers `executed`.
   */
  async guardReport(tenantId: string, key: string, outcome: GuardOutcome): Promise<GuardReportResult> {
    return this.#db.transaction((): GuardReportResult => {
      const row = this.#sql.guard.get(tenantId, key) as Row | undefined;
      if (!row) return { kind: 'not_found' };
      if (row.agent_id !== outcome.agentId || row.action !== outcome.action) return { kind: 'mismatch' };
      if (row.permit_issued_at === null) return { kind: 'not_permitted', state: (row.last_state as string | null) ?? null };
      const approvalId = (row.approval_id as string | null) ?? null;
      // A retried report of the same outcome (the answer to the first was lost) changes nothing.
      const retried = row.reported_at !== null && row.outcome === outcome.outcome && row.error === outcome.error;
      const now = this.now();
      if (!retried) {
        this.#sql.reportGuard.run(outcome.outcome, outcome.error, now, tenantId, key);
        this.#audit({ tenantId, kind: 'guard_report', agentId: outcome.agentId, action: outcome.action, outcome: outcome.outcome, idempotencyKey: key, approvalId, reason: outcome.error });
      }
      const approval = approvalId ? this.#approvalById(approvalId) : null;
      if (approval?.status === 'approved' && row.executed_at === null) {
        this.#sql.executeGuard.run(now, tenantId, key);
        this.#audit({ tenantId, kind: 'approval_executed', agentId: approval.agentId, action: approval.action, decision: 'executed', policyId: approval.policyId, approver: approval.approver, outcome: outcome.outcome, approvalId, idempotencyKey: key });
        return { kind: 'ok', guard: toGuard({ ...row, executed_at: now }) };
      }
      return { kind: 'ok', guard: toGuard(row) };
    }).immediate();
  }

  /** Guards that were let through but never reported: crashed after (or while) acting. */
  async unreportedPermits(tenantId: string): Promise<GuardRow[]> {
    return (this.#sql.unreportedPermits.all(tenantId) as Row[]).map(toGuard);
  }

  // ── checks ───────────────────────────────────────────────────────────────

  /**
   * Runs a check once per (tenant, X-Request-Id): its audit line, the approval it may need and
   * remembering the answer are one transaction (the evaluation was made before it). A repeat
   * within the window with the same body digest gets the stored answer; with another digest it is
   * a `conflict`. An approval past a pending cap is `capped`, and nothing is written or
   * remembered (a retry asks again). Without a request id, the check simply runs. A new approval
   * is published after the commit.
   */
  async checkOnce(check: CheckInput, evaluation: StoredEvaluation, answer: CheckAnswer, caps: PendingCaps): Promise<CheckOnceResult> {
    const { tenantId, requestId } = check;
    type Run = { kind: 'first'; answer: Record<string, unknown>; approval: ApprovalRow | null } | { kind: 'capped'; hit: CapHit };
    const run = (): Run => {
      if (evaluation.decision === 'APPROVAL_REQUIRED') {
        const hit = this.#capHit(tenantId, check.agentId, caps);
        if (hit) return { kind: 'capped', hit };
      }
      this.#audit({ tenantId, kind: 'check', agentId: check.agentId, action: check.action, decision: evaluation.decision, policyId: evaluation.policyId, requestId: requestId ?? null, reason: evaluation.reason });
      const approval =
        evaluation.decision === 'APPROVAL_REQUIRED'
          ? this.#createApproval({ tenantId, agentId: check.agentId, action: check.action, params: check.params, metadata: null, policyId: evaluation.policyId, policyReason: evaluation.reason, ttlMs: evaluation.ttlMs }, false)
          : null;
      return { kind: 'first', answer: answer(evaluation, approval), approval };
    };
    const result = this.#db.transaction((): Run | { kind: 'repeat'; answer: Record<string, unknown> } | { kind: 'conflict' } => {
      if (requestId === undefined) return run();
      const cutoff = new Date(this.#now().getTime() - this.#requestIdWindowMs).toISOString();
      const seen = this.#sql.seenCheck.get(tenantId, requestId, cutoff) as Row | undefined;
      if (seen) return seen.body_digest === check.bodyDigest ? { kind: 'repeat', answer: JSON.parse(seen.answer as string) as Record<string, unknown> } : { kind: 'conflict' };
      const first = run();
      // An entry past the window (not yet pruned) is replaced: the id is new again.
      if (first.kind === 'first') this.#sql.rememberCheck.run(tenantId, requestId, check.bodyDigest, JSON.stringify(first.answer), this.now());
      return first;
    }).immediate();
    if (result.kind !== 'first') return result;
    if (result.approval) this.#onCreated(result.approval);
    return { kind: 'first', answer: result.answer };
  }

  /** Forgets check request ids older than the window (the sweep calls it); returns how many. */
  async forgetRequestIds(): Promise<number> {
    const cutoff = new Date(this.#now().getTime() - this.#requestIdWindowMs).toISOString();
    return this.#sql.forgetChecks.run(cutoff).changes;
  }

  // ── reports, agents, audit ───────────────────────────────────────────────

  /**
   * Records a check's outcome once: a retried report (same request id) is accepted and ignored.
   * The report is checked against what this server decided: the check audited with its request
   * id (or, for a shadow guard run, the guard key its result names) must be for the same agent
   * and action (and, for a check, the same decision and policy). Verified, it is audited with the
   * server's decision; naming nothing, it is kept as the agent's unverified claim
   * (`unverified_report`, no decision); contradicting a decision, it is refused.
   */
  async report(input: ReportInput): Promise<ReportVerdict> {
    return this.#db.transaction((): ReportVerdict => {
      const shadow = input.result?.shadow === true;
      const key = shadow && typeof input.result?.idempotency_key === 'string' ? input.result.idempotency_key : null;
      const check = this.#sql.checkDecision.get(input.tenantId, input.requestId) as Row | undefined;
      const guard = !check && key !== null ? (this.#sql.guard.get(input.tenantId, key) as Row | undefined) : undefined;
      const decided = check ?? guard;
      if (decided && (decided.agent_id !== input.agentId || decided.action !== input.action)) {
        return { kind: 'mismatch', detail: check ? `request_id "${input.requestId}" names a check this server answered for another agent or action` : `idempotency_key "${key}" names a guarded action of another agent or action` };
      }
      if (check && (check.decision !== input.decision || ((check.policy_id as string | null) ?? null) !== input.policyId)) {
        return { kind: 'mismatch', detail: `request_id "${input.requestId}": this server answered ${String(check.decision)} (policy ${String(check.policy_id ?? 'none')}), not ${input.decision} (policy ${input.policyId ?? 'none'})` };
      }
      const verified = decided !== undefined;
      const inserted = this.#sql.insertReport
        .run(input.tenantId, input.requestId, input.agentId, input.action, input.status, input.decision, input.policyId, input.result === null ? null : JSON.stringify(input.result), this.now(), verified ? 1 : 0).changes;
      if (inserted === 0) return { kind: verified ? 'verified' : 'unverified' };
      const base = { tenantId: input.tenantId, agentId: input.agentId, action: input.action, outcome: input.status, requestId: input.requestId, idempotencyKey: key };
      if (!verified) {
        this.#audit({ ...base, kind: 'unverified_report', reason: `Unverified: no decision of this server has this request id${key === null ? '' : ' or guard key'}; the agent claimed ${input.decision}` });
        return { kind: 'unverified' };
      }
      // The server's own decision goes on the record, never the report's: a check's decision
      // and policy, or for a shadow guard run the state the key last answered.
      const decision = check ? (check.decision as string) : ((guard!.last_state as string | null) ?? (guard!.decision as string));
      const policyId = ((check ?? guard)!.policy_id as string | null) ?? null;
      // A shadow run (the client's shadow mode) is marked in the result, the body's one free field.
      this.#audit({ ...base, kind: shadow ? 'shadow_report' : 'report', decision, policyId });
      return { kind: 'verified' };
    }).immediate();
  }

  async agentStatus(tenantId: string, agentId: string): Promise<AgentStatus> {
    const row = this.#sql.agentStatus.get(tenantId, agentId) as Row | undefined;
    return (row?.status as AgentStatus | undefined) ?? 'OK';
  }

  async setAgentStatus(tenantId: string, agentId: string, status: AgentStatus): Promise<void> {
    this.#sql.setAgentStatus
      .run(tenantId, agentId, status, this.now());
    this.#audit({ tenantId, kind: 'agent_status', agentId, decision: status });
  }

  async audit(entry: AuditInput): Promise<void> {
    this.#audit(entry);
  }

  /** {@link audit} inside a caller's transaction (synchronous). */
  #audit(entry: AuditInput): void {
    this.#sql.insertAudit
      .run(this.now(), entry.tenantId, entry.kind, entry.agentId ?? null, entry.action ?? null, entry.decision ?? null, entry.policyId ?? null, entry.approver ?? null, entry.outcome ?? null, entry.approvalId ?? null, entry.idempotencyKey ?? null, entry.requestId ?? null, entry.reason ?? null, entry.traceId ?? currentTraceId());
  }

  async auditTrail(tenantId: string): Promise<AuditEntry[]> {
    return (this.#sql.auditTrail.all(tenantId) as Row[]).map(toAudit);
  }

  async auditPage(tenantId: string, request: PageRequest): Promise<Page<AuditEntry>> {
    const rows = this.#pageSql.audit.all({ tenant: tenantId, after: request.after ?? 0, limit: request.limit + 1 }) as Row[];
    return toPage(rows, request.limit, toAudit);
  }

  get #pageSql() {
    this.#pageStatements ??= {
      approvals: this.#db.prepare('SELECT rowid AS page_seq, * FROM approvals WHERE tenant_id = @tenant AND (@status IS NULL OR status = @status) AND rowid > @after ORDER BY rowid LIMIT @limit'),
      audit: this.#db.prepare('SELECT id AS page_seq, * FROM audit WHERE tenant_id = @tenant AND id > @after ORDER BY id LIMIT @limit'),
    };
    return this.#pageStatements;
  }

  #approvalById(id: string): ApprovalRow | null {
    const row = this.#sql.approvalById.get(id) as Row | undefined;
    return row ? toApproval(row) : null;
  }
}
