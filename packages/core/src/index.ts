export { HaltStateClient, isHaltStateClient } from './client.js';
export { haltstateGuard } from './guard-function.js';
export type { GuardFunctionOptions } from './guard-function.js';
export { parameterNames, paramsFromArguments } from './param-names.js';
export { resolveOptions } from './options.js';
export type { ClientOptions, ResolvedOptions, HaltStateLogger } from './options.js';
export type {
  ActionParams,
  CheckInput,
  Decision,
  GuardInput,
  GuardState,
  GuardStateInput,
  ExecuteInput,
  WaitOptions,
  Permit,
  ApprovalState,
  ApprovalEvent,
  ReportInput,
  WaitCallOptions,
  ApprovalRequest,
  ApprovalRequestedHook,
  DecisionEvent,
  DecisionHook,
  HaltStateMode,
  RequestOptions,
} from './types.js';
export type { FlushResult, ReportFailure, ReportStats, QueuedReportInfo } from './report-types.js';
export type { JsonObject, JsonValue } from './json.js';
export type { Redactor } from './redaction.js';
export { DECISION_VALUES, GUARD_STATUSES, APPROVAL_STATUSES } from './statuses.js';
export type { DecisionValue, GuardStatus, ApprovalStatus, AgentStatus } from './statuses.js';
export { REDACTED, REDACTED_TAG, DEFAULT_REDACTED_KEYS } from './redaction.js';
export { canonicalJson } from './json.js';
export { deriveIdempotencyKey } from './idempotency.js';
export type { DeriveKeyInput } from './idempotency.js';
export {
  HaltStateError,
  HaltStateAuthError,
  HaltStateConnectionError,
  HaltStateClosedError,
  HaltStateAbortError,
  HaltStateRateLimitError,
  HaltStatePolicyError,
  HaltStateValidationError,
  HaltStateProtocolError,
  HaltStateNotFoundError,
  IdempotencyConflictError,
  DecisionError,
  ApprovalPending,
  ActionDenied,
  ActionExpired,
  ApprovalTimeoutError,
  KillSwitchTriggered,
  ActionAlreadyExecuted,
  isHaltStateError,
  isDecisionError,
  ERROR_CHANNEL,
} from './errors.js';
export type { HaltStateErrorCode, HaltStateErrorDetails, HaltStateErrorByCode } from './errors.js';
export {
  ActionPending,
  ActionRejected,
  ActionTimeout,
  JanusError,
  JanusClient,
  AsyncHaltStateClient,
  AsyncJanusClient,
  janusGuard,
} from './compat.js';
export { PREFIXES, ROUTES, HEADERS, IDEMPOTENCY_CONFLICT_STATUS, KILL_SWITCH_POLICY_ID, MAX_REQUEST_BODY_BYTES } from './routes.js';
export type { Namespace } from './routes.js';
export { SDK_VERSION } from './version.js';
// The zod schemas of the wire are at `@haltstate/core/schemas`, not here: zod's declaration files
// do not compile under `esModuleInterop: false` with `skipLibCheck: false`.
