import { createLocalServer, type LocalServer } from '@haltstate/local';
import { testKey } from '@test-support/keys';

export const tenant = { id: 'acme', apiKey: testKey('nest-acme'), adminKey: testKey('nest-admin') };

export function startServer(): Promise<LocalServer> {
  return createLocalServer({
    policy: {
      tenants: [tenant],
      rules: [
        { id: 'reads', match: { action: 'read.*' }, decision: 'ALLOW' },
        { id: 'no-drops', match: { action: 'database.*' }, decision: 'DENY', reason: 'Destructive operation' },
        { id: 'small', match: { action: 'payment.process' }, when: { 'params.amount': { lte: 1000 } }, decision: 'ALLOW' },
        { id: 'large', match: { action: 'payment.*' }, decision: 'APPROVAL_REQUIRED', reason: 'Over the limit', approval: { ttl: '1s' } },
      ],
    },
  });
}
