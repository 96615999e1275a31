import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HaltStateClient } from '@haltstate/core';
import { ConfigurableModuleClass, HALTSTATE_MODULE_OPTIONS, type HaltStateModuleOptions } from './haltstate.module-definition.js';
import { HaltStateExplorer } from './haltstate.explorer.js';

/**
 * The HaltState module: an injectable `HaltStateClient` (validated at boot, so a bad option
 * fails the app's start), `@HaltStateGuard` honoured on providers and controllers, and
 * pending reports flushed on shutdown.
 *
 * @example
 * @Module({ imports: [HaltStateModule.forRoot({ tenantId: 'acme', apiKey: process.env.HALTSTATE_API_KEY, isGlobal: true })] })
 * export class AppModule {}
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: HaltStateClient,
      inject: [HALTSTATE_MODULE_OPTIONS],
      useFactory: ({ shutdownTimeoutMs: _bound, ...options }: HaltStateModuleOptions) => new HaltStateClient(options),
    },
    HaltStateExplorer,
  ],
  exports: [HaltStateClient],
})
export class HaltStateModule extends ConfigurableModuleClass {}
