import type { Policy } from './policy/schema.js';

/**
 * The top-level params a rule's conditions look at (`params.amount` → `amount`), so a human sees
 * them first. An approval stores only its rule's id, not the conditions, so they come from the
 * policy the server runs now: after a policy change they are the current rule's, and a rule
 * that no longer exists gives none.
 *
 * @example
 * ruleFields(policy, 'large-payments'); // ['amount', 'currency']
 */
export function ruleFields(policy: Policy, policyId: string | null): string[] {
  if (policyId === null) return [];
  const rule = policy.rules.find((entry) => entry.id === policyId);
  const fields = Object.keys(rule?.when ?? {})
    .filter((path) => path.startsWith('params.'))
    .map((path) => path.split('.')[1]!);
  return [...new Set(fields)];
}
