import type { DiscoveryService } from '@nestjs/core';
import { getGuardedMethods, type ClientScope } from '@haltstate/decorators';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

const guardedCache = new WeakMap<Function, boolean>();

function isGuarded(type: unknown): type is Function {
  if (typeof type !== 'function') return false;
  let guarded = guardedCache.get(type);
  if (guarded === undefined) guardedCache.set(type, (guarded = getGuardedMethods(type).length > 0));
  return guarded;
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Where the per-context instance host is among each setter's arguments (Nest 10 and 11). */
const HOST_ARGUMENT = { setInstanceByContextId: 1, setInstanceByInquirerId: 2 } as const;
const watchedHosts = new WeakSet<object>();

/** Binds the instance a host holds now and every one Nest puts there later (`new metatype(…)`). */
function watchHost(host: unknown, bind: (instance: unknown) => void): void {
  if (!isObject(host) || watchedHosts.has(host) || !('instance' in host)) return;
  watchedHosts.add(host);
  let current: unknown = host.instance;
  bind(current);
  Object.defineProperty(host, 'instance', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (next: unknown) => {
      current = next;
      bind(next);
    },
  });
}

/**
 * Request-scoped and transient instances are made after init, per request or per inquirer, by
 * whichever injector asks (the router's, a ModuleRef's). All of them go through the wrapper's
 * per-context setters, and the wrapper belongs to this app's container alone: watching those
 * setters on this wrapper object attributes each instance to this app exactly.
 */
function watchFutureInstances(wrapper: InstanceWrapper, bind: (instance: unknown) => void): () => void {
  const target = wrapper as unknown as Record<keyof typeof HOST_ARGUMENT, unknown>;
  const restores: Array<() => void> = [];
  for (const [method, index] of Object.entries(HOST_ARGUMENT) as Array<[keyof typeof HOST_ARGUMENT, number]>) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    const own = Object.getOwnPropertyDescriptor(target, method);
    target[method] = function (this: unknown, ...args: unknown[]) {
      watchHost(args[index], bind);
      return original.apply(this, args);
    };
    restores.push(() => (own ? Object.defineProperty(target, method, own) : delete target[method]));
  }
  return () => restores.forEach((restore) => restore());
}

/**
 * Puts one provider or controller of an app into the app's scope: the instances made so far are
 * bound, a guarded class is claimed (static methods, instances made with `new`), and instances
 * made later (request scope, transient) are bound as Nest makes them. Returns the undo.
 */
export function bindWrapper(wrapper: InstanceWrapper, scope: ClientScope): () => void {
  const bind = (instance: unknown) => {
    if (isObject(instance) && isGuarded(instance.constructor)) scope.bind(instance);
  };
  const isClass = !wrapper.inject;
  if (isClass && isGuarded(wrapper.metatype)) scope.claim(wrapper.metatype);
  for (const made of [wrapper.instance, ...wrapper.getStaticTransientInstances().map((host) => host?.instance)]) {
    bind(made);
    if (isObject(made) && isGuarded(made.constructor)) scope.claim(made.constructor);
  }
  // Factories may make guarded objects; a plain class only matters when guarded.
  const perContext = !wrapper.isDependencyTreeStatic() || wrapper.isTransient;
  return perContext && (!isClass || isGuarded(wrapper.metatype)) ? watchFutureInstances(wrapper, bind) : () => undefined;
}
