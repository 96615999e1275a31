import { createLocalServer, type LocalServer } from '@haltstate/local';
import { testKey } from '@test-support/keys';

export const tenant = { id: 'acme', apiKey: testKey('nest-acme'), adminKey: testKey('nest-admin') };
/** A second tenant on the same server, for two apps in one process. */
export const otherTenant = { id: 'globex', apiKey: testKey('nest-globex'), adminKey: testKey('nest-globex-admin') };

export function startServer(): Promise<LocalServer> {
  return createLocalServer({
    policy: {
      tenants: [tenant, otherTenant],
      rules: [
        { id: 'reads', match: { action: 'read.*' }, decision: 'ALLOW' },
        { id: 'no-drops', match: { action: 'database.*' }, decision: 'DENY', reason: 'Destructive operation' },
        { id: 'small', match: { action: 'payment.process' }, when: { 'params.amount': { lte: 1000 } }, decision: 'ALLOW' },
        { id: 'large', match: { action: 'payment.*' }, decision: 'APPROVAL_REQUIRED', reason: 'Over the limit', approval: { ttl: '1s' } },
      ],
    },
  });
}
