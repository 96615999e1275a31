// Abort plumbing that does not depend on the garbage collector. AbortSignal.any() links its
// result to the sources weakly: once nothing else holds an intermediate signal, an abort may never
// arrive (a wait then ran its action long after its deadline). These links are plain listeners,
// held until `dispose()`.

import { HaltStateAbortError, isHaltStateError } from '../errors.js';

/** A signal that aborts, with the same reason, as soon as any of `sources` does. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Removes the listeners from the sources; call it when the signal is no longer needed. */
  dispose(): void;
}

export function linkSignals(...sources: Array<AbortSignal | undefined>): LinkedSignal {
  const controller = new AbortController();
  const present = sources.filter((source): source is AbortSignal => source !== undefined);
  const onAbort = (event: Event) => {
    controller.abort((event.target as AbortSignal).reason);
    dispose();
  };
  const dispose = () => {
    for (const source of present) source.removeEventListener('abort', onAbort);
  };
  for (const source of present) {
    if (source.aborted) {
      controller.abort(source.reason);
      dispose();
      break;
    }
    source.addEventListener('abort', onAbort);
  }
  return { signal: controller.signal, dispose };
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The end of a wait: aborts `signal` with `reason()` after `timeoutMs`. Kept until the guarded
 * function is about to start, so the last check before it runs sees the same deadline.
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;

  constructor(timeoutMs: number, reason: () => Error) {
    this.#timer = setTimeout(() => this.#controller.abort(reason()), timeoutMs);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * The caller's signal as the SDK passes it on: an abort without a reason of the caller's own
 * (`controller.abort()`, `AbortSignal.timeout()`; the reason is then a DOMException) becomes a
 * `HaltStateAbortError` naming the call, with the DOMException as its `cause`; a reason the
 * caller gave is kept as it is. `what` names the call (`guard of "payment.process"`).
 */
export function callerSignal(signal: AbortSignal | undefined, what: () => string): LinkedSignal | undefined {
  if (signal === undefined) return undefined;
  const controller = new AbortController();
  if (signal.aborted) {
    controller.abort(abortReason(signal.reason, what));
    return { signal: controller.signal, dispose: () => undefined };
  }
  const onAbort = () => controller.abort(abortReason(signal.reason, what));
  signal.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, dispose: () => signal.removeEventListener('abort', onAbort) };
}

function abortReason(reason: unknown, what: () => string): unknown {
  const name = typeof reason === 'object' && reason !== null ? (reason as { name?: unknown }).name : undefined;
  if (isHaltStateError(reason) || (name !== 'AbortError' && name !== 'TimeoutError')) return reason;
  const how = name === 'TimeoutError' ? ', which timed out (AbortSignal.timeout)' : '';
  return new HaltStateAbortError(`${what()} was aborted by its AbortSignal${how}; a guarded action that had not started did not run`, { cause: reason });
}
