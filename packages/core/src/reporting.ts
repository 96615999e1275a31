// Report shaping: what goes into the report queue after an action ran (or failed).
import type { z } from 'zod';
import type { ClientContext } from './client-context.js';
import { HaltStateValidationError } from './errors.js';
import { toJson, type JsonObject } from './json.js';
import { redact } from './redaction.js';
import { ROUTES } from './routes.js';
import type { guardReportRequest, reportRequest } from './schemas/report.js';
import type { Decision, ReportInput } from './types.js';

const MAX_REPORTED_ERROR_CHARS = 2_000;

/** Queues `POST /action/report` for a checked action; the result is redacted like params. */
export function queueReport(ctx: ClientContext, decision: Decision, outcome: ReportInput): void {
  if (!['success', 'error', 'failure'].includes(outcome?.status)) {
    throw new HaltStateValidationError(`report status must be "success", "error" or "failure", got ${JSON.stringify(outcome?.status)}`, { path: 'status' });
  }
  let result: JsonObject | null = null;
  if (outcome.result !== undefined && outcome.result !== null) {
    const json = toJson(outcome.result, 'result', true);
    const object = typeof json === 'object' && json !== null && !Array.isArray(json) ? json : { value: json };
    result = redact(decision.failOpen ? { ...object, fail_open: true } : object, ctx.options.redact);
  } else if (decision.failOpen) {
    result = { fail_open: true };
  }
  ctx.reports.enqueue({
    info: { kind: 'report', action: decision.action, agentId: decision.agentId, id: decision.requestId },
    path: ROUTES.report,
    body: { request_id: decision.requestId, agent_id: decision.agentId, action: decision.action, status: outcome.status, decision: decision.decision, policy_id: decision.policyId, result } satisfies z.input<typeof reportRequest>,
  });
}

/** Queues `POST /action/guard/report`: how a guarded function ended. */
export function queueGuardReport(ctx: ClientContext, call: { idempotencyKey: string; action: string; agentId: string }, outcome: 'success' | 'error', error: string | null): void {
  const { idempotencyKey, action, agentId } = call;
  ctx.reports.enqueue({
    info: { kind: 'guardReport', action, agentId, id: idempotencyKey },
    path: ROUTES.guardReport,
    body: { idempotency_key: idempotencyKey, action, agent_id: agentId, outcome, error } satisfies z.input<typeof guardReportRequest>,
  });
}

/** An error as a report names it: its message, bounded. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_REPORTED_ERROR_CHARS ? `${text.slice(0, MAX_REPORTED_ERROR_CHARS)}…` : text;
}
