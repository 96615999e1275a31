import { HaltStateValidationError, type HaltStateClient } from '@haltstate/core';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { scopedClient } from './client-scope.js';
import { clientToken } from './haltstate.constants.js';

/** What a resolver is asked: which client (by name) for which object's method. */
export interface ClientResolution {
  /** The `client` option when it names a client. */
  name: string | undefined;
  /** `this` of the call: the instance, or the class for a static method. */
  instance: object;
  /** The class that declares the method. */
  target: Function;
}

/** Finds the client for a guarded call; undefined when there is none. */
export type ClientResolver = (resolution: ClientResolution) => HaltStateClient | undefined;

/** Which container resolved an instance; filled by hooks that registerHaltState installs. */
const containerOf = new WeakMap<object, DependencyContainer>();
// Held weakly: a child container per request must not live for ever because it was watched.
const watchedContainers = new Set<WeakRef<DependencyContainer>>();
const watched = new WeakSet<DependencyContainer>();
const guardedClasses = new Set<Function>();

function watch(container: DependencyContainer, target: Function): void {
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
export function watchContainer(container: DependencyContainer): void {
  if (container === rootContainer || watched.has(container)) return;
  watched.add(container);
  watchedContainers.add(new WeakRef(container));
  for (const target of guardedClasses) watch(container, target);
}

/** The default: tsyringe, from the container the instance came from, else the root container. */
export const tsyringeResolver: ClientResolver = ({ name, instance }) => {
  const container = containerOf.get(instance) ?? rootContainer;
  const token = clientToken(name);
  return container.isRegistered(token, true) ? container.resolve(token) : undefined;
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
  throw new HaltStateValidationError(
    `@HaltStateGuard on ${method}: no HaltState client${resolution.name === undefined ? '' : ` named "${resolution.name}"`} is registered, so the method did not run. ` +
      `Call registerHaltState({ tenantId, apiKey }${named}) from @haltstate/decorators at startup (in a NestJS app: import HaltStateModule, and make the class a provider or controller of that app).`,
    { path: 'client' },
  );
}
