import { z } from 'zod';
import { decisionValue, identifier, jsonObject } from './common.js';

/** `POST /action/report` request body: the outcome of an action after a check. */
export const reportRequest = z.object({
  request_id: z.string().min(1),
  agent_id: identifier,
  action: identifier,
  status: z.enum(['success', 'error', 'failure']),
  decision: decisionValue,
  policy_id: z.string().nullable(),
  result: jsonObject.nullable(),
});
export type ReportRequest = z.infer<typeof reportRequest>;

/** `POST /action/guard/report` request body: the outcome of a guarded action. */
export const guardReportRequest = z.object({
  idempotency_key: identifier,
  action: identifier,
  agent_id: identifier,
  outcome: z.enum(['success', 'error']),
  error: z.string().nullable(),
});
export type GuardReportRequest = z.infer<typeof guardReportRequest>;

/** Any JSON object: what a report's 200 must carry (its content is not used). */
export const reportAcknowledgement = z.looseObject({});
