import type { RunState, RunToolApprovalItem } from '@openai/agents';
import { HaltStateValidationError, isHaltStateClient, type GuardState, type HaltStateClient } from '@haltstate/core';
import { callParams, callRequest } from './call-request.js';
import { notRunText } from './decision-text.js';
import { bindingOf } from './guard-tools.js';

/** One interruption and where its call stands in HaltState. */
export interface ResolvedInterruption {
  item: RunToolApprovalItem;
  state: GuardState;
}

/** The part of a `RunState` that {@link resolveInterruptions} uses (any context, any agent). */
export type InterruptedState = Pick<RunState<unknown, never>, 'getInterruptions' | 'approve' | 'reject'>;

/** What {@link resolveInterruptions} did to a run state's interruptions. */
export interface ResolvedInterruptions {
  /** Approved in the run state: HaltState allowed or a human approved. */
  approved: ResolvedInterruption[];
  /** Rejected in the run state, with the text the model reads: denied, expired or already used. */
  rejected: ResolvedInterruption[];
  /** Still waiting for a human in HaltState: left as they are. */
  pending: ResolvedInterruption[];
  /** Interruptions of tools that {@link guardTools} did not guard: HaltState has no say; left as they are. */
  unguarded: RunToolApprovalItem[];
}

/**
 * Approves or rejects every interruption of a run state from HaltState's decisions alone, and
 * says which are still pending. Run the state again when `pending` is empty (or to let the
 * decided calls go on: the pending ones interrupt again). Asking never uses anything up; the
 * approved call runs once, inside its guarded tool.
 *
 * @example
 * const state = await RunState.fromString(agent, saved);
 * const { pending } = await resolveInterruptions(state, { client });
 * if (pending.length === 0) result = await run(agent, state);
 */
export async function resolveInterruptions(state: InterruptedState, options: { client: HaltStateClient }): Promise<ResolvedInterruptions> {
  if (!options || !isHaltStateClient(options.client)) throw new HaltStateValidationError('resolveInterruptions needs { client }: a HaltStateClient', { path: 'client' });
  const result: ResolvedInterruptions = { approved: [], rejected: [], pending: [], unguarded: [] };
  for (const item of state.getInterruptions()) {
    const tool = item.agent.tools.find((candidate) => candidate.type === 'function' && candidate.name === item.name);
    const binding = bindingOf(tool);
    const callId = item.rawItem.type === 'function_call' ? item.rawItem.callId : undefined;
    if (!binding || !callId) {
      result.unguarded.push(item);
      continue;
    }
    const guardState = await options.client.guardState(callRequest(options.client, binding, callId, callParams(item.arguments)));
    const entry = { item, state: guardState };
    if (guardState.status === 'allowed' || guardState.status === 'approved') {
      state.approve(item);
      result.approved.push(entry);
    } else if (guardState.status === 'pending') {
      result.pending.push(entry);
    } else {
      state.reject(item, { message: notRunText(guardState) });
      result.rejected.push(entry);
    }
  }
  return result;
}
