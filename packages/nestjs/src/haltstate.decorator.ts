import { Inject } from '@nestjs/common';
import { HaltStateClient } from '@haltstate/core';

export { HaltStateGuard } from '@haltstate/decorators';

/** Injects the module's client (the same as injecting `HaltStateClient` by class). */
export const InjectHaltState = (): ParameterDecorator & PropertyDecorator => Inject(HaltStateClient);
