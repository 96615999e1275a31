import { channel } from 'node:diagnostics_channel';
import { IDEMPOTENCY_CONFLICT_STATUS } from './routes.js';

const BRAND = Symbol.for('haltstate.error');

/**
 * Every HaltState error is published here when it is made, for observability:
 * `diagnostics_channel.subscribe('haltstate:error', (error) => …)`.
 */
export const ERROR_CHANNEL = 'haltstate:error';
const errors = channel(ERROR_CHANNEL);

/** Stable, machine-readable error codes. */
export type HaltStateErrorCode =
  | 'HALTSTATE_ERROR'
  | 'HALTSTATE_AUTH'
  | 'HALTSTATE_CONNECTION'
  | 'HALTSTATE_RATE_LIMITED'
  | 'HALTSTATE_POLICY'
  | 'HALTSTATE_VALIDATION'
  | 'HALTSTATE_PROTOCOL'
  | 'HALTSTATE_IDEMPOTENCY_CONFLICT'
  | 'HALTSTATE_NOT_FOUND'
  | 'HALTSTATE_APPROVAL_PENDING'
  | 'HALTSTATE_ACTION_DENIED'
  | 'HALTSTATE_ACTION_EXPIRED'
  | 'HALTSTATE_APPROVAL_TIMEOUT'
  | 'HALTSTATE_KILL_SWITCH'
  | 'HALTSTATE_ALREADY_EXECUTED'
  | 'HALTSTATE_CLOSED'
  | 'HALTSTATE_ABORTED';

/** What every HaltState error may carry besides its message. */
export interface HaltStateErrorDetails {
  /** HTTP status of the response that caused the error, when there was one. */
  status?: number | undefined;
  /** The server's request id (`X-Request-Id`) or the client-made id of the call. */
  requestId?: string | undefined;
  cause?: unknown;
}

/**
 * The base of every error the SDK throws. Never holds the API key.
 *
 * @example
 * try { await client.check('payment.process') }
 * catch (error) { if (isHaltStateError(error)) console.error(error.code, error.status) }
 */
export class HaltStateError extends Error {
  readonly [BRAND] = true;
  readonly code: HaltStateErrorCode = 'HALTSTATE_ERROR';
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, details: HaltStateErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.requestId = details.requestId;
    if (errors.hasSubscribers) errors.publish(this);
  }
}

/** 401 or 403: the tenant id or API key is wrong. Never retried, never turned into an allow. */
export class HaltStateAuthError extends HaltStateError {
  override readonly code = 'HALTSTATE_AUTH';
}

/**
 * The service could not be reached: network error, timeout, or 5xx after every retry. During a
 * wait for a human it means the wait was abandoned (not decided): `approvalId` names the approval,
 * which stays on the server.
 */
export class HaltStateConnectionError extends HaltStateError {
  override readonly code = 'HALTSTATE_CONNECTION';
  /** The approval whose wait was abandoned, when the error ended one. */
  readonly approvalId: string | undefined;
  constructor(message: string, details: HaltStateErrorDetails & { approvalId?: string | undefined } = {}) {
    super(message, details);
    this.approvalId = details.approvalId;
  }
}

/**
 * The client was closed (`close()`) before the call finished, or the call came after it: a
 * guarded action that had not started did not run. An approval being waited for stays on the
 * server; ask again with the same key from an open client.
 *
 * @example
 * process.on('SIGTERM', () => void client.close()); // a waiting guard rejects with HaltStateClosedError
 */
export class HaltStateClosedError extends HaltStateError {
  override readonly code = 'HALTSTATE_CLOSED';
}

/**
 * The caller's AbortSignal aborted without a reason of its own (`controller.abort()`, or an
 * `AbortSignal.timeout()` that fired): `cause` is the signal's DOMException. A signal aborted
 * with a reason (`controller.abort(myError)`) rejects with that reason instead. A guarded
 * action that had not started did not run.
 *
 * @example
 * await client.guard(input, pay, { signal: AbortSignal.timeout(60_000) })
 *   .catch((error) => { if (isHaltStateError(error, 'HALTSTATE_ABORTED')) return 'gave up'; throw error; });
 */
export class HaltStateAbortError extends HaltStateError {
  override readonly code = 'HALTSTATE_ABORTED';
}

/** 429 after every retry. `retryAfterMs` is the server's `Retry-After`, when it sent one. */
export class HaltStateRateLimitError extends HaltStateError {
  override readonly code = 'HALTSTATE_RATE_LIMITED';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: HaltStateErrorDetails & { retryAfterMs?: number | undefined }) {
    super(message, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** 400 or 422: the server refused the request; `detail` is its (untrusted) explanation. */
export class HaltStatePolicyError extends HaltStateError {
  override readonly code = 'HALTSTATE_POLICY';
  readonly detail: string | undefined;
  constructor(message: string, details: HaltStateErrorDetails & { detail?: string | undefined }) {
    super(message, details);
    this.detail = details.detail;
  }
}

/** Bad input or options, thrown before any request is sent. `path` names the offending field. */
export class HaltStateValidationError extends HaltStateError {
  override readonly code = 'HALTSTATE_VALIDATION';
  readonly path: string | undefined;
  constructor(message: string, details: HaltStateErrorDetails & { path?: string | undefined } = {}) {
    super(message, details);
    this.path = details.path;
  }
}

/** A response did not match the wire contract. Never read as an allow. */
export class HaltStateProtocolError extends HaltStateError {
  override readonly code = 'HALTSTATE_PROTOCOL';
  /** Where the response broke the contract, e.g. `decision: Invalid option`. */
  readonly issues: readonly string[];
  constructor(message: string, details: HaltStateErrorDetails & { issues?: readonly string[] } = {}) {
    super(message, details);
    this.issues = details.issues ?? [];
  }
}

/** 409: an idempotency key was reused for a different agent, action or params. */
export class IdempotencyConflictError extends HaltStateError {
  override readonly code = 'HALTSTATE_IDEMPOTENCY_CONFLICT';
}

/** 404: no such approval for this tenant, or a route missing under the chosen prefix. */
export class HaltStateNotFoundError extends HaltStateError {
  override readonly code = 'HALTSTATE_NOT_FOUND';
}

/** A decision outcome (denied, pending, expired, …): not a transport failure. */
export class DecisionError extends HaltStateError {}

/** A human must decide first. Retry later with the same `idempotencyKey`, or pass `wait`. */
export class ApprovalPending extends DecisionError {
  override readonly code = 'HALTSTATE_APPROVAL_PENDING';
  readonly approvalId: string;
  readonly idempotencyKey: string | undefined;
  readonly action: string;
  constructor(details: HaltStateErrorDetails & { approvalId: string; idempotencyKey?: string | undefined; action: string }) {
    super(`Approval required for "${details.action}" (approval ${details.approvalId})`, details);
    this.approvalId = details.approvalId;
    this.idempotencyKey = details.idempotencyKey;
    this.action = details.action;
  }
}

/** The policy or a human said no. */
export class ActionDenied extends DecisionError {
  override readonly code = 'HALTSTATE_ACTION_DENIED';
  readonly action: string;
  readonly reason: string;
  readonly policyId: string | null;
  readonly approver: string | null;
  constructor(details: HaltStateErrorDetails & { action: string; reason: string; policyId?: string | null; approver?: string | null }) {
    super(`Action "${details.action}" denied: ${details.reason}`, details);
    this.action = details.action;
    this.reason = details.reason;
    this.policyId = details.policyId ?? null;
    this.approver = details.approver ?? null;
  }
  /** Python SDK name for {@link approver}. */
  get rejectedBy(): string | null {
    return this.approver;
  }
}

/** The approval window closed before the action ran; ask again with a new idempotency key. */
export class ActionExpired extends DecisionError {
  override readonly code = 'HALTSTATE_ACTION_EXPIRED';
  readonly action: string;
  readonly approvalId: string | undefined;
  constructor(details: HaltStateErrorDetails & { action: string; approvalId?: string | undefined }) {
    super(`Approval for "${details.action}" expired${details.approvalId ? ` (approval ${details.approvalId})` : ''}; retry with a new idempotency key`, details);
    this.action = details.action;
    this.approvalId = details.approvalId;
  }
}

/** Waiting for a human decision took longer than the caller allowed. */
export class ApprovalTimeoutError extends DecisionError {
  override readonly code = 'HALTSTATE_APPROVAL_TIMEOUT';
  readonly approvalId: string;
  readonly timeoutMs: number;
  constructor(details: HaltStateErrorDetails & { approvalId: string; timeoutMs: number }) {
    super(`No decision on approval ${details.approvalId} within ${details.timeoutMs} ms`, details);
    this.approvalId = details.approvalId;
    this.timeoutMs = details.timeoutMs;
  }
}

/**
 * The kill switch stopped the action: the heartbeat said KILL (the client stops for good), PAUSE
 * lasted longer than the action could wait, or the server denied this one call with its kill
 * switch (policy_id `kill-switch`; the client keeps working, and the call runs after a resume).
 */
export class KillSwitchTriggered extends DecisionError {
  override readonly code = 'HALTSTATE_KILL_SWITCH';
  readonly agentId: string;
  readonly agentStatus: 'KILL' | 'PAUSE';
  constructor(details: HaltStateErrorDetails & { agentId: string; agentStatus: 'KILL' | 'PAUSE'; message?: string }) {
    super(details.message ?? `Kill switch triggered for agent "${details.agentId}": no further guarded actions run`, details);
    this.agentId = details.agentId;
    this.agentStatus = details.agentStatus;
  }
}

/**
 * The approval behind this key was already used: the action ran once on it (the server has its
 * report), and an approval authorizes exactly one execution. Ask again with a new key.
 */
export class ActionAlreadyExecuted extends DecisionError {
  override readonly code = 'HALTSTATE_ALREADY_EXECUTED';
  readonly action: string;
  readonly approvalId: string | undefined;
  readonly idempotencyKey: string | undefined;
  /** When the server recorded the execution, if it said. */
  readonly executedAt: string | null;
  constructor(details: HaltStateErrorDetails & { action: string; approvalId?: string | undefined; idempotencyKey?: string | undefined; executedAt?: string | null | undefined }) {
    super(
      `Action "${details.action}" already ran on its approval${details.approvalId ? ` (approval ${details.approvalId})` : ''}; an approval authorizes one execution, so it did not run again. Use a new idempotency key to ask again`,
      details,
    );
    this.action = details.action;
    this.approvalId = details.approvalId;
    this.idempotencyKey = details.idempotencyKey;
    this.executedAt = details.executedAt ?? null;
  }
}

/** Which class each code belongs to, for {@link isHaltStateError}'s narrowing. */
export interface HaltStateErrorByCode {
  HALTSTATE_ERROR: HaltStateError;
  HALTSTATE_AUTH: HaltStateAuthError;
  HALTSTATE_CONNECTION: HaltStateConnectionError;
  HALTSTATE_RATE_LIMITED: HaltStateRateLimitError;
  HALTSTATE_POLICY: HaltStatePolicyError;
  HALTSTATE_VALIDATION: HaltStateValidationError;
  HALTSTATE_PROTOCOL: HaltStateProtocolError;
  HALTSTATE_IDEMPOTENCY_CONFLICT: IdempotencyConflictError;
  HALTSTATE_NOT_FOUND: HaltStateNotFoundError;
  HALTSTATE_APPROVAL_PENDING: ApprovalPending;
  HALTSTATE_ACTION_DENIED: ActionDenied;
  HALTSTATE_ACTION_EXPIRED: ActionExpired;
  HALTSTATE_APPROVAL_TIMEOUT: ApprovalTimeoutError;
  HALTSTATE_KILL_SWITCH: KillSwitchTriggered;
  HALTSTATE_ALREADY_EXECUTED: ActionAlreadyExecuted;
  HALTSTATE_CLOSED: HaltStateClosedError;
  HALTSTATE_ABORTED: HaltStateAbortError;
}

const DECISION_CODES: ReadonlySet<HaltStateErrorCode> = new Set<HaltStateErrorCode>([
  'HALTSTATE_APPROVAL_PENDING',
  'HALTSTATE_ACTION_DENIED',
  'HALTSTATE_ACTION_EXPIRED',
  'HALTSTATE_APPROVAL_TIMEOUT',
  'HALTSTATE_KILL_SWITCH',
  'HALTSTATE_ALREADY_EXECUTED',
]);

/**
 * True for any error thrown by this SDK; with a `code`, only for that kind (and narrowed to its
 * class). Reads the brand and the code, not `instanceof`, so it holds across duplicated copies of
 * the package and across its CommonJS and ESM builds loaded in one process.
 *
 * @example
 * if (isHaltStateError(error, 'HALTSTATE_ACTION_DENIED')) console.log(error.reason);
 */
export function isHaltStateError(error: unknown): error is HaltStateError;
export function isHaltStateError<C extends HaltStateErrorCode>(error: unknown, code: C): error is HaltStateErrorByCode[C];
export function isHaltStateError(error: unknown, code?: HaltStateErrorCode): boolean {
  if (typeof error !== 'object' || error === null || (error as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (error as { code?: unknown }).code === code;
}

/**
 * True when `error` is a decision outcome (denied, pending, expired, timeout, kill switch, already
 * executed), whichever copy of the package made it.
 */
export function isDecisionError(error: unknown): error is DecisionError {
  return isHaltStateError(error) && DECISION_CODES.has(error.code);
}

/** What the transport knows of a failed response when it asks {@link errorFromStatus} for its error. */
export interface FailedResponse {
  /** `METHOD /prefix/path` of the call. */
  label: string;
  /** The server's `X-Request-Id`, or the call's own. */
  requestId: string | undefined;
  /** The server's `detail` (scrubbed, bounded), when it sent one. */
  detail: string | undefined;
  /** Where the client sent it, named by a 404. */
  baseUrl: string;
  /** Set for a redirect: ` to <origin>` of its Location, or '' (a hidden redirect is status 0). */
  redirectTarget?: string | undefined;
  /** How many attempts a retried call made; absent for a request that is never retried (a stream's open). */
  attempts?: number | undefined;
  /** Said after the attempts (why a check was not retried). */
  note?: string | undefined;
  /** The server's `Retry-After`, for a 429. */
  retryAfterMs?: number | undefined;
}

/**
 * The one place an HTTP status becomes a HaltState error (as openai-node's `APIError.generate`):
 * 3xx never followed, 401/403 auth, the idempotency conflict, 404, 400/422 policy, and, after a
 * call's retries, 429 rate limited and 408/5xx unreachable.
 *
 * @example
 * throw errorFromStatus(401, { label: 'POST /api/sentinel/action/check', requestId, detail, baseUrl });
 */
export function errorFromStatus(status: number, response: FailedResponse): HaltStateError {
  const { label, requestId, detail, attempts } = response;
  const suffix = detail ? `: ${detail}` : '';
  if ((status >= 300 && status < 400) || response.redirectTarget !== undefined) {
    return new HaltStateError(
      `${label} answered ${status || 'a'} redirect${response.redirectTarget ?? ''}; redirects are not followed, so the API key is never sent to another address. Set baseUrl to the address that answers`,
      { status, requestId },
    );
  }
  if (attempts !== undefined && status === 429) {
    return new HaltStateRateLimitError(`${label} was rate limited (429) after ${attempts} attempt(s)${response.note ?? ''}${suffix}`, { status, requestId, retryAfterMs: response.retryAfterMs });
  }
  if (attempts !== undefined && (status === 408 || status >= 500)) {
    return new HaltStateConnectionError(`${label} failed with ${status} after ${attempts} attempt(s)${response.note ?? ''}${suffix}`, { status, requestId });
  }
  if (status === 401 || status === 403) {
    return new HaltStateAuthError(`${label} was refused (${status}): check the tenant id and API key${suffix}`, { status, requestId });
  }
  if (status === IDEMPOTENCY_CONFLICT_STATUS) {
    return new IdempotencyConflictError(`${label} answered ${status}: this idempotency key was already used for a different agent, action or params; use a new key${suffix}`, { status, requestId });
  }
  if (status === 404) {
    return new HaltStateNotFoundError(`${label} answered 404 at ${response.baseUrl}: not found (check baseUrl and namespace)${suffix}`, { status, requestId });
  }
  if (status === 400 || status === 422) {
    return new HaltStatePolicyError(`${label} was rejected (${status})${suffix}`, { status, requestId, detail });
  }
  return new HaltStateError(`${label} answered unexpected status ${status}${suffix}`, { status, requestId });
}
