import type { ActionParams, HaltStateClient, HaltStateMode, RequestOptions, WaitOptions } from '@haltstate/core';

/**
 * Options of `@HaltStateGuard`. `params`, `idempotencyKey` and `metadata` receive the method's
 * own arguments: each is checked against the method (a wrong argument type is a compile error;
 * a callback may take fewer arguments). Unannotated, `idempotencyKey` and `metadata` take their
 * argument types from `params`.
 *
 * @example
 * @HaltStateGuard({ action: 'payment.process', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }),
 *   idempotencyKey: (invoiceId) => `payment-${invoiceId}` })
 */
export interface HaltStateGuardOptions<Args extends unknown[] = never[], KeyArgs extends unknown[] = Args, MetadataArgs extends unknown[] = Args> {
  /** The action name the policy sees, e.g. `payment.process`. */
  action: string;
  /** @default the client's agentId */
  agentId?: string;
  /** The params the policy sees. @default named from the parameter list, see docs/decorators.md */
  params?: (...args: Args) => ActionParams;
  /**
   * With a key, the guard flow (idempotent, survives restarts); without, check → run → report.
   * May take fewer arguments than the method.
   */
  idempotencyKey?: (...args: KeyArgs) => string;
  /** Context shown to approvers. May take fewer arguments than the method. */
  metadata?: (...args: MetadataArgs) => ActionParams;
  /** Wait for a human instead of throwing `ApprovalPending`. */
  wait?: boolean | WaitOptions;
  /** A named client (`registerHaltState(…, { name })`), or a client instance. */
  client?: string | HaltStateClient;
  /** Report the outcome after the check flow. The guard flow always reports. @default true */
  report?: boolean;
  /** Per-call request options (timeout, retries). */
  request?: RequestOptions;
  /**
   * `'shadow'`: the decision is asked and recorded, but the method runs whatever it says and
   * never waits for a human (docs/shadow-mode.md); a value other than enforce/shadow is refused
   * on the first call. @default the client's `mode`
   */
  mode?: HaltStateMode;
}

/** What getGuardedMethods returns for each guarded method. */
export interface GuardedMethod {
  method: string | symbol;
  static: boolean;
  options: HaltStateGuardOptions<unknown[]>;
}
