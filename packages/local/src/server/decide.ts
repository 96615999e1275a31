import { KILL_SWITCH_POLICY_ID } from '@haltstate/core';
import type { ServerContext } from './context.js';
import { evaluate, type Evaluation } from './policy/evaluate.js';

/** What the policy says when the agent is stopped: the kill switch wins over everything. */
export const KILLED: Evaluation = { decision: 'DENY', reason: 'Agent is stopped by the kill switch', policyId: KILL_SWITCH_POLICY_ID, ttlMs: 0 };

/** One agent call as the check and guard bodies name it. */
export interface AgentCall {
  agent_id: string;
  action: string;
  params: Record<string, unknown>;
}

/**
 * What an agent's call gets before any human: the kill switch (read now), then the policy (as it
 * is now). The one place both check and guard decide. It runs before, and outside, the store's
 * write transaction: evaluation is pure and bounded (linear-time globs and patterns, capped
 * string lengths), and the database lock is held only for the writes. The guard route uses the
 * evaluation only when the key has no approval yet.
 *
 * @example
 * const decision = await decide(context, tenant.id, body);
 * if (decision.killed) … // decision.evaluation is KILLED
 */
export async function decide(context: Pick<ServerContext, 'store' | 'policy' | 'limits'>, tenantId: string, call: AgentCall): Promise<{ killed: boolean; evaluation: Evaluation }> {
  const killed = (await context.store.agentStatus(tenantId, call.agent_id)) === 'KILL';
  if (killed) return { killed, evaluation: KILLED };
  return { killed, evaluation: evaluate(context.policy(), { agentId: call.agent_id, action: call.action, params: call.params }, { maxMatchedLength: context.limits.maxMatchedLength }) };
}
