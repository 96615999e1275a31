import type { HaltStateClient } from '@haltstate/core';
import type { InjectionToken } from 'tsyringe';

/** The tsyringe token of the default client. Named clients use {@link clientToken}. */
export const HALTSTATE_CLIENT: InjectionToken<HaltStateClient> = Symbol.for('HALTSTATE:CLIENT');

/** The tsyringe token of a named client (`registerHaltState(options, { name })`). */
export function clientToken(name?: string): InjectionToken<HaltStateClient> {
  return name === undefined ? HALTSTATE_CLIENT : Symbol.for(`HALTSTATE:CLIENT:${name}`);
}

/** reflect-metadata key, on the class, of the guarded methods' options. */
export const GUARDED_METHODS_METADATA = 'HALTSTATE:GUARDED_METHODS';

/** Marks a wrapped method with its options (found by getGuardedMethods in both decorator modes). */
export const GUARD_MARKER = Symbol.for('HALTSTATE:GUARD');
