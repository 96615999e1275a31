import type { AgentStatus, ApprovalStatus, DecisionValue } from '@haltstate/core';
import type { StoreUnavailableError } from './store-unavailable.js';
import type { ApprovalRow, AuditEntry, AuditInput, GuardAnswer, GuardOutcome, GuardRow, NewApproval, ReportInput } from './types.js';

/** What a guard call asks for; `params` is the canonical JSON of the call's params. */
export interface GuardInput {
  agentId: string;
  action: string;
  params: string;
  metadata: Record<string, unknown> | null;
}

/** The policy's (or kill switch's) answer, as the store records it. */
export interface StoredEvaluation {
  decision: DecisionValue;
  policyId: string | null;
  reason: string;
  ttlMs: number;
}

/** The caps on pending approvals a new approval must fit under (the server's limits). */
export interface PendingCaps {
  pendingPerTenant: number;
  pendingPerAgent: number;
}

/** The cap a new approval would have gone past: its setting's name and its value. */
export interface CapHit {
  cap: keyof PendingCaps;
  limit: number;
}

/**
 * The outcome of {@link Store.guard}. `conflict`: the key was used for another agent, action or
 * params. `capped`: the call needs a new approval and a pending cap is full (nothing was written).
 */
export type GuardResult = { kind: 'conflict' } | { kind: 'capped'; hit: CapHit } | { kind: 'ok'; guard: GuardRow; approval: ApprovalRow | null; created: boolean };

/**
 * The outcome of {@link Store.report}. `verified`: it names a decision of this server (a check's
 * request id, or for a shadow guard run the guard key) for the same agent and action, and is
 * recorded with the server's decision. `unverified`: it names none; it is kept apart as the
 * agent's claim, never as a decision. `mismatch`: it names one, but for another agent, action or
 * decision (refused, nothing written).
 */
export type ReportVerdict = { kind: 'verified' | 'unverified' } | { kind: 'mismatch'; detail: string };

/**
 * The outcome of {@link Store.guardReport}. `mismatch`: the key guards another agent or action.
 * `not_permitted`: the server never let the key's action run (`state` is what it last answered).
 */
export type GuardReportResult = { kind: 'ok'; guard: GuardRow } | { kind: 'not_found' | 'mismatch' } | { kind: 'not_permitted'; state: string | null };

/** Which page of a list: at most `limit` rows after the row `after` names (from the last page's `next`). */
export interface PageRequest {
  limit: number;
  after?: number;
}

/** One page of a list, oldest first; `next` is the `after` of the next page, null on the last. */
export interface Page<T> {
  rows: T[];
  next: number | null;
}

/** The outcome of {@link Store.decide}. */
export type DecideResult = { ok: true; approval: ApprovalRow } | { ok: false; error: 'not_found' | 'conflict'; approval?: ApprovalRow };

/** One check, as {@link Store.checkOnce} records it; `bodyDigest` tells a retry from a reuse of its request id. */
export interface CheckInput {
  tenantId: string;
  requestId: string | undefined;
  bodyDigest: string;
  agentId: string;
  action: string;
  params: Record<string, unknown>;
}

/** Builds a check's answer from its evaluation and the approval it opened (if any); the store remembers it for retries. */
export type CheckAnswer = (evaluation: StoredEvaluation, approval: ApprovalRow | null) => Record<string, unknown>;

/** The outcome of {@link Store.checkOnce}. */
export type CheckOnceResult = { kind: 'first' | 'repeat'; answer: Record<string, unknown> } | { kind: 'conflict' } | { kind: 'capped'; hit: CapHit };

/** What a store tells the server after a change is stored (the server streams it). */
export interface StoreEvents {
  /** Every new approval request. */
  onCreated?: (approval: ApprovalRow) => void;
  /** Every approval that was approved, rejected or expired. */
  onDecision?: (approval: ApprovalRow) => void;
  /**
   * The store may have missed changes made elsewhere (PostgreSQL: its LISTEN connection was lost
   * and is back, so other instances' notifications may be gone). The server ends its event
   * streams, so clients reconnect and replay from their cursor. SQLite never calls it.
   */
  onGap?: () => void;
}

/**
 * Options of {@link createStore} (and so of every store).
 *
 * @example
 * createStore({ db: ':memory:', now: () => new Date('2026-01-01T00:00:00Z'), requestIdWindowMs: 60_000 });
 */
export interface StoreOptions extends StoreEvents {
  /** SQLite file, `:memory:`, or a PostgreSQL URL (`postgres://…` / `postgresql://…`). */
  db: string;
  /** Clock, for tests. */
  now?: () => Date;
  /** How long a check's X-Request-Id is remembered. @unit milliseconds @default 86400000 (24 h) */
  requestIdWindowMs?: number;
  /** PostgreSQL only: the most connections the store's pool opens. @default 10 */
  poolSize?: number;
}

/**
 * All state of the local server: approvals, guard states, reports, agent statuses, remembered
 * check request ids and the audit trail. The server, its routes and its context know only this
 * interface; {@link createStore} picks the implementation (SQLite, or PostgreSQL for a `postgres://` URL).
 *
 * Every method but `now` returns a promise, so a store on a networked database (PostgreSQL) can
 * implement it. Each call is atomic where it matters: the SQLite store runs it to its end in one
 * transaction before returning, so concurrent first calls with one key make exactly one
 * approval; any store must keep that (a unique key, never a read-then-write). The policy is
 * evaluated before `guard` and `checkOnce` are called (never inside the transaction), so the
 * write lock is held only for reads and writes of rows. `onCreated`/`onDecision` are called
 * synchronously once a change is committed.
 *
 * @example
 * const store: Store = createStore({ db: ':memory:' });
 * await store.setAgentStatus('acme', 'payment-bot-1', 'KILL');
 * await store.agentStatus('acme', 'payment-bot-1'); // 'KILL'
 */
export interface Store {
  /** The store's clock, as an ISO-8601 string. */
  now(): string;
  close(): Promise<void>;
  /**
   * Resolves once the store is ready for requests (schema migrated, database reachable); rejects
   * with {@link StoreUnavailableError} when it is not. The readiness route asks it.
   */
  ping(): Promise<void>;

  /** A new pending approval. `notify: false` when the caller publishes it after its own transaction commits. */
  createApproval(input: NewApproval, notify?: boolean): Promise<ApprovalRow>;
  getApproval(tenantId: string, id: string): Promise<ApprovalRow | undefined>;
  listApprovals(tenantId: string, status?: ApprovalStatus): Promise<ApprovalRow[]>;
  /** One page of the tenant's approvals (with the status, if given), in insertion order; rows inserted meanwhile come after every cursor already handed out. */
  approvalsPage(tenantId: string, request: PageRequest & { status?: ApprovalStatus }): Promise<Page<ApprovalRow>>;
  /** A human decision. `conflict` when already decided (or expired), `not_found` for another tenant's id. */
  decide(tenantId: string, id: string, status: 'approved' | 'rejected', approver: string, reason: string | null): Promise<DecideResult>;
  /** Marks pending approvals past their expiry as expired; returns them. */
  expireDue(): Promise<ApprovalRow[]>;
  /** Decisions (approved, rejected, expired) after `since`, oldest first, at most `limit`. */
  decisionsSince(tenantId: string, since: string, limit: number): Promise<ApprovalRow[]>;

  /**
   * The guard record for (tenant, key) and the approval bound to it; `evaluation` decides when the
   * key has no approval yet. `conflict` when the key was used for a different agent, action or
   * params; `capped` when a new approval would go past `caps`.
   */
  guard(tenantId: string, key: string, request: GuardInput, evaluation: StoredEvaluation, caps: PendingCaps): Promise<GuardResult>;
  /** Records the state a guard call answered, auditing it when it changed. */
  noteGuardState(tenantId: string, guard: GuardRow, answer: GuardAnswer): Promise<void>;
  /**
   * Records a guarded action's outcome; the first one uses an approved approval up. Refused
   * (nothing written) for another agent or action than the key's, or a key never let through.
   */
  guardReport(tenantId: string, key: string, outcome: GuardOutcome): Promise<GuardReportResult>;
  /** Guards that were let through but never reported. */
  unreportedPermits(tenantId: string): Promise<GuardRow[]>;

  /**
   * Runs a check once per (tenant, X-Request-Id): audits `evaluation`, opens the approval it needs
   * (unless a pending cap is full: `capped`) and remembers the answer; a repeat gets the first answer.
   */
  checkOnce(check: CheckInput, evaluation: StoredEvaluation, answer: CheckAnswer, caps: PendingCaps): Promise<CheckOnceResult>;
  /** Forgets check request ids older than the window; returns how many. */
  forgetRequestIds(): Promise<number>;

  /**
   * Records a check's outcome once (a retried report, same request id, is accepted and ignored),
   * after verifying it names a decision of this server: see {@link ReportVerdict}.
   */
  report(input: ReportInput): Promise<ReportVerdict>;
  agentStatus(tenantId: string, agentId: string): Promise<AgentStatus>;
  setAgentStatus(tenantId: string, agentId: string, status: AgentStatus): Promise<void>;
  audit(entry: AuditInput): Promise<void>;
  auditTrail(tenantId: string): Promise<AuditEntry[]>;
  /** One page of the tenant's audit trail, oldest first. */
  auditPage(tenantId: string, request: PageRequest): Promise<Page<AuditEntry>>;
}
