export { HaltStateModule } from './haltstate.module.js';
export { HALTSTATE_MODULE_OPTIONS } from './haltstate.module-definition.js';
export type { HaltStateModuleOptions } from './haltstate.module-definition.js';
export { HaltStateExplorer } from './haltstate.explorer.js';
export { HaltStateExceptionFilter, toHttpResponse } from './haltstate.filter.js';
export type { HaltStateErrorBody, HaltStateHttpResponse } from './haltstate.filter.js';
export { HaltStateGuard, InjectHaltState } from './haltstate.decorator.js';
export { getGuardedMethods } from '@haltstate/decorators';
export type { HaltStateGuardOptions } from '@haltstate/decorators';
export {
  HaltStateClient,
  HaltStateError,
  HaltStateAuthError,
  HaltStateConnectionError,
  HaltStateClosedError,
  HaltStateAbortError,
  HaltStateRateLimitError,
  HaltStatePolicyError,
  HaltStateValidationError,
  HaltStateProtocolError,
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
} from '@haltstate/core';
