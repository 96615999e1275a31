import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { HaltStateClient } from '@haltstate/core';
import { getGuardedMethods, setClientResolver, type ClientResolver, type GuardedMethod } from '@haltstate/decorators';
import { HALTSTATE_MODULE_OPTIONS, type HaltStateModuleOptions } from './haltstate.module-definition.js';

/**
 * At module init: finds every `@HaltStateGuard` method on providers and controllers (Nest's
 * discovery service), checks at boot that each can get a client, and installs a resolver that
 * hands them this module's client from Nest's DI (no tsyringe container involved). At
 * shutdown: closes the client, flushing pending reports (bounded).
 */
@Injectable()
export class HaltStateExplorer implements OnModuleInit, OnApplicationShutdown {
  readonly #logger = new Logger('HaltState');
  #previous: ClientResolver | undefined;
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
    const seen = new Set<Function>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const type = wrapper.metatype;
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
    this.#previous = setClientResolver(({ name }) => (name === undefined ? client : undefined));
    this.#logger.log(`guarding ${this.#guarded.length} method(s)`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.#previous) setClientResolver(this.#previous);
    const result = await this.client.close({ timeoutMs: this.options.shutdownTimeoutMs ?? 5_000 });
    if (!result.ok) this.#logger.warn(`${result.pending} report(s) still pending and ${result.failed.length} failed at shutdown`);
  }
}
