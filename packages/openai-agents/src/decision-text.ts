import { isHaltStateError, type GuardState } from '@haltstate/core';

/** The part of a guard state that explains why a call did not run. */
export type NotRunState = Pick<GuardState, 'status' | 'action' | 'approvalId' | 'approver' | 'reason' | 'executedAt'>;

/**
 * What the model reads when HaltState kept a call from running: a denial with its reason, an
 * expiry, an approval already used, or an approval nobody gave yet. The model sees it as the
 * tool's output and the run goes on.
 *
 * @example
 * notRunText({ status: 'denied', action: 'tool.delete_file', approvalId: 'apr-1', approver: 'alice', reason: 'not on Fridays', executedAt: null })
 * // 'not allowed: not on Fridays (rejected by alice)'
 */
export function notRunText(state: NotRunState): string {
  switch (state.status) {
    case 'denied':
      return `not allowed: ${state.reason ?? 'denied by policy'}${state.approver ? ` (rejected by ${state.approver})` : ''}`;
    case 'expired':
      return `not allowed: the approval for "${state.action}" expired before it ran (approval id ${state.approvalId})`;
    case 'executed':
      return `already done: "${state.action}" already ran on its approval (approval id ${state.approvalId}${state.executedAt ? `, at ${state.executedAt}` : ''}); one approval allows one run, so it did not run again.`;
    default:
      return `approval pending: "${state.action}" needs a human's approval in HaltState (approval id ${state.approvalId}) and has not run. Tell the user it is waiting for approval.`;
  }
}

/**
 * The text for an error of `client.guard` that means "HaltState said no (or not yet)", or
 * `undefined` for any other error (unreachable server, kill switch…), which ends the run: fail
 * closed. Reads the error's code, not its class, so errors of another copy of core count too.
 */
export function notRunErrorText(error: unknown, action: string): string | undefined {
  const base = { action, approvalId: '', approver: null, reason: null, executedAt: null };
  if (isHaltStateError(error, 'HALTSTATE_ACTION_DENIED')) return notRunText({ ...base, status: 'denied', approver: error.approver ?? null, reason: error.reason });
  if (isHaltStateError(error, 'HALTSTATE_ACTION_EXPIRED')) return notRunText({ ...base, status: 'expired', approvalId: error.approvalId ?? '' });
  if (isHaltStateError(error, 'HALTSTATE_ALREADY_EXECUTED')) return notRunText({ ...base, status: 'executed', approvalId: error.approvalId ?? '', executedAt: error.executedAt ?? null });
  if (isHaltStateError(error, 'HALTSTATE_APPROVAL_PENDING')) return notRunText({ ...base, status: 'pending', approvalId: error.approvalId });
  if (isHaltStateError(error, 'HALTSTATE_APPROVAL_TIMEOUT')) return notRunText({ ...base, status: 'pending', approvalId: error.approvalId });
  return undefined;
}
