import { channel } from 'node:diagnostics_channel';

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
  | 'HALTSTATE_KILL_SWITCH';

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

/** The service could not be reached: network error, timeout, or 5xx after every retry. */
export class HaltStateConnectionError extends HaltStateError {
  override readonly code = 'HALTSTATE_CONNECTION';
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

/** The kill switch said KILL (for good), or PAUSE lasted longer than the action could wait. */
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

/** True for any error thrown by this SDK, even across duplicated copies of the package. */
export function isHaltStateError(error: unknown): error is HaltStateError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** True when `error` is a decision outcome (denied, pending, expired, timeout, kill switch). */
export function isDecisionError(error: unknown): error is DecisionError {
  return error instanceof DecisionError;
}
