import type { HaltStateClient } from '@haltstate/core';

/**
 * What a resolver is asked: which client (by name) for which object's method.
 *
 * @example
 * const resolver: ClientResolver = ({ instance }) => clientsByInstance.get(instance);
 */
export interface ClientResolution {
  /** The `client` option when it names a client. */
  name: string | undefined;
  /** `this` of the call: the instance, or the class for a static method. */
  instance: object;
  /** The class that declares the method. */
  target: Function;
}

/**
 * Finds the client for a guarded call; undefined when there is none.
 *
 * @example
 * setClientResolver(({ name }) => (name === 'billing' ? billingClient : defaultClient));
 */
export type ClientResolver = (resolution: ClientResolution) => HaltStateClient | undefined;
