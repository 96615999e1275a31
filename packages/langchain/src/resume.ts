import type { GuardStatus, HaltStateClient } from '@haltstate/core';
import { isHaltStateInterrupt, type HaltStateInterrupt } from './approval-interrupt.js';

/**
 * What HaltState decided for one paused call: the resume value of its interrupt.
 *
 * @example
 * { approvalId: 'apr-1', status: 'approved', approver: 'alice', reason: null }
 */
export interface HaltStateDecision {
  approvalId: string;
  status: Exclude<GuardStatus, 'pending'>;
  approver: string | null;
  reason: string | null;
}

/**
 * What {@link resumeFromHaltState} found.
 *
 * @example
 * const { resume, pending } = await resumeFromHaltState(client, result.__interrupt__);
 * if (pending.length) console.log('still waiting for', pending.map((call) => call.approvalId));
 */
export interface HaltStateResume {
  /**
   * `new Command({ resume })`, keyed by interrupt id, for the paused calls HaltState has decided;
   * `undefined` when it has decided none (resuming then would only pause again).
   */
  resume: Record<string, HaltStateDecision> | undefined;
  /** The paused calls a human has not decided yet. */
  pending: HaltStateInterrupt[];
}

/**
 * An interrupt as LangGraph hands it out (`result.__interrupt__`, `state.tasks[i].interrupts`).
 *
 * @example
 * const interrupts: GraphInterruptLike[] = (await agent.graph.getState(config)).tasks.flatMap((task) => task.interrupts);
 */
export interface GraphInterruptLike {
  id?: string | undefined;
  value?: unknown;
}

/**
 * Asks HaltState about every HaltState interrupt a graph paused on and builds the resume value
 * from its answers only. Other interrupts are left to the app. The resume value informs; it does
 * not authorize: the resumed call asks HaltState again under its key and runs only on HaltState's
 * allow or approval, so a resume value made up elsewhere ("approved") cannot run a tool.
 *
 * @example
 * const config = { configurable: { thread_id: 'ticket-42' } };
 * let result = await agent.invoke({ messages: [new HumanMessage('Refund order o-7')] }, config);
 * // …a human decides on the approvals page, in the CLI or the dashboard…
 * const { resume, pending } = await resumeFromHaltState(client, result.__interrupt__);
 * if (resume) result = await agent.invoke(new Command({ resume }), config);
 */
export async function resumeFromHaltState(client: HaltStateClient, interrupts: readonly GraphInterruptLike[] | undefined): Promise<HaltStateResume> {
  const resume: Record<string, HaltStateDecision> = {};
  const pending: HaltStateInterrupt[] = [];
  for (const item of interrupts ?? []) {
    if (typeof item.id !== 'string' || !isHaltStateInterrupt(item.value)) continue;
    const call = item.value;
    const state = await client.guardState({ action: call.action, agentId: call.agentId, params: call.params, idempotencyKey: call.idempotencyKey });
    if (state.status === 'pending') pending.push(call);
    else resume[item.id] = { approvalId: state.approvalId, status: state.status, approver: state.approver, reason: state.reason };
  }
  return { resume: Object.keys(resume).length > 0 ? resume : undefined, pending };
}
