import { HaltStateValidationError, isHaltStateError, parameterNames } from '@haltstate/core';

/**
 * Refuses, when the class is defined, a method whose parameter names cannot be trusted as the
 * keys of its params (core's rule, the one `haltstateGuard` uses): renamed keys would leave
 * unredacted (redaction goes by key) and unmatched by policy paths.
 */
export function assertNamesTrusted(fn: Function, label: string): void {
  try {
    parameterNames(fn as (...args: never[]) => unknown);
  } catch (error) {
    if (isHaltStateError(error, 'HALTSTATE_VALIDATION')) throw new HaltStateValidationError(`@HaltStateGuard on ${label}: ${error.message}`, { path: 'params', cause: error });
    throw error;
  }
}
