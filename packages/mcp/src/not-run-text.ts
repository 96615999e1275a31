import { isHaltStateError } from '@haltstate/core';

/**
 * What the model reads when HaltState kept a tool call from running, for every error core's
 * guard throws before the tool starts: a denial, a pending or timed-out approval, an expiry, an
 * approval already used, the kill switch, and — fail closed — anything else (HaltState
 * unreachable, a refused key, a closed client). Reads codes, not classes: errors of another copy
 * of core (the CommonJS and the ESM build in one process) read the same.
 *
 * @example
 * notRunText(error, { action: 'mcp.files.delete', approvalUrl: (id) => `https://approvals.example/#/${id}` })
 * // 'approval pending: "mcp.files.delete" needs a human's approval in HaltState (approval id …). …'
 */
export function notRunText(error: unknown, context: { action: string; approvalUrl?: ((approvalId: string) => string) | undefined }): string {
  const { action } = context;
  if (isHaltStateError(error, 'HALTSTATE_ACTION_DENIED')) return `not allowed: ${error.reason}${error.approver ? ` (rejected by ${error.approver})` : ''}`;
  if (isHaltStateError(error, 'HALTSTATE_APPROVAL_PENDING') || isHaltStateError(error, 'HALTSTATE_APPROVAL_TIMEOUT')) {
    return pendingText(action, error.approvalId, context.approvalUrl?.(error.approvalId));
  }
  if (isHaltStateError(error, 'HALTSTATE_ACTION_EXPIRED')) {
    return `not allowed: the approval for "${action}"${error.approvalId ? ` (approval id ${error.approvalId})` : ''} expired before it was given; the tool did not run, and this same call will not be approved again.`;
  }
  if (isHaltStateError(error, 'HALTSTATE_ALREADY_EXECUTED')) {
    return `already done: "${action}" already ran once on its approval${error.approvalId ? ` (approval id ${error.approvalId})` : ''}; one approval allows one run, so it did not run again.`;
  }
  if (isHaltStateError(error, 'HALTSTATE_KILL_SWITCH')) {
    return `stopped: HaltState's kill switch (${error.agentStatus}) stops agent "${error.agentId}"; the tool did not run.`;
  }
  if (isHaltStateError(error, 'HALTSTATE_CONNECTION')) {
    return `HaltState could not be reached, so the call could not be checked and the tool did not run (fail closed). Try again later. (${error.message})`;
  }
  const why = isHaltStateError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
  return `HaltState did not let "${action}" run: the check failed (${why}); the tool did not run (fail closed).`;
}

/**
 * The text of a call waiting for a human: it names the approval (and where to decide), says the
 * tool did not run, and that the same call repeated after the approval runs it.
 *
 * @example
 * pendingText('mcp.files.delete', 'apr-1', undefined)
 */
export function pendingText(action: string, approvalId: string, url: string | undefined): string {
  return (
    `approval pending: "${action}" needs a human's approval in HaltState (approval id ${approvalId}${url ? `, decide at ${url}` : ''}). ` +
    'The tool did NOT run. Once it is approved, the same call repeated (same tool, same arguments) will run it, once. Tell the user it is waiting for approval.'
  );
}
