import { HaltStateClient, isHaltStateClient, type ClientOptions } from '@haltstate/core';
import { clientSymbol } from './haltstate.constants.js';
import { watchContainer } from './client-resolver.js';
import { requireTsyringe, type TsyringeContainer } from './tsyringe.js';

/** Where and under which name to register. */
export interface RegisterOptions {
  /** A named client, for several tenants: `@HaltStateGuard({ client: 'payments', … })`. */
  name?: string;
  /** A tsyringe container; services resolved from it use its client. @default the root container */
  container?: TsyringeContainer;
}

/**
 * Registers a singleton HaltState client in tsyringe, made from options (or given ready-made).
 * Returns the client. Needs tsyringe installed (an optional peer): loaded here, on first use.
 *
 * @example
 * registerHaltState({ tenantId: 'acme', apiKey: process.env.HALTSTATE_API_KEY });
 * registerHaltState({ tenantId: 'payments-tenant' }, { name: 'payments' });
 */
export function registerHaltState(options: ClientOptions | HaltStateClient = {}, where: RegisterOptions = {}): HaltStateClient {
  const container = where.container ?? requireTsyringe('registerHaltState').container;
  // By brand, not instanceof: a client made by the other build of core (ESM vs CommonJS) is a client too.
  const client = isHaltStateClient(options) ? options : new HaltStateClient(options);
  container.registerInstance(clientSymbol(where.name), client);
  watchContainer(container);
  return client;
}
