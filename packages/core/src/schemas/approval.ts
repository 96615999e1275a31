import { z } from 'zod';
import { APPROVAL_STATUSES } from '../statuses.js';
import type { ApprovalEvent, ApprovalState } from '../types.js';

/** The states of an approval request. An approval's `rejected` is what guard calls `denied`. */
export const approvalStatus = z.enum(APPROVAL_STATUSES);
export type { ApprovalStatus } from '../statuses.js';

/** `GET /approval/{approval_id}` response body. */
export const approvalResponse = z.object({
  status: approvalStatus,
  approver: z.string().nullish(),
  reason: z.string().nullish(),
  agent_id: z.string().nullish(),
  action: z.string().nullish(),
  decided_at: z.string().nullish(),
});
export type ApprovalResponse = z.infer<typeof approvalResponse>;

/** One entry of `GET /approvals/since`. `request_id` is the approval id. */
export const approvalDecision = z.object({
  request_id: z.string().min(1),
  status: approvalStatus,
  approver: z.string().nullish(),
  reason: z.string().nullish(),
  agent_id: z.string().nullish(),
  action: z.string().nullish(),
  decided_at: z.string().nullish(),
});
export type ApprovalDecision = z.infer<typeof approvalDecision>;

/** `GET /approvals/since` response body, oldest first. */
export const approvalsSinceResponse = z.object({ decisions: z.array(approvalDecision) });
export type ApprovalsSinceResponse = z.infer<typeof approvalsSinceResponse>;

/** Every SSE event has a `type`; types this SDK does not know are ignored. */
export const streamEventEnvelope = z.object({ type: z.string() });

/** SSE `APPROVAL_DECISION` event of `GET /approvals/stream`. */
export const approvalDecisionEvent = z.object({
  type: z.literal('APPROVAL_DECISION'),
  request_id: z.string().min(1),
  status: z.enum(['approved', 'rejected', 'expired']),
  approver: z.string().nullish(),
  reason: z.string().nullish(),
  agent_id: z.string().nullish(),
  action: z.string().nullish(),
  timestamp: z.string().min(1),
  catchup: z.boolean().optional(),
});
export type ApprovalDecisionEvent = z.infer<typeof approvalDecisionEvent>;

/** SSE `ERROR` event. */
export const streamErrorEvent = z.object({ type: z.literal('ERROR'), message: z.string().optional() });

/**
 * One approval's state as `getApproval()` returns it.
 *
 * @example
 * const state = toApprovalState('apr_123', approvalResponse.parse(json));
 */
export function toApprovalState(approvalId: string, body: ApprovalResponse): ApprovalState {
  return { approvalId, status: body.status, approver: body.approver ?? null, reason: body.reason ?? null, decidedAt: body.decided_at ?? null, agentId: body.agent_id ?? null, action: body.action ?? null };
}

/**
 * A decision, from `GET /approvals/since` or the stream's `APPROVAL_DECISION`, as an `ApprovalEvent`.
 *
 * @example
 * const events = approvalsSinceResponse.parse(json).decisions.map(toApprovalEvent);
 */
export function toApprovalEvent(entry: ApprovalDecision | ApprovalDecisionEvent): ApprovalEvent {
  const streamed = 'timestamp' in entry;
  return {
    approvalId: entry.request_id,
    status: entry.status,
    approver: entry.approver ?? null,
    reason: entry.reason ?? null,
    agentId: entry.agent_id ?? null,
    action: entry.action ?? null,
    timestamp: streamed ? entry.timestamp : (entry.decided_at ?? null),
    catchup: streamed ? (entry.catchup ?? false) : false,
  };
}
