import type { ApprovalStatus, DecisionValue, GuardStatus } from './statuses.js';

/** Params of an action: any JSON-serialisable object (Dates become ISO strings). */
export type ActionParams = Record<string, unknown>;

/**
 * What to check.
 * @example { action: 'payment.process', params: { amount: 5000 }, agentId: 'payment-bot-01' }
 */
export interface CheckInput {
  action: string;
  params?: ActionParams | undefined;
  /** @default the client's agentId */
  agentId?: string | undefined;
}

/** The policy service's answer to `check()`. */
export interface Decision {
  decision: DecisionValue;
  allowed: boolean;
  denied: boolean;
  requiresApproval: boolean;
  reason: string;
  policyId: string | null;
  latencyMs: number;
  /** Set when `requiresApproval`. */
  approvalId: string | null;
  /** A UUID this client made for the check: its `X-Request-Id` (the same on every attempt), echoed by `report()`. */
  requestId: string;
  /** True when this ALLOW was made up because the service was unreachable and `failOpen` is on. */
  failOpen: boolean;
  action: string;
  agentId: string;
}

/**
 * What `onApprovalRequested` is told when a guard or execute starts to wait for a human.
 *
 * @example
 * onApprovalRequested: ({ approvalId, action, url }) => slack.post(`Approve ${action}: ${url ?? approvalId}`)
 */
export interface ApprovalRequest {
  approvalId: string;
  action: string;
  agentId: string;
  /** The guard's idempotency key; `null` in the check flow of `execute` (no key). */
  idempotencyKey: string | null;
  /** Where to decide, when the client has `approvalUrl`. */
  url: string | undefined;
}

/**
 * Called once when a wait for a human decision starts; see `ClientOptions.onApprovalRequested`.
 *
 * @example
 * const notify: ApprovalRequestedHook = ({ approvalId, action }) => console.log(`approve ${action}: ${approvalId}`);
 */
export type ApprovalRequestedHook = (request: ApprovalRequest) => void | Promise<void>;

/**
 * Whether the gate holds: `enforce` runs an action only when the service allows or a human
 * approves it; `shadow` still asks and records every decision, but runs the action whatever the
 * answer and never waits for a human (see docs/shadow-mode.md).
 */
export type HaltStateMode = 'enforce' | 'shadow';

interface DecisionEventFields {
  action: string;
  agentId: string;
  /** Why, when the service said (`null` when it did not). */
  reason: string | null;
  policyId: string | null;
  /** The approval this answer names (pending, approved, or a check's APPROVAL_REQUIRED), else `null`. */
  approvalId: string | null;
  /** Time from the request until its answer (retries included), measured by this client. @unit milliseconds */
  latencyMs: number;
  /** The mode of the call: in `shadow` the action runs whatever `decision` says. */
  mode: HaltStateMode;
  /** True for a check's made-up ALLOW (`failOpen` and an unreachable service). */
  failedOpen: boolean;
}

/**
 * One answer of the policy service, as `onDecision` is told it: a check's `decision`
 * (`source: 'check'`, also the check flow of `execute`) or a guard's status (`source: 'guard'`;
 * a guard that waited for a human is told twice: `pending`, then the answer after the decision).
 *
 * @example
 * onDecision: (event) => logger.info({ ...event }, `haltstate ${event.source} ${event.action}: ${event.decision}`)
 */
export type DecisionEvent = (DecisionEventFields & { source: 'check'; decision: DecisionValue }) | (DecisionEventFields & { source: 'guard'; decision: GuardStatus; idempotencyKey: string });

/**
 * Called for every decision; see `ClientOptions.onDecision`.
 *
 * @example
 * const count: DecisionHook = ({ decision }) => void decisions.add(1, { decision });
 */
export type DecisionHook = (event: DecisionEvent) => void | Promise<void>;

/** How long a pending guard waits for a human. `true` uses the defaults. */
export interface WaitOptions {
  /** @unit milliseconds @default 3_600_000 (one hour, as the reference client) */
  timeoutMs?: number | undefined;
  /** First polling interval when SSE is unavailable; grows ×1.5 up to 30 s. @unit milliseconds @default 5_000 */
  pollIntervalMs?: number | undefined;
  /** Called once when this call starts to wait, after the client's `onApprovalRequested`. */
  onApprovalRequested?: ApprovalRequestedHook | undefined;
}

/**
 * What to guard.
 * @example { action: 'payment.process', params: { amount }, idempotencyKey: `payment-${invoiceId}`, wait: { timeoutMs: 300_000 } }
 */
export interface GuardInput extends CheckInput {
  /** The same key always maps to the same approval. @default derived from tenant, agent, action and params */
  idempotencyKey?: string | undefined;
  /** Context shown to approvers (redacted like params). */
  metadata?: ActionParams | undefined;
  /** Wait for a human decision instead of throwing `ApprovalPending`. */
  wait?: boolean | WaitOptions | undefined;
  /** This call's mode (docs/shadow-mode.md). @default the client's `mode` */
  mode?: HaltStateMode | undefined;
}

/** What `guardState` asks about: a guard's input without `wait` (a lookup never waits). */
export type GuardStateInput = Omit<GuardInput, 'wait' | 'mode'>;

/**
 * Where a guarded call stands on the server, asked without running, waiting or reporting:
 * `allowed`/`approved` (it may run, once, through `guard`), `pending` (a human has not decided),
 * `denied`, `expired` (a new key is needed) or `executed` (its approval was used). Asking again
 * with the same key gives the same answer until a human decides or the call runs.
 */
export interface GuardState {
  status: GuardStatus;
  /** The approval the key maps to (the key itself when the server names none). */
  approvalId: string;
  idempotencyKey: string;
  action: string;
  agentId: string;
  /** Who decided, for `approved` and `denied` answers made by a person. */
  approver: string | null;
  /** Why it was denied (`denied`), when the server said. */
  reason: string | null;
  policyId: string | null;
  /** ISO-8601 UTC, for `executed`. */
  executedAt: string | null;
}

/** What `execute` runs: a guard input, plus whether the check flow reports the outcome. */
export interface ExecuteInput extends GuardInput {
  /** Report the outcome after the check flow (the guard flow always reports). @default true */
  report?: boolean | undefined;
}

/** Handed to a guarded function: who let it run. */
export interface Permit {
  /** `shadow`: the answer was not to run (see `shadowedStatus`), and the call ran in shadow mode. */
  status: 'allowed' | 'approved' | 'shadow';
  /** Set when `status` is `shadow`: what the service answered (in enforce mode it would not have run). */
  shadowedStatus?: Exclude<GuardStatus, 'allowed' | 'approved'> | undefined;
  approvalId: string;
  /** ISO-8601 UTC. */
  approvedAt: string;
  approver: string | null;
  idempotencyKey: string;
  action: string;
  agentId: string;
}

/** One approval's state (`GET /approval/{id}`). */
export interface ApprovalState {
  approvalId: string;
  status: ApprovalStatus;
  approver: string | null;
  reason: string | null;
  decidedAt: string | null;
  agentId: string | null;
  action: string | null;
}

/** A human decision, from the SSE stream or `approvalsSince`. */
export interface ApprovalEvent {
  approvalId: string;
  status: ApprovalStatus;
  approver: string | null;
  reason: string | null;
  agentId: string | null;
  action: string | null;
  /** When it was decided (ISO-8601). */
  timestamp: string | null;
  /** True when replayed after a (re)connect. */
  catchup: boolean;
}

/** The outcome `report()` sends after a checked action. */
export interface ReportInput {
  status: 'success' | 'error' | 'failure';
  result?: unknown;
}

/** Options of a call that may wait. */
export interface WaitCallOptions extends RequestOptions {
  /** @unit milliseconds */
  timeoutMs?: number | undefined;
  /** @unit milliseconds */
  pollIntervalMs?: number | undefined;
}

/**
 * Options for one call; they override the client's.
 *
 * @example
 * await client.check({ action: 'payment.process' }, { signal: AbortSignal.timeout(2_000), retries: 0 });
 */
export interface RequestOptions {
  /** Abort the call. Aborting never lets a guarded action run. */
  signal?: AbortSignal | undefined;
  /** @unit milliseconds */
  timeoutMs?: number | undefined;
  retries?: number | undefined;
}
