import { HaltStateValidationError, type HaltStateClient } from '@haltstate/core';
import type { ClientResolution, ClientResolver } from './client-resolution.js';
import { scopedClient } from './client-scope.js';
import { clientSymbol } from './haltstate.constants.js';
import { requireTsyringe, tsyringeIfInstalled, type TsyringeContainer } from './tsyringe.js';

/** Which container resolved an instance; filled by hooks that registerHaltState installs. */
const containerOf = new WeakMap<object, TsyringeContainer>();
// Held weakly: a child container per request must not live for ever because it was watched.
const watchedContainers = new Set<WeakRef<TsyringeContainer>>();
const watched = new WeakSet<TsyringeContainer>();
const guardedClasses = new Set<Function>();

function watch(container: TsyringeContainer, target: Function): void {
  container.afterResolution(target as never, (_token, instance) => {
    if (typeof instance === 'object' && instance !== null) containerOf.set(instance, container);
  });
}

/** Remembers a guarded class, so instances resolved from a watched container use that container. */
export function trackGuardedClass(target: Function): void {
  if (guardedClasses.has(target)) return;
  guardedClasses.add(target);
  for (const reference of watchedContainers) {
    const container = reference.deref();
    if (container) watch(container, target);
    else watchedContainers.delete(reference);
  }
}

/** Makes instances resolved from `container` resolve their client from it (child containers). */
export function watchContainer(container: TsyringeContainer): void {
  if (container === requireTsyringe('registerHaltState').container || watched.has(container)) return;
  watched.add(container);
  watchedContainers.add(new WeakRef(container));
  for (const target of guardedClasses) watch(container, target);
}

/**
 * The default: tsyringe, from the container the instance came from, else the root container.
 * tsyringe is loaded on the first call that gets here; when it is not installed, no client was
 * registered in it, so the answer is undefined.
 *
 * @example
 * setClientResolver(tsyringeResolver); // put the default back
 */
export const tsyringeResolver: ClientResolver = ({ name, instance }) => {
  const container = containerOf.get(instance) ?? tsyringeIfInstalled()?.container;
  const token = clientSymbol(name);
  return container?.isRegistered(token, true) ? (container.resolve(token) as HaltStateClient) : undefined;
};

let active: ClientResolver = tsyringeResolver;

/**
 * Installs another way to find clients (the NestJS adapter installs one that uses Nest's DI).
 * Returns the previous resolver, so it can be put back.
 *
 * @example
 * const previous = setClientResolver(() => myClient);
 */
export function setClientResolver(resolver: ClientResolver): ClientResolver {
  if (typeof resolver !== 'function') throw new HaltStateValidationError('setClientResolver needs a function', { path: 'resolver' });
  const previous = active;
  active = resolver;
  return previous;
}

/**
 * The client for a guarded call: from the app (scope) that made `this`, else the active
 * resolver; or an error that says exactly how to register one.
 */
export function resolveClient(resolution: ClientResolution, method: string): HaltStateClient {
  const client = scopedClient(resolution, method) ?? active(resolution);
  if (client) return client;
  const named = resolution.name === undefined ? '' : `, { name: '${resolution.name}' }`;
  const register = tsyringeIfInstalled()
    ? `Call registerHaltState({ tenantId, apiKey }${named}) from @haltstate/decorators at startup`
    : `Pass { client } to @HaltStateGuard, or install tsyringe (\`npm install tsyringe\`) and call registerHaltState({ tenantId, apiKey }${named}) at startup`;
  throw new HaltStateValidationError(
    `@HaltStateGuard on ${method}: no HaltState client${resolution.name === undefined ? '' : ` named "${resolution.name}"`} is registered, so the method did not run. ` +
      `${register} (in a NestJS app: import HaltStateModule, and make the class a provider or controller of that app).`,
    { path: 'client' },
  );
}
