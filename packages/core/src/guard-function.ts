import type { HaltStateClient } from './client.js';
import type { RequestOptions } from './types.js';
import { parameterNames, paramsFromArguments } from './param-names.js';
import type { ActionParams, GuardInput } from './types.js';

/** Options of {@link haltstateGuard}. `params` and `idempotencyKey` receive the function's own arguments. */
export interface GuardFunctionOptions<Args extends unknown[]> extends Omit<GuardInput, 'params' | 'idempotencyKey'> {
  /**
   * @default the arguments named after the function's parameters (`{ to, subject }`), as
   * `@HaltStateGuard` names them; `{ args: [...] }` when the names cannot be read (destructuring,
   * rest) or more arguments came than parameters. A minified function is refused when it is
   * wrapped: pass `params` for it.
   */
  params?: ((...args: Args) => ActionParams) | undefined;
  /** With a key, the guard flow is used; without, check → run → report. */
  idempotencyKey?: ((...args: NoInfer<Args>) => string) | undefined;
  request?: RequestOptions | undefined;
}

/**
 * Wraps a plain function (sync or async) so every call goes through HaltState first.
 * The wrapped function is always async. Without a `params` option, the arguments are sent named
 * after the function's parameters ({@link paramsFromArguments}).
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
  return <R>(fn: (...args: unknown[]) => R) => {
    // Read now, so a minified function fails where it is wrapped rather than on its first call.
    if (!params) parameterNames(fn);
    return async function guarded(this: unknown, ...args: unknown[]): Promise<Awaited<R>> {
      const input: GuardInput = {
        ...rest,
        params: params ? params(...args) : paramsFromArguments(fn, args),
        ...(idempotencyKey ? { idempotencyKey: idempotencyKey(...args) } : {}),
      };
      return client.execute(input, () => fn.apply(this, args), request);
    };
  };
}
