import { isHaltStateError, type ActionAlreadyExecuted, type ActionDenied, type ActionExpired, type ApprovalPending, type ApprovalTimeoutError } from '@haltstate/core';

/** What the model reads when HaltState said no. */
export function deniedResult(error: ActionDenied): string {
  return `not allowed: ${error.reason}${error.approver ? ` (rejected by ${error.approver})` : ''}`;
}

/** What the model reads when a human must approve first. */
export function pendingResult(error: ApprovalPending): string {
  return `approval requested: "${error.action}" needs a human's approval before it runs (approval id ${error.approvalId}). It has not run. Tell the user it is waiting for approval; once it is approved, call it again with the same arguments and it will run.`;
}

/** What the model reads when waiting for a human took too long. */
export function timeoutResult(error: ApprovalTimeoutError, action: string): string {
  return `approval pending: nobody approved "${action}" within ${Math.round(error.timeoutMs / 1000)} s (approval id ${error.approvalId}). It has not run; once it is approved, call it again with the same arguments and it will run.`;
}

/** What the model reads when the approval window closed. */
export function expiredResult(error: ActionExpired): string {
  return `not allowed: the approval for "${error.action}" expired before it ran`;
}

/**
 * What the model reads when the approval behind this call was already used: the action ran
 * once on it and does not run again.
 *
 * @example
 * executedResult(new ActionAlreadyExecuted({ action: 'tool.refund', approvalId: 'apr-1' }))
 * // 'already done: "tool.refund" already ran on its approval (approval id apr-1) and did not run again: …'
 */
export function executedResult(error: ActionAlreadyExecuted): string {
  const which = [error.approvalId && `approval id ${error.approvalId}`, error.executedAt && `at ${error.executedAt}`].filter(Boolean).join(', ');
  return `already done: "${error.action}" already ran on its approval${which ? ` (${which})` : ''} and did not run again: one approval allows one run. Treat it as done; calling it again with the same arguments will not run it.`;
}

/**
 * The text for a decision that kept the tool from running, or `undefined` when the error is not
 * one to hand to the model. Reads the error's code, not its class: an error from another copy
 * of @haltstate/core (its CommonJS and ESM builds in one process) is recognised too.
 */
export function decisionText(error: unknown, options: { action: string; returnPending: boolean }): string | undefined {
  if (isHaltStateError(error, 'HALTSTATE_ACTION_DENIED')) return deniedResult(error);
  if (isHaltStateError(error, 'HALTSTATE_ACTION_EXPIRED')) return expiredResult(error);
  if (isHaltStateError(error, 'HALTSTATE_ALREADY_EXECUTED')) return executedResult(error);
  if (isHaltStateError(error, 'HALTSTATE_APPROVAL_PENDING') && options.returnPending) return pendingResult(error);
  if (isHaltStateError(error, 'HALTSTATE_APPROVAL_TIMEOUT')) return timeoutResult(error, options.action);
  return undefined;
}
