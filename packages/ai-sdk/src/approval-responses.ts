import { checkOptions, guardInputOf, type HaltStateToolOptions, type ToolCallRef } from './tool-call.js';
import { stateText } from './not-run-text.js';

/**
 * A message of an ai history (`ModelMessage`, ai 6 or 7), as far as approvals go.
 *
 * @example
 * const history: HistoryMessage[] = JSON.parse(storedHistory);
 */
export interface HistoryMessage {
  role: string;
  content: unknown;
}

/**
 * ai's answer part to one `tool-approval-request`.
 *
 * @example
 * { type: 'tool-approval-response', approvalId: 'aitxt-1', approved: false, reason: 'not allowed: Duplicate (rejected by bob)' }
 */
export interface ToolApprovalResponsePart {
  type: 'tool-approval-response';
  /** ai's approval id, from the request. */
  approvalId: string;
  approved: boolean;
  reason?: string;
}

/**
 * A request HaltState has no decision for yet.
 *
 * @example
 * for (const request of pending) console.log(`waiting: ${request.action} (HaltState approval ${request.haltstateApprovalId})`);
 */
export interface PendingToolApproval {
  /** ai's approval id, from the `tool-approval-request`. */
  approvalId: string;
  toolCallId: string;
  toolName: string;
  /** The HaltState approval a human decides on (approvals page, CLI, dashboard). */
  haltstateApprovalId: string;
  action: string;
}

/**
 * What {@link approvalResponses} returns.
 *
 * @example
 * const { message, pending }: ApprovalResponses = await approvalResponses({ client, messages: history });
 */
export interface ApprovalResponses {
  /** The message to append to the history before resuming; `undefined` when nothing was decided. */
  message: { role: 'tool'; content: ToolApprovalResponsePart[] } | undefined;
  /** The requests still waiting for a human in HaltState. */
  pending: PendingToolApproval[];
}

/**
 * The resume message for every open `tool-approval-request` in an ai history, built only from
 * HaltState's decisions (asked with `client.guardState`, keyed by ai's toolCallId, so it works
 * from a history restored in a fresh process): approved → `approved: true`; denied or expired →
 * `approved: false` with the reason; an approval that already ran → `approved: true` (the guarded
 * `execute` answers that it already ran). Requests a human has not decided yet are in `pending`,
 * left out of the message. Take the same options as {@link guardTools}.
 *
 * @example
 * const { message, pending } = await approvalResponses({ client, agentId: 'ops-bot', messages: history });
 * if (pending.length === 0 && message) {
 *   history.push(message);
 *   const result = await generateText({ model, tools, toolApproval, messages: history });
 * }
 */
export async function approvalResponses(options: HaltStateToolOptions & { messages: readonly HistoryMessage[] }): Promise<ApprovalResponses> {
  checkOptions(options, 'approvalResponses');
  const content: ToolApprovalResponsePart[] = [];
  const pending: PendingToolApproval[] = [];
  for (const { approvalId, call } of openRequests(options.messages)) {
    const state = await options.client.guardState(guardInputOf(options, call));
    if (state.status === 'pending') {
      pending.push({ approvalId, toolCallId: call.toolCallId, toolName: call.toolName, haltstateApprovalId: state.approvalId, action: state.action });
      continue;
    }
    const reason = stateText(state);
    const approved = state.status !== 'denied' && state.status !== 'expired';
    content.push({ type: 'tool-approval-response', approvalId, approved, ...(reason === undefined ? {} : { reason }) });
  }
  return { message: content.length > 0 ? { role: 'tool', content } : undefined, pending };
}

/** The approval requests of a history that have neither a response nor a tool result yet. */
function openRequests(messages: readonly HistoryMessage[]): Array<{ approvalId: string; call: ToolCallRef }> {
  const calls = new Map<string, ToolCallRef>();
  const requests = new Map<string, string>(); // ai approvalId → toolCallId
  const answered = new Set<string>(); // approval ids and tool call ids with an answer
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content as Array<Record<string, unknown>>) {
      if (part.type === 'tool-call' && typeof part.toolCallId === 'string' && typeof part.toolName === 'string') calls.set(part.toolCallId, { toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
      else if (part.type === 'tool-approval-request' && typeof part.approvalId === 'string' && typeof part.toolCallId === 'string') requests.set(part.approvalId, part.toolCallId);
      else if (part.type === 'tool-approval-response' && typeof part.approvalId === 'string') answered.add(part.approvalId);
      else if (part.type === 'tool-result' && typeof part.toolCallId === 'string') answered.add(part.toolCallId);
    }
  }
  const open: Array<{ approvalId: string; call: ToolCallRef }> = [];
  for (const [approvalId, toolCallId] of requests) {
    const call = calls.get(toolCallId);
    if (call && !answered.has(approvalId) && !answered.has(toolCallId)) open.push({ approvalId, call });
  }
  return open;
}
