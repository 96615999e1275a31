import { HaltStateValidationError, type ActionParams, type GuardState, type HaltStateClient } from '@haltstate/core';

/**
 * The value of the LangGraph interrupt a HaltState pause raises: what an app shows while a human
 * decides, and what {@link resumeFromHaltState} asks HaltState about again. Its `type` tells it
 * apart from other interrupts of the same graph.
 *
 * @example
 * const pause = result.__interrupt__?.find((item) => isHaltStateInterrupt(item.value));
 * console.log(pause?.value.approvalId);
 */
export interface HaltStateInterrupt {
  type: 'haltstate.approval';
  approvalId: string;
  action: string;
  agentId: string;
  /** The key the call is guarded under; the same call asks with it again after the resume. */
  idempotencyKey: string;
  toolName: string;
  toolCallId: string | null;
  /** What the policy and the approver see. */
  params: ActionParams;
}

/** One guarded tool call, as the pause needs to ask about it. */
export interface PausedCall {
  client: HaltStateClient;
  action: string;
  agentId: string;
  idempotencyKey: string;
  params: ActionParams;
  toolName: string;
  toolCallId: string | null;
}

/**
 * Whether a value is the value of a HaltState interrupt.
 *
 * @example
 * const ours = (result.__interrupt__ ?? []).filter((item) => isHaltStateInterrupt(item.value));
 */
export function isHaltStateInterrupt(value: unknown): value is HaltStateInterrupt {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'haltstate.approval' && typeof (value as { approvalId?: unknown }).approvalId === 'string';
}

/**
 * Asks HaltState where the call stands and, while a human has not decided, pauses the graph with
 * an interrupt carrying the approval. LangGraph runs the node again on resume: the lookup is
 * asked again, so the resume value itself decides nothing — a forged "approved" finds the call
 * still pending and pauses again. Returns once HaltState has an answer other than pending; the
 * run (or the refusal) is the guard's, with the same key.
 */
export async function pauseWhilePending(call: PausedCall): Promise<void> {
  // Loaded here, not at the top: only graphs pause, and a plain tool needs no LangGraph installed.
  const { getConfig, interrupt } = await import('@langchain/langgraph');
  // Outside a graph nothing can pause or resume: refuse before asking, so no approval is opened
  // for a call that could never come back to it.
  if (getConfig() === undefined) {
    throw new HaltStateValidationError(`onPending: 'interrupt' pauses a LangGraph graph, but "${call.toolName}" was called outside one; call it from a graph (createAgent, a ToolNode) or use onPending 'return', 'wait' or 'throw'`, { path: 'onPending' });
  }
  for (;;) {
    const state = await call.client.guardState({ action: call.action, agentId: call.agentId, params: call.params, idempotencyKey: call.idempotencyKey });
    if (state.status !== 'pending') return;
    // The first time, this throws (the graph pauses); after a resume it returns the resume value,
    // which is ignored: the loop asks again, and the next interrupt pauses again if still pending.
    interrupt(interruptValue(call, state));
  }
}

function interruptValue(call: PausedCall, state: GuardState): HaltStateInterrupt {
  return {
    type: 'haltstate.approval',
    approvalId: state.approvalId,
    action: call.action,
    agentId: call.agentId,
    idempotencyKey: call.idempotencyKey,
    toolName: call.toolName,
    toolCallId: call.toolCallId,
    params: call.params,
  };
}
