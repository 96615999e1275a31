import { z } from 'zod';
import { GUARD_STATUSES } from '../statuses.js';
import type { GuardState, Permit } from '../types.js';
import { identifier, jsonObject } from './common.js';

/** `POST /action/guard` request body. */
export const guardRequest = z.object({
  agent_id: identifier,
  action: identifier,
  params: jsonObject,
  idempotency_key: identifier,
  tenant_id: identifier,
  metadata: jsonObject.optional(),
});
export type GuardRequest = z.infer<typeof guardRequest>;

/** The states of a guarded action (see `GuardStatus`). Any other value fails the schema and never runs the action. */
export const guardStatus = z.enum(GUARD_STATUSES);
export type { GuardStatus } from '../statuses.js';

/** `POST /action/guard` response body. */
export const guardResponse = z.object({
  status: guardStatus,
  approval_id: z.string().min(1).nullish(),
  approved_at: z.string().nullish(),
  approver: z.string().nullish(),
  reason: z.string().nullish(),
  policy_id: z.string().nullish(),
  executed_at: z.string().nullish(),
});
export type GuardResponse = z.infer<typeof guardResponse>;

/**
 * The permit a guarded function is handed, from an `allowed` or `approved` answer.
 *
 * @example
 * const permit = toPermit(answer, { idempotencyKey, action: 'payment.process', agentId: 'bot' });
 */
export function toPermit(answer: GuardResponse & { status: Exclude<Permit['status'], 'shadow'> }, call: Pick<Permit, 'idempotencyKey' | 'action' | 'agentId'>): Permit {
  return {
    status: answer.status,
    approvalId: answer.approval_id ?? call.idempotencyKey,
    approvedAt: answer.approved_at ?? new Date().toISOString(),
    approver: answer.approver ?? null,
    idempotencyKey: call.idempotencyKey,
    action: call.action,
    agentId: call.agentId,
  };
}

/**
 * A guard answer as a lookup's state (`client.guardState`).
 *
 * @example
 * const state = toGuardState(answer, { idempotencyKey, action: 'payment.process', agentId: 'bot' });
 * if (state.status === 'pending') showApprovalLink(state.approvalId);
 */
export function toGuardState(answer: GuardResponse, call: Pick<GuardState, 'idempotencyKey' | 'action' | 'agentId'>): GuardState {
  return {
    status: answer.status,
    approvalId: answer.approval_id ?? call.idempotencyKey,
    idempotencyKey: call.idempotencyKey,
    action: call.action,
    agentId: call.agentId,
    approver: answer.approver ?? null,
    reason: answer.reason ?? null,
    policyId: answer.policy_id ?? null,
    executedAt: answer.executed_at ?? null,
  };
}
