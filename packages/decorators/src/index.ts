// The metadata the decorator records (and tsyringe, when used) need the Reflect metadata API.
// tsyringe itself is an optional peer, loaded only by registerHaltState and tsyringeResolver.
import 'reflect-metadata';

export { HaltStateGuard } from './haltstate-guard.decorator.js';
export type { HaltStateMethodDecorator, HaltStateGuardMisuse } from './haltstate-guard.decorator.js';
export type { HaltStateGuardOptions, GuardedMethod } from './haltstate-guard.interface.js';
export { getGuardedMethods } from './metadata.js';
export { registerHaltState } from './register.js';
export type { RegisterOptions } from './register.js';
export { setClientResolver, tsyringeResolver } from './client-resolver.js';
export type { ClientResolver, ClientResolution } from './client-resolution.js';
export { createClientScope } from './client-scope.js';
export type { ClientScope } from './client-scope.js';
export { HALTSTATE_CLIENT, clientToken, GUARDED_METHODS_METADATA } from './haltstate.constants.js';
export type { HaltStateClientToken } from './haltstate.constants.js';
export type { TsyringeContainer } from './tsyringe.js';
/** @deprecated Use `paramsFromArguments` from @haltstate/core (the same rule). */
export { paramsFromArguments as defaultParams } from '@haltstate/core';
