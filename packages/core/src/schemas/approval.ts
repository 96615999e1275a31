import { z } from 'zod';
import { APPROVAL_STATUSES } from '../statuses.js';

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
