// The user's hooks run inside the SDK's calls: whatever a hook does (throw, reject, hang), the
// call and its outcome stay the SDK's. A failure becomes a process warning and a debug line.
import type { HaltStateLogger } from '../options.js';

export interface HookContext {
  logger: HaltStateLogger | undefined;
  /** Removes the API key from text that came from a hook's error. */
  scrub: (text: string) => string;
}

/**
 * Calls `hook(argument)` without awaiting it. A throw or a rejection is reported as a
 * `HALTSTATE_HOOK_FAILED` warning whose text is `describe(reason)`.
 */
export function callHook<A>(hook: ((argument: A) => unknown) | undefined, argument: A, describe: (reason: string) => string, { logger, scrub }: HookContext): void {
  if (hook === undefined) return;
  const failed = (error: unknown) => {
    const message = describe(scrub(error instanceof Error ? error.message || error.name : String(error)));
    process.emitWarning(message, { code: 'HALTSTATE_HOOK_FAILED' });
    log(logger, message);
  };
  try {
    const result: unknown = hook(argument);
    if (result instanceof Promise) result.catch(failed);
  } catch (error) {
    failed(error);
  }
}

/** A logger that throws must not break the call either. */
export function log(logger: HaltStateLogger | undefined, message: string): void {
  try {
    logger?.debug(message);
  } catch {
    // The user's logger failed; there is nowhere better to say so.
  }
}
