import { globMatches } from './policy/glob.js';
import type { Policy } from './policy/schema.js';

/**
 * The top-level params the policy looked at to reach an approval's decision (`params.amount` →
 * `amount`), so a human sees them first: the matched rule's conditions, then those of the rules
 * tried before it that matched the action and agent but whose conditions failed (an amount over
 * the automatic limit is why a payment waits). An approval stores only its rule's id, so the
 * rules come from the policy the server runs now: after a policy change they are the current
 * ones, and a rule that no longer exists adds none.
 *
 * @example
 * ruleFields(policy, { policyId: 'large-payments', action: 'payment.process', agentId: 'payment-bot-1' }); // ['amount', 'currency']
 */
export function ruleFields(policy: Policy, approval: { policyId: string | null; action: string; agentId: string }): string[] {
  const fields: string[] = [];
  const add = (rule: Policy['rules'][number]) => {
    for (const path of Object.keys(rule.when ?? {})) if (path.startsWith('params.')) fields.push(path.split('.')[1]!);
  };
  const index = approval.policyId === null ? policy.rules.length : policy.rules.findIndex((rule) => rule.id === approval.policyId);
  if (index >= 0 && index < policy.rules.length) add(policy.rules[index]!);
  for (const rule of policy.rules.slice(0, Math.max(0, index))) {
    const applies = (!rule.match?.action || globMatches(rule.match.action, approval.action)) && (!rule.match?.agent || globMatches(rule.match.agent, approval.agentId));
    if (applies) add(rule);
  }
  return [...new Set(fields)];
}
