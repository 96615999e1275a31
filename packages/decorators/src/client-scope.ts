import { HaltStateValidationError, type HaltStateClient } from '@haltstate/core';
import type { ClientResolution } from './client-resolution.js';

/**
 * The objects of one app (a NestJS app, say) and the client they use. Several apps in one
 * process each have their own scope, so each app's guarded methods call with its own client.
 */
export interface ClientScope {
  /** Names the app in errors, e.g. `a NestJS app (HaltStateModule, tenant "acme")`. */
  readonly label: string;
  /** Calls whose `this` is this object (an instance the app made) use this scope's client. */
  bind(instance: object): void;
  /**
   * Calls whose `this` is this class (a static method), or an instance of it no scope made, use
   * this scope's client, as long as no other open scope claims the class too.
   */
  claim(target: Function): void;
  /** The app is gone: its claims are dropped, and calls on its objects are refused. */
  close(): void;
}

interface ScopeState {
  label: string;
  clientFor: ((name: string | undefined) => HaltStateClient | undefined) | undefined;
}

const boundTo = new WeakMap<object, ScopeState>();
const claims = new Map<Function, Set<ScopeState>>();

/**
 * A scope for one app's objects, resolved to its client (`clientFor(name)`; undefined when it
 * has no client by that name). Consulted before the active resolver.
 *
 * @example
 * const scope = createClientScope('a worker (tenant "acme")', (name) => (name === undefined ? client : undefined));
 * scope.bind(service); // service's guarded methods now call with `client`
 */
export function createClientScope(label: string, clientFor: (name: string | undefined) => HaltStateClient | undefined): ClientScope {
  if (typeof clientFor !== 'function') throw new HaltStateValidationError('createClientScope needs a function that returns the client for a name', { path: 'clientFor' });
  const state: ScopeState = { label, clientFor };
  const claimed = new Set<Function>();
  return {
    label,
    // Bound even when closed: a late instance of a closed app is refused, never resolved elsewhere.
    bind: (instance) => void boundTo.set(instance, state),
    claim: (target) => {
      if (!state.clientFor) return;
      claimed.add(target);
      claims.set(target, (claims.get(target) ?? new Set()).add(state));
    },
    close: () => {
      state.clientFor = undefined;
      for (const target of claimed) {
        const owners = claims.get(target);
        owners?.delete(state);
        if (owners?.size === 0) claims.delete(target);
      }
      claimed.clear();
    },
  };
}

/**
 * The client of the scope a call belongs to: the one that made `this`, else the only open scope
 * that claims its class. Undefined when no scope knows it; throws when it cannot be told for sure.
 */
export function scopedClient({ name, instance }: ClientResolution, method: string): HaltStateClient | undefined {
  // A method called without a receiver (`const pay = service.pay; pay()`) has no app to ask.
  if ((typeof instance !== 'object' || instance === null) && typeof instance !== 'function') return undefined;
  let state = boundTo.get(instance);
  if (!state) {
    const owner = (typeof instance === 'function' ? instance : instance.constructor) as Function;
    const owners = [...(claims.get(owner) ?? [])];
    if (owners.length === 0) return undefined;
    if (owners.length > 1) {
      throw new HaltStateValidationError(
        `@HaltStateGuard on ${method}: ${owner.name} belongs to ${owners.length} running apps (${owners.map((entry) => entry.label).join('; ')}) and this call's \`this\` was not made by one of them ` +
          `(a static method, or an instance made with new), so which app's client to use cannot be told; the method did not run. ` +
          `Call it on an instance the app made (injected, or app.get()), or pass { client } to @HaltStateGuard.`,
        { path: 'client' },
      );
    }
    state = owners[0]!;
  }
  if (!state.clientFor) {
    throw new HaltStateValidationError(`@HaltStateGuard on ${method}: this object belongs to ${state.label} that was closed, so the method did not run. Use the services of a running app.`, { path: 'client' });
  }
  const client = state.clientFor(name);
  if (!client) throw new HaltStateValidationError(`@HaltStateGuard on ${method}: ${state.label} has no client named "${String(name)}", so the method did not run.`, { path: 'client' });
  return client;
}
