import { toApprovalEvent, toApprovalState } from '../src/schemas/approval';
import { toDecision } from '../src/schemas/check';
import { toPermit } from '../src/schemas/guard';

describe('wire ↔ public mappers beside their schemas', () => {
  const call = { requestId: 'req-1', action: 'payment.process', agentId: 'bot' };

  it('maps a check answer to a Decision; older servers name the approval request_id', () => {
    expect(toDecision({ decision: 'APPROVAL_REQUIRED', request_id: 'apr-1' }, call)).toEqual({
      decision: 'APPROVAL_REQUIRED',
      allowed: false,
      denied: false,
      requiresApproval: true,
      reason: '',
      policyId: null,
      latencyMs: 0,
      approvalId: 'apr-1',
      requestId: 'req-1',
      failOpen: false,
      action: 'payment.process',
      agentId: 'bot',
    });
    expect(toDecision({ decision: 'ALLOW', policy_id: 'p', latency_ms: 3 }, call)).toMatchObject({ allowed: true, policyId: 'p', latencyMs: 3, approvalId: null });
  });

  it('maps a guard answer to a Permit; the key stands in for a missing approval id', () => {
    const permit = toPermit({ status: 'allowed' }, { idempotencyKey: 'k', action: 'a', agentId: 'b' });
    expect(permit).toMatchObject({ status: 'allowed', approvalId: 'k', approver: null, idempotencyKey: 'k' });
    expect(Number.isNaN(Date.parse(permit.approvedAt))).toBe(false);
  });

  it('maps approval reads and stream events to the public shapes', () => {
    expect(toApprovalState('apr-1', { status: 'approved', approver: 'alice', decided_at: 't' })).toEqual({ approvalId: 'apr-1', status: 'approved', approver: 'alice', reason: null, decidedAt: 't', agentId: null, action: null });
    expect(toApprovalEvent({ request_id: 'apr-1', status: 'rejected', decided_at: 't' })).toEqual({ approvalId: 'apr-1', status: 'rejected', approver: null, reason: null, agentId: null, action: null, timestamp: 't', catchup: false });
    expect(toApprovalEvent({ type: 'APPROVAL_DECISION', request_id: 'apr-1', status: 'approved', timestamp: 't', catchup: true })).toMatchObject({ timestamp: 't', catchup: true });
  });
});
