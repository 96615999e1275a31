import { z } from 'zod';
import type { Decision } from '../types.js';
import { decisionValue, identifier, jsonObject } from './common.js';

/** `POST /action/check` request body. */
export const checkRequest = z.object({
  agent_id: identifier,
  action: identifier,
  params: jsonObject,
});
export type CheckRequest = z.infer<typeof checkRequest>;

/** `POST /action/check` response body. Older servers send `request_id` instead of `approval_id`. */
export const checkResponse = z
  .object({
    decision: decisionValue,
    reason: z.string().nullish(),
    policy_id: z.string().nullish(),
    latency_ms: z.number().nonnegative().nullish(),
    approval_id: z.string().min(1).nullish(),
    request_id: z.string().min(1).nullish(),
  })
  .refine((body) => body.decision !== 'APPROVAL_REQUIRED' || Boolean(body.approval_id ?? body.request_id), {
    message: 'APPROVAL_REQUIRED without approval_id (or request_id)',
    path: ['approval_id'],
  });
export type CheckResponse = z.infer<typeof checkResponse>;

/**
 * A check's answer as `check()` returns it; `call` is what the client knows of the call.
 *
 * @example
 * const decision = toDecision(checkResponse.parse(json), { requestId, action: 'payment.process', agentId: 'bot' });
 */
export function toDecision(body: CheckResponse, call: Pick<Decision, 'requestId' | 'action' | 'agentId'>): Decision {
  return {
    decision: body.decision,
    allowed: body.decision === 'ALLOW',
    denied: body.decision === 'DENY',
    requiresApproval: body.decision === 'APPROVAL_REQUIRED',
    reason: body.reason ?? '',
    policyId: body.policy_id ?? null,
    latencyMs: body.latency_ms ?? 0,
    approvalId: body.approval_id ?? body.request_id ?? null,
    requestId: call.requestId,
    failOpen: false,
    action: call.action,
    agentId: call.agentId,
  };
}
