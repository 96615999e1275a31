import type { HaltStateClient } from './client.js';
import type { RequestOptions } from './options.js';
import type { ActionParams, GuardInput } from './types.js';

/** Options of {@link haltstateGuard}. `params` and `idempotencyKey` receive the function's own arguments. */
export interface GuardFunctionOptions<Args extends unknown[]> extends Omit<GuardInput, 'params' | 'idempotencyKey'> {
  /** @default `{ args: [...arguments] }` */
  params?: ((...args: Args) => ActionParams) | undefined;
  /** With a key, the guard flow is used; without, check → run → report. */
  idempotencyKey?: ((...args: NoInfer<Args>) => string) | undefined;
  request?: RequestOptions | undefined;
}

/**
 * Wraps a plain function (sync or async) so every call goes through HaltState first.
 * The wrapped function is always async.
 *
 * @example
 * const sendEmail = haltstateGuard(client, { action: 'email.send', agentId: 'email-bot' })(rawSendEmail);
 * await sendEmail('bob@example.com', 'Hi');
 */
export function haltstateGuard(
  client: HaltStateClient,
  options: Omit<GuardFunctionOptions<unknown[]>, 'params' | 'idempotencyKey'>,
): <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => Promise<Awaited<R>>;
export function haltstateGuard<Args extends unknown[]>(
  client: HaltStateClient,
  options: GuardFunctionOptions<Args>,
): <R>(fn: (...args: Args) => R) => (...args: Args) => Promise<Awaited<R>>;
export function haltstateGuard(client: HaltStateClient, options: GuardFunctionOptions<unknown[]>) {
  const { params, idempotencyKey, request, ...rest } = options;
  return <R>(fn: (...args: unknown[]) => R) =>
    async function guarded(this: unknown, ...args: unknown[]): Promise<Awaited<R>> {
      const input: GuardInput = {
        ...rest,
        params: params ? params(...args) : { args },
        ...(idempotencyKey ? { idempotencyKey: idempotencyKey(...args) } : {}),
      };
      return client.execute(input, () => fn.apply(this, args), request);
    };
}
