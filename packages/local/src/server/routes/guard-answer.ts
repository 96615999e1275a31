import { KILL_SWITCH_POLICY_ID } from '@haltstate/core';
import type { Evaluation } from '../policy/evaluate.js';
import type { ApprovalRow, GuardRow } from '../store/types.js';

/** What the policy says when the agent is stopped: the kill switch wins over everything. */
export const KILLED: Evaluation = { decision: 'DENY', reason: 'Agent is stopped by the kill switch', policyId: KILL_SWITCH_POLICY_ID, ttlMs: 0 };

/**
 * The answer to one guard call. A key with an approval answers from it (the human's decision);
 * one without answers the policy's decision of this call. The kill switch wins over both, and
 * never uses an approval up.
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
