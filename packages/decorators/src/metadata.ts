import { GUARD_MARKER, GUARDED_METHODS_METADATA } from './haltstate.constants.js';
import type { GuardedMethod } from './haltstate-guard.interface.js';

/** Records a guarded method on its class (legacy decorators, where the class is known). */
export function defineGuardMetadata(target: Function, entry: GuardedMethod): void {
  const list = (Reflect.getOwnMetadata(GUARDED_METHODS_METADATA, target) as GuardedMethod[] | undefined) ?? [];
  Reflect.defineMetadata(GUARDED_METHODS_METADATA, [...list.filter((item) => item.method !== entry.method || item.static !== entry.static), entry], target);
}

function marked(value: unknown): GuardedMethod | undefined {
  return typeof value === 'function' ? ((value as unknown as Record<symbol, GuardedMethod | undefined>)[GUARD_MARKER] ?? undefined) : undefined;
}

/**
 * Every guarded method of a class (own and inherited, static and instance), with its options.
 * Adapters use it to discover what to wrap; works for both decorator modes.
 *
 * @example
 * getGuardedMethods(PaymentService) // [{ method: 'pay', static: false, options: { action: 'payment.process', … } }]
 */
export function getGuardedMethods(target: Function): GuardedMethod[] {
  const found = new Map<string, GuardedMethod>();
  const add = (entry: GuardedMethod) => {
    const id = `${entry.static ? 'static ' : ''}${String(entry.method)}`;
    if (!found.has(id)) found.set(id, entry);
  };
  for (let current: Function | null = target; current && current !== Function.prototype; current = Object.getPrototypeOf(current) as Function | null) {
    for (const entry of (Reflect.getOwnMetadata(GUARDED_METHODS_METADATA, current) as GuardedMethod[] | undefined) ?? []) add(entry);
    // TC39 decorators cannot reach the class when they run: find the marks on the methods.
    for (const key of Reflect.ownKeys(current)) {
      const entry = marked(Object.getOwnPropertyDescriptor(current, key)?.value);
      if (entry) add({ ...entry, static: true });
    }
    const prototype = (current as { prototype?: object }).prototype;
    if (prototype) {
      for (const key of Reflect.ownKeys(prototype)) {
        const entry = marked(Object.getOwnPropertyDescriptor(prototype, key)?.value);
        if (entry) add({ ...entry, static: false });
      }
    }
  }
  return [...found.values()];
}
