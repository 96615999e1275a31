import type { AgentStatus, ApprovalStatus, DecisionValue, GuardStatus } from '@haltstate/core';

export interface ApprovalRow {
  id: string;
  tenantId: string;
  agentId: string;
  action: string;
  params: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  idempotencyKey: string | null;
  policyId: string | null;
  policyReason: string;
  status: ApprovalStatus;
  approver: string | null;
  reason: string | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
}

export interface NewApproval {
  tenantId: string;
  agentId: string;
  action: string;
  params: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  idempotencyKey?: string;
  policyId: string | null;
  policyReason: string;
  ttlMs: number;
}

export interface GuardRow {
  tenantId: string;
  idempotencyKey: string;
  agentId: string;
  action: string;
  decision: DecisionValue;
  policyId: string | null;
  reason: string;
  approvalId: string | null;
  lastState: GuardStatus | null;
  permitIssuedAt: string | null;
  outcome: 'success' | 'error' | null;
  /** When a guard report used the key's approved approval up; it then answers `executed`. */
  executedAt: string | null;
}

/** What one guard call answered, as recorded in the audit trail. */
export interface GuardAnswer {
  status: GuardStatus;
  policyId: string | null;
  reason: string | null;
  approver: string | null;
}

export interface GuardOutcome {
  agentId: string;
  action: string;
  outcome: 'success' | 'error';
  error: string | null;
}

export interface ReportInput {
  tenantId: string;
  requestId: string;
  agentId: string;
  action: string;
  status: string;
  decision: DecisionValue;
  policyId: string | null;
  result: Record<string, unknown> | null;
}

/**
 * What the audit trail records. `shadow_report`: a report whose result says `shadow: true`, an
 * action a client in shadow mode ran whatever the decision (kept apart from enforced ones).
 * `unverified_report`: a report that names no decision of this server (no check with its request
 * id, no guard key): the agent's claim, recorded without a decision or policy.
 */
export type AuditKind = 'check' | 'approval_requested' | 'approval_decided' | 'approval_executed' | 'guard' | 'guard_report' | 'report' | 'shadow_report' | 'unverified_report' | 'agent_status';

/** One line of the audit trail. */
export interface AuditEntry {
  id: number;
  time: string;
  tenantId: string;
  kind: AuditKind;
  agentId: string | null;
  action: string | null;
  /** ALLOW/DENY/APPROVAL_REQUIRED, a guard state, a human decision, or an agent status. */
  decision: string | null;
  policyId: string | null;
  approver: string | null;
  outcome: string | null;
  approvalId: string | null;
  idempotencyKey: string | null;
  requestId: string | null;
  reason: string | null;
  /** W3C trace id of the request that wrote the line (its `traceparent`), else null. */
  traceId: string | null;
}

export type AuditInput = Partial<Omit<AuditEntry, 'id' | 'time' | 'tenantId' | 'kind'>> & Pick<AuditEntry, 'tenantId' | 'kind'>;

export type { AgentStatus };
