import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ClientOptions } from '@haltstate/core';

/** Options of `HaltStateModule.forRoot()`: the client's options, plus the shutdown bound. */
export interface HaltStateModuleOptions extends ClientOptions {
  /** How long `app.close()` waits for pending reports. @unit milliseconds @default 5000 */
  shutdownTimeoutMs?: number;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: HALTSTATE_MODULE_OPTIONS, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } = new ConfigurableModuleBuilder<HaltStateModuleOptions>({
  moduleName: 'HaltState',
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createHaltStateOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
