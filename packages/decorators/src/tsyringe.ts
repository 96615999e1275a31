import { HaltStateValidationError } from '@haltstate/core';
import { loadTsyringe } from './load-tsyringe.cjs';

/**
 * The part of a tsyringe `DependencyContainer` this package uses; any tsyringe container fits.
 * Declared here, not imported, so that the types compile where tsyringe is not installed.
 *
 * @example
 * import { container } from 'tsyringe';
 * registerHaltState({ tenantId: 'acme' }, { container: container.createChildContainer() });
 */
export interface TsyringeContainer {
  registerInstance<T>(token: symbol, instance: T): unknown;
  isRegistered(token: symbol, recursive?: boolean): boolean;
  resolve(token: symbol): unknown;
  afterResolution(token: new (...args: unknown[]) => unknown, callback: (token: unknown, result: unknown) => void): void;
}

interface Tsyringe {
  container: TsyringeContainer;
}

// undefined: not tried yet; null: not installed.
let loaded: Tsyringe | null | undefined;

/** tsyringe, loaded on first use; undefined when it is not installed. */
export function tsyringeIfInstalled(): Tsyringe | undefined {
  if (loaded === undefined) loaded = (loadTsyringe() as Tsyringe | undefined) ?? null;
  return loaded ?? undefined;
}

/** tsyringe, or an error saying that `what` needs it, how to install it, and how to do without. */
export function requireTsyringe(what: string): Tsyringe {
  const module = tsyringeIfInstalled();
  if (module) return module;
  throw new HaltStateValidationError(
    `${what} needs tsyringe, which is not installed: run \`npm install tsyringe\` (an optional peer of @haltstate/decorators). ` +
      `Without tsyringe: in a NestJS app import HaltStateModule from @haltstate/nestjs; elsewhere pass { client } to @HaltStateGuard, or install a resolver with setClientResolver.`,
    { path: 'tsyringe' },
  );
}
