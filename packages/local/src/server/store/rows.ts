import { randomUUID } from 'node:crypto';
import type { ApprovalStatus, DecisionValue, GuardStatus } from '@haltstate/core';
import type { Page } from './store.js';
import type { ApprovalRow, AuditEntry, GuardRow, NewApproval } from './types.js';

/** A database row as a driver returns it (snake_case columns). */
export type Row = Record<string, unknown>;

/**
 * An `approvals` row as the store answers it; the same for every store (times are the ISO
 * strings the store's clock made, params and metadata the JSON text it stored).
 *
 * @example
 * toApproval(db.prepare('SELECT * FROM approvals WHERE id = ?').get(id));
 */
export const toApproval = (row: Row): ApprovalRow => ({
  id: row.id as string,
  tenantId: row.tenant_id as string,
  agentId: row.agent_id as string,
  action: row.action as string,
  params: JSON.parse(row.params as string) as Record<string, unknown>,
  metadata: row.metadata === null ? null : (JSON.parse(row.metadata as string) as Record<string, unknown>),
  idempotencyKey: (row.idempotency_key as string | null) ?? null,
  policyId: (row.policy_id as string | null) ?? null,
  policyReason: (row.policy_reason as string | null) ?? '',
  status: row.status as ApprovalStatus,
  approver: (row.approver as string | null) ?? null,
  reason: (row.reason as string | null) ?? null,
  createdAt: row.created_at as string,
  expiresAt: row.expires_at as string,
  decidedAt: (row.decided_at as string | null) ?? null,
});

/**
 * An `audit` row as the store answers it. `Number` because PostgreSQL's bigserial comes back as
 * a string (node-postgres keeps int8 exact); ids stay far below 2^53.
 *
 * @example
 * db.prepare('SELECT * FROM audit WHERE tenant_id = ? ORDER BY id').all(tenantId).map(toAudit);
 */
export const toAudit = (row: Row): AuditEntry => ({
  id: Number(row.id),
  time: row.time as string,
  tenantId: row.tenant_id as string,
  kind: row.kind as AuditEntry['kind'],
  agentId: (row.agent_id as string | null) ?? null,
  action: (row.action as string | null) ?? null,
  decision: (row.decision as string | null) ?? null,
  policyId: (row.policy_id as string | null) ?? null,
  approver: (row.approver as string | null) ?? null,
  outcome: (row.outcome as string | null) ?? null,
  approvalId: (row.approval_id as string | null) ?? null,
  idempotencyKey: (row.idempotency_key as string | null) ?? null,
  requestId: (row.request_id as string | null) ?? null,
  reason: (row.reason as string | null) ?? null,
  traceId: (row.trace_id as string | null) ?? null,
});

/**
 * A `guards` row as the store answers it.
 *
 * @example
 * toGuard(db.prepare('SELECT * FROM guards WHERE tenant_id = ? AND idempotency_key = ?').get(tenantId, key));
 */
export const toGuard = (row: Row): GuardRow => ({
  tenantId: row.tenant_id as string,
  idempotencyKey: row.idempotency_key as string,
  agentId: row.agent_id as string,
  action: row.action as string,
  decision: row.decision as DecisionValue,
  policyId: (row.policy_id as string | null) ?? null,
  reason: (row.reason as string | null) ?? '',
  approvalId: (row.approval_id as string | null) ?? null,
  lastState: (row.last_state as GuardStatus | null | undefined) ?? null,
  permitIssuedAt: (row.permit_issued_at as string | null | undefined) ?? null,
  outcome: (row.outcome as 'success' | 'error' | null | undefined) ?? null,
  executedAt: (row.executed_at as string | null | undefined) ?? null,
});

/**
 * A page of rows fetched one past `limit` (each with its `page_seq`): the extra row only says
 * there is more.
 *
 * @example
 * toPage(rows, 50, toAudit); // { rows: [...50], next: 50th row's page_seq } when 51 came back
 */
export function toPage<T>(rows: Row[], limit: number, convert: (row: Row) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { rows: kept.map(convert), next: more ? Number(kept[kept.length - 1]!.page_seq) : null };
}

/**
 * The row of a new pending approval, as both stores insert it: a fresh id, params and metadata as
 * JSON text, created now and expiring `ttlMs` later.
 *
 * @example
 * const row = newApprovalRow(input, new Date());
 */
export function newApprovalRow(input: NewApproval, now: Date) {
  return {
    id: randomUUID(),
    tenant_id: input.tenantId,
    agent_id: input.agentId,
    action: input.action,
    params: JSON.stringify(input.params),
    metadata: input.metadata ? JSON.stringify(input.metadata) : null,
    idempotency_key: input.idempotencyKey ?? null,
    policy_id: input.policyId,
    policy_reason: input.policyReason,
    status: 'pending',
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + input.ttlMs).toISOString(),
  };
}
