import type { ActionDenied, ActionExpired, ApprovalPending, ApprovalTimeoutError } from '@haltstate/core';

/** What the model reads when HaltState said no. */
export function deniedResult(error: ActionDenied): string {
  return `not allowed: ${error.reason}${error.approver ? ` (rejected by ${error.approver})` : ''}`;
}

/** What the model reads when a human must approve first. */
export function pendingResult(error: ApprovalPending): string {
  return `approval requested: "${error.action}" needs a human's approval before it runs (approval id ${error.approvalId}). It has not run; do not call it again until it is approved.`;
}

/** What the model reads when waiting for a human took too long. */
export function timeoutResult(error: ApprovalTimeoutError, action: string): string {
  return `approval pending: nobody approved "${action}" within ${Math.round(error.timeoutMs / 1000)} s (approval id ${error.approvalId}). It has not run.`;
}

/** What the model reads when the approval window closed. */
export function expiredResult(error: ActionExpired): string {
  return `not allowed: the approval for "${error.action}" expired before it ran`;
}
