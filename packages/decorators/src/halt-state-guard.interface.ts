import type { ActionParams, HaltStateClient, RequestOptions, WaitOptions } from '@haltstate/core';

/**
 * `Args`, but not a place TypeScript infers it from: the argument types of `idempotencyKey` and
 * `metadata` come from `params`. (`NoInfer<tuple>` breaks fewer-argument callbacks, this does not.)
 */
type FromParams<Args extends unknown[]> = [Args][Args extends unknown ? 0 : never];

/**
 * Options of `@HaltStateGuard`. `params` and `idempotencyKey` receive the method's own
 * arguments; annotate them and a mismatch with the method is a compile error.
 *
 * @example
 * @HaltStateGuard({ action: 'payment.process', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }),
 *   idempotencyKey: (invoiceId: string) => `payment-${invoiceId}` })
 */
export interface HaltStateGuardOptions<Args extends unknown[] = never[]> {
  /** The action name the policy sees, e.g. `payment.process`. */
  action: string;
  /** @default the client's agentId */
  agentId?: string;
  /** The params the policy sees. @default named from the parameter list, see docs/decorators.md */
  params?: (...args: Args) => ActionParams;
  /**
   * With a key, the guard flow (idempotent, survives restarts); without, check → run → report.
   * Its argument types come from `params` (it may take fewer arguments).
   */
  idempotencyKey?: (...args: FromParams<Args>) => string;
  /** Context shown to approvers. Argument types come from `params`. */
  metadata?: (...args: FromParams<Args>) => ActionParams;
  /** Wait for a human instead of throwing `ApprovalPending`. */
  wait?: boolean | WaitOptions;
  /** A named client (`registerHaltState(…, { name })`), or a client instance. */
  client?: string | HaltStateClient;
  /** Report the outcome after the check flow. The guard flow always reports. @default true */
  report?: boolean;
  /** Per-call request options (timeout, retries). */
  request?: RequestOptions;
}

/** What getGuardedMethods returns for each guarded method. */
export interface GuardedMethod {
  method: string | symbol;
  static: boolean;
  options: HaltStateGuardOptions<unknown[]>;
}
