// Type tests for the tsyringe side, compiled in both decorator modes (test/decorator-modes.test.ts):
// the package declares the tsyringe types it uses instead of importing them (tsyringe is an
// optional peer), and real tsyringe containers and tokens still fit.
import 'reflect-metadata';
import { container, inject } from 'tsyringe';
import type { HaltStateClient } from '@haltstate/core';
import { clientToken, HALTSTATE_CLIENT, registerHaltState } from '@haltstate/decorators';

// Tokens: tsyringe infers the client type from them.
export const byDefault: HaltStateClient = container.resolve(HALTSTATE_CLIENT);
export const byName: HaltStateClient = container.resolve(clientToken('payments'));
// @ts-expect-error a token of a client resolves to a client, not a string
export const notAString: string = container.resolve(HALTSTATE_CLIENT);

// The parameter decorator (legacy mode only, so called here as a function).
export const injectClient: ParameterDecorator = inject(HALTSTATE_CLIENT);

// Containers: the root one and child containers are accepted as they are.
registerHaltState({ tenantId: 'acme' }, { container: container.createChildContainer() });
registerHaltState({ tenantId: 'acme' }, { container, name: 'payments' });
// @ts-expect-error a container must be a tsyringe container
registerHaltState({ tenantId: 'acme' }, { container: {} });
