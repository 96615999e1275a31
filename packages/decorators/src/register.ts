import { HaltStateClient, isHaltStateClient, type ClientOptions } from '@haltstate/core';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { clientToken } from './haltstate.constants.js';
import { watchContainer } from './client-resolver.js';

/** Where and under which name to register. */
export interface RegisterOptions {
  /** A named client, for several tenants: `@HaltStateGuard({ client: 'payments', … })`. */
  name?: string;
  /** A tsyringe container; services resolved from it use its client. @default the root container */
  container?: DependencyContainer;
}

/**
 * Registers a singleton HaltState client in tsyringe, made from options (or given ready-made).
 * Returns the client.
 *
 * @example
 * registerHaltState({ tenantId: 'acme', apiKey: process.env.HALTSTATE_API_KEY });
 * registerHaltState({ tenantId: 'payments-tenant' }, { name: 'payments' });
 */
export function registerHaltState(options: ClientOptions | HaltStateClient = {}, where: RegisterOptions = {}): HaltStateClient {
  // By brand, not instanceof: a client made by the other build of core (ESM vs CommonJS) is a client too.
  const client = isHaltStateClient(options) ? options : new HaltStateClient(options);
  const container = where.container ?? rootContainer;
  container.registerInstance(clientToken(where.name), client);
  watchContainer(container);
  return client;
}
