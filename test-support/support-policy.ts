import type { PolicyInput } from '@haltstate/local';
import { testKey } from './keys';

/**
 * The support-bot policy of the agent-loop suites of every adapter: `tool.search` allowed,
 * `tool.delete_account` denied, `tool.refund` needs a human; one tenant whose keys are the
 * calling suite's own (`name`).
 *
 * @example
 * const { policy, tenant } = supportPolicy('ai7');
 * const server = await createLocalServer({ policy });
 */
export function supportPolicy(name: string): { policy: PolicyInput; tenant: { id: string; apiKey: string; adminKey: string } } {
  const tenant = { id: 'acme', apiKey: testKey(`${name}-acme`), adminKey: testKey(`${name}-admin`) };
  return {
    tenant,
    policy: {
      tenants: [tenant],
      rules: [
        { id: 'search', match: { action: 'tool.search' }, decision: 'ALLOW' },
        { id: 'no-deletes', match: { action: 'tool.delete_account' }, decision: 'DENY', reason: 'Deleting accounts is never automatic' },
        { id: 'refunds', match: { action: 'tool.refund' }, decision: 'APPROVAL_REQUIRED', reason: 'Refunds need a human' },
      ],
    },
  };
}
