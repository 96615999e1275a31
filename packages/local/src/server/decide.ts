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
 * is when `evaluate` runs; the guard route runs it only when the key has no approval yet). The
 * one place both check and guard decide.
 *
 * @example
 * const decision = decide(context, tenant.id, body);
 * if (decision.killed) … // decision.evaluate() is KILLED
 */
export function decide(context: Pick<ServerContext, 'store' | 'policy'>, tenantId: string, call: AgentCall): { killed: boolean; evaluate: () => Evaluation } {
  const killed = context.store.agentStatus(tenantId, call.agent_id) === 'KILL';
  return { killed, evaluate: () => (killed ? KILLED : evaluate(context.policy(), { agentId: call.agent_id, action: call.action, params: call.params })) };
}
