import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { HaltStateClient } from '@haltstate/core';
import { createClientScope, getGuardedMethods, type ClientScope, type GuardedMethod } from '@haltstate/decorators';
import { HALTSTATE_MODULE_OPTIONS, type HaltStateModuleOptions } from './haltstate.module-definition.js';
import { bindWrapper } from './haltstate.scope.js';

/**
 * At module init: finds every `@HaltStateGuard` method on this app's providers and controllers
 * (Nest's discovery service), checks at boot that each can get a client, and puts the app's
 * instances (singletons now, request-scoped and transient ones as Nest makes them) in a client
 * scope of their own, so they call with this module's client even when other apps run in the
 * same process. At shutdown: closes the scope (this app's only) and the client, flushing pending
 * reports (bounded).
 */
@Injectable()
export class HaltStateExplorer implements OnModuleInit, OnApplicationShutdown {
  readonly #logger = new Logger('HaltState');
  #scope: ClientScope | undefined;
  #unbind: Array<() => void> = [];
  #guarded: Array<{ owner: string } & GuardedMethod> = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly client: HaltStateClient,
    @Inject(HALTSTATE_MODULE_OPTIONS) private readonly options: HaltStateModuleOptions,
  ) {}

  /** The guarded methods found at init, for diagnostics and tests. */
  get guardedMethods(): ReadonlyArray<{ owner: string } & GuardedMethod> {
    return this.#guarded;
  }

  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()].filter((wrapper) => !wrapper.isAlias);
    const seen = new Set<Function>();
    for (const { metatype: type } of wrappers) {
      if (typeof type !== 'function' || seen.has(type)) continue;
      seen.add(type);
      for (const method of getGuardedMethods(type)) this.#guarded.push({ owner: type.name, ...method });
    }
    const named = this.#guarded.filter((entry) => typeof entry.options.client === 'string');
    if (named.length > 0) {
      const where = named.map((entry) => `${entry.owner}.${String(entry.method)} (client "${String(entry.options.client)}")`).join(', ');
      throw new Error(`@HaltStateGuard names a client, but HaltStateModule provides one client per app: ${where}. Drop the client option, or pass a HaltStateClient instance.`);
    }
    const client = this.client;
    this.#scope = createClientScope(`a NestJS app (HaltStateModule, tenant "${client.tenantId}")`, (name) => (name === undefined ? client : undefined));
    this.#unbind = wrappers.map((wrapper) => bindWrapper(wrapper, this.#scope!));
    this.#logger.log(`guarding ${this.#guarded.length} method(s)`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.#scope?.close();
    for (const unbind of this.#unbind.splice(0)) unbind();
    const result = await this.client.close({ timeoutMs: this.options.shutdownTimeoutMs ?? 5_000 });
    if (!result.ok) this.#logger.warn(`${result.pending} report(s) still pending and ${result.failed.length} failed at shutdown`);
  }
}
