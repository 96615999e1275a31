// The response bodies this server builds from its rows. The wire definitions are core's zod
// schemas (`@haltstate/core/schemas`): each shape here names the schema it answers to, and
// both route files build their answers from this one file.
import type { ApprovalRow, GuardRow } from '../store/types.js';
import { KILLED } from '../decide.js';

/**
 * An approval as `GET /approval/{id}` answers it (core's `approvalResponse`); `GET
 * /approvals/since` adds `request_id` (core's `approvalDecision`).
 *
 * @example
 * return approvalState(store.getApproval(tenant.id, id)!); // { status: 'approved', approver: 'alice', … }
 */
export function approvalState(approval: ApprovalRow) {
  return { status: approval.status, approver: approval.approver, reason: approval.reason, agent_id: approval.agentId, action: approval.action, decided_at: approval.decidedAt };
}

/**
 * The SSE event of an approval decision (core's `approvalDecisionEvent`); `catchup` marks the
 * ones replayed from `last_seen`.
 *
 * @example
 * send(decisionEvent(approval, false)); // data: {"type":"APPROVAL_DECISION","request_id":"…",…}
 */
export function decisionEvent(approval: ApprovalRow, catchup: boolean) {
  return {
    type: 'APPROVAL_DECISION',
    request_id: approval.id,
    status: approval.status,
    approver: approval.approver,
    reason: approval.reason,
    agent_id: approval.agentId,
    action: approval.action,
    timestamp: approval.decidedAt,
    catchup,
  };
}

/**
 * An approval as the admin routes, the CLI and the web page show it (local only: no core schema).
 *
 * @example
 * return { approvals: store.listApprovals(tenant.id).map(approvalView) };
 */
export function approvalView(approval: ApprovalRow) {
  return {
    approval_id: approval.id,
    status: approval.status,
    action: approval.action,
    agent_id: approval.agentId,
    params: approval.params,
    metadata: approval.metadata,
    policy_id: approval.policyId,
    policy_reason: approval.policyReason,
    idempotency_key: approval.idempotencyKey,
    approver: approval.approver,
    reason: approval.reason,
    created_at: approval.createdAt,
    expires_at: approval.expiresAt,
    decided_at: approval.decidedAt,
  };
}

/** An approval as the admin routes return it. */
export type ApprovalView = ReturnType<typeof approvalView>;

/**
 * The answer to one guard call (core's `guardResponse`). A key with an approval answers from it
 * (the human's decision); one without answers the policy's decision of this call. The kill
 * switch (`killed`) wins over both, and never uses an approval up.
 *
 * @example
 * const answer = guardAnswer(result.guard, result.approval, decision.killed);
 */
export function guardAnswer(guard: GuardRow, approval: ApprovalRow | null, killed: boolean) {
  const base = { approval_id: approval?.id ?? null, policy_id: guard.policyId };
  if (killed) return { ...base, status: 'denied' as const, policy_id: KILLED.policyId, reason: KILLED.reason, approver: null };
  if (!approval) return guard.decision === 'ALLOW' ? { ...base, status: 'allowed' as const, reason: guard.reason } : { ...base, status: 'denied' as const, reason: guard.reason, approver: null };
  switch (approval.status) {
    case 'approved':
      return guard.executedAt
        ? { ...base, status: 'executed' as const, executed_at: guard.executedAt, reason: 'Already executed on this approval' }
        : { ...base, status: 'approved' as const, approved_at: approval.decidedAt, approver: approval.approver, reason: approval.reason };
    case 'rejected': return { ...base, status: 'denied' as const, reason: approval.reason, approver: approval.approver };
    case 'expired': return { ...base, status: 'expired' as const, reason: 'Approval window closed' };
    default: return { ...base, status: 'pending' as const, reason: guard.reason };
  }
}
