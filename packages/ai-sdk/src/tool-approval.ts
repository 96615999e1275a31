import { isHaltStateError, type GuardState } from '@haltstate/core';
import { stateText } from './not-run-text.js';
import { checkOptions, guardInputOf, inShadow, type HaltStateToolOptions, type ToolCallRef } from './tool-call.js';

/**
 * What {@link haltstateApproval}'s function answers: a subset of ai 7's `ToolApprovalStatus`.
 *
 * @example
 * const status: HaltStateApprovalStatus = { type: 'denied', reason: 'not allowed: Never automatic' };
 */
export type HaltStateApprovalStatus = 'approved' | { type: 'denied'; reason: string } | { type: 'user-approval'; reason: string };

/**
 * The function ai 7 calls as `toolApproval`.
 *
 * @example
 * const toolApproval: HaltStateToolApproval = haltstateApproval({ client });
 * await toolApproval({ toolCall: { toolCallId: 'call_1', toolName: 'refund', input: { orderId: 'o-1' } } }); // 'approved' | { type, reason }
 */
export type HaltStateToolApproval = (options: { toolCall: ToolCallRef }) => Promise<HaltStateApprovalStatus>;

/**
 * Options of {@link haltstateApproval}: the same {@link HaltStateToolOptions} as `guardTools`,
 * plus `wait`.
 *
 * @example
 * haltstateApproval({ client, agentId: 'ops-bot', wait: { timeoutMs: 60_000 } })
 */
export interface HaltStateApprovalOptions extends HaltStateToolOptions {
  /**
   * Block until a human decided in HaltState (SSE, as core's guard waits) and answer approved or
   * denied, instead of pausing the run with `user-approval`. After `timeoutMs` without a
   * decision, the call pauses with `user-approval` after all. @default false (pause at once)
   */
  wait?: boolean | { timeoutMs?: number | undefined } | undefined;
}

/**
 * ai 7's `toolApproval`, decided by HaltState. For each tool call it asks `client.guardState`
 * (keyed by ai's toolCallId; a stable lookup that ai may repeat on every resume) and answers:
 * allowed or approved → `'approved'`; denied or expired → `{ type: 'denied', reason }`, which ai
 * hands to the model as `execution-denied` with the reason; a human must decide →
 * `{ type: 'user-approval', reason }` (ai ends the call with a `tool-approval-request`), or with
 * `wait`, the human's decision. An approval already used → `'approved'`: the guarded `execute`
 * then answers that it already ran, without running it again. In shadow mode (`mode: 'shadow'`,
 * or the client's) it answers `'approved'` without asking: the guarded `execute` runs the call
 * in shadow, which records it.
 *
 * Use it with tools wrapped by {@link guardTools} and the same options: the run itself happens
 * only in their `execute`, inside core's guard, so a forged `approved` response never runs a tool.
 *
 * @example
 * const options = { client, agentId: 'ops-bot' };
 * const result = await generateText({ model, messages, tools: guardTools(tools, options), toolApproval: haltstateApproval(options) });
 */
export function haltstateApproval(options: HaltStateApprovalOptions): HaltStateToolApproval {
  checkOptions(options, 'haltstateApproval');
  const { client, wait } = options;
  return async ({ toolCall }) => {
    // Shadow never pauses or waits: the guarded execute runs it and records it as shadow.
    if (inShadow(options)) return 'approved';
    const state = await client.guardState(guardInputOf(options, toolCall));
    if (state.status === 'allowed' || state.status === 'approved' || state.status === 'executed') return 'approved';
    if (state.status !== 'pending') return { type: 'denied', reason: stateText(state)! };
    if (wait) return waitForHuman(options, state, typeof wait === 'object' ? wait.timeoutMs : undefined);
    return pendingStatus(state);
  };
}

async function waitForHuman({ client }: HaltStateToolOptions, state: GuardState, timeoutMs: number | undefined): Promise<HaltStateApprovalStatus> {
  try {
    await client.waitForApproval(state.approvalId, timeoutMs === undefined ? {} : { timeoutMs });
    return 'approved';
  } catch (error) {
    if (isHaltStateError(error, 'HALTSTATE_APPROVAL_TIMEOUT')) return pendingStatus(state);
    if (isHaltStateError(error, 'HALTSTATE_ACTION_DENIED')) return { type: 'denied', reason: stateText({ ...state, status: 'denied', reason: error.reason, approver: error.approver })! };
    if (isHaltStateError(error, 'HALTSTATE_ACTION_EXPIRED')) return { type: 'denied', reason: stateText({ ...state, status: 'expired' })! };
    throw error;
  }
}

function pendingStatus(state: GuardState): HaltStateApprovalStatus {
  return { type: 'user-approval', reason: `"${state.action}" needs a human's approval in HaltState (approval id ${state.approvalId})` };
}
