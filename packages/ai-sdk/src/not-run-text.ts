import { isHaltStateError, type GuardState } from '@haltstate/core';

/**
 * Why a tool call did not run, in the fields a text needs.
 *
 * @example
 * const notRun: NotRun = { status: 'expired', action: 'tool.refund', approvalId: 'apr-1' };
 */
export interface NotRun {
  status: 'denied' | 'expired' | 'executed' | 'pending';
  action: string;
  approvalId?: string | null | undefined;
  reason?: string | null | undefined;
  approver?: string | null | undefined;
  executedAt?: string | null | undefined;
}

/**
 * What the model reads when HaltState kept a tool call from running.
 *
 * @example
 * notRunText({ status: 'denied', action: 'tool.delete_account', reason: 'Never automatic' }) // 'not allowed: Never automatic'
 */
export function notRunText(notRun: NotRun): string {
  const id = notRun.approvalId ? ` (approval id ${notRun.approvalId})` : '';
  switch (notRun.status) {
    case 'denied':
      return `not allowed: ${notRun.reason ?? `"${notRun.action}" was denied`}${notRun.approver ? ` (rejected by ${notRun.approver})` : ''}`;
    case 'expired':
      return `not allowed: the approval for "${notRun.action}" expired before it ran${id}`;
    case 'executed':
      return `already done: "${notRun.action}" already ran on its approval${id} and did not run again: one approval allows one run.`;
    case 'pending':
      return `not run: "${notRun.action}" has not been approved in HaltState${id}. It did not run; a human must approve it first.`;
  }
}

/** The {@link NotRun} of a decision error thrown by core's guard before the tool started, or `undefined` for any other error. */
export function notRunOf(error: unknown): NotRun | undefined {
  if (isHaltStateError(error, 'HALTSTATE_ACTION_DENIED')) return { status: 'denied', action: error.action, reason: error.reason, approver: error.approver };
  if (isHaltStateError(error, 'HALTSTATE_ACTION_EXPIRED')) return { status: 'expired', action: error.action, approvalId: error.approvalId };
  if (isHaltStateError(error, 'HALTSTATE_ALREADY_EXECUTED')) return { status: 'executed', action: error.action, approvalId: error.approvalId, executedAt: error.executedAt };
  if (isHaltStateError(error, 'HALTSTATE_APPROVAL_PENDING')) return { status: 'pending', action: error.action, approvalId: error.approvalId };
  return undefined;
}

/** The text of a state in which the call may not run (`undefined` for allowed/approved). */
export function stateText(state: GuardState): string | undefined {
  return state.status === 'allowed' || state.status === 'approved' ? undefined : notRunText({ ...state, status: state.status });
}
