import type { HaltStateClient } from '@haltstate/core';

/**
 * A tsyringe injection token of a HaltState client. It is a symbol; the constructor in its type
 * only lets tsyringe infer the client type (`container.resolve(HALTSTATE_CLIENT)` is a
 * `HaltStateClient`) without these types importing tsyringe, which is optional.
 *
 * @example
 * constructor(@inject(HALTSTATE_CLIENT) private readonly client: HaltStateClient) {}
 */
export type HaltStateClientToken = symbol | (new (...args: unknown[]) => HaltStateClient);

/** The tsyringe token of the default client. Named clients use {@link clientToken}. */
export const HALTSTATE_CLIENT: HaltStateClientToken = clientSymbol();

/** The symbol behind {@link clientToken}: the default client's, or a named client's. */
export function clientSymbol(name?: string): symbol {
  return Symbol.for(name === undefined ? 'HALTSTATE:CLIENT' : `HALTSTATE:CLIENT:${name}`);
}

/**
 * The tsyringe token of a named client (`registerHaltState(options, { name })`).
 *
 * @example
 * container.resolve(clientToken('payments')) // the client registered with { name: 'payments' }
 */
export function clientToken(name?: string): HaltStateClientToken {
  return clientSymbol(name);
}

/** reflect-metadata key, on the class, of the guarded methods' options. */
export const GUARDED_METHODS_METADATA = 'HALTSTATE:GUARDED_METHODS';

/** Marks a wrapped method with its options (found by getGuardedMethods in both decorator modes). */
export const GUARD_MARKER = Symbol.for('HALTSTATE:GUARD');
