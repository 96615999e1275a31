// Report shaping: what goes into the report queue after an action ran (or failed).
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ClientContext } from './client-context.js';
import { HaltStateValidationError } from './errors.js';
import { toJson, type JsonObject } from './json.js';
import { redact } from './redaction.js';
import { ROUTES } from './routes.js';
import type { guardReportRequest, reportRequest } from './schemas/report.js';
import type { DecisionValue, GuardStatus } from './statuses.js';
import type { Decision, HaltStateMode, ReportInput } from './types.js';

const MAX_REPORTED_ERROR_CHARS = 2_000;

/**
 * Queues `POST /action/report` for a checked action; the result is redacted like params. A
 * shadow run is marked `shadow: true` in the result (the body has no other free field).
 */
export function queueReport(ctx: ClientContext, decision: Decision, outcome: ReportInput, mode: HaltStateMode = 'enforce'): void {
  if (!['success', 'error', 'failure'].includes(outcome?.status)) {
    throw new HaltStateValidationError(`report status must be "success", "error" or "failure", got ${JSON.stringify(outcome?.status)}`, { path: 'status' });
  }
  let result: JsonObject | null = null;
  if (outcome.result !== undefined && outcome.result !== null) {
    const json = toJson(outcome.result, 'result', true);
    const object = typeof json === 'object' && json !== null && !Array.isArray(json) ? json : { value: json };
    result = redact({ ...object, ...marks(decision, mode) }, ctx.options.redact);
  } else if (decision.failOpen || mode === 'shadow') {
    result = marks(decision, mode);
  }
  ctx.reports.enqueue({
    info: { kind: 'report', action: decision.action, agentId: decision.agentId, id: decision.requestId },
    path: ROUTES.report,
    body: { request_id: decision.requestId, agent_id: decision.agentId, action: decision.action, status: outcome.status, decision: decision.decision, policy_id: decision.policyId, result } satisfies z.input<typeof reportRequest>,
  });
}

/** What a report's result says about how the action came to run. */
function marks(decision: Decision, mode: HaltStateMode): JsonObject {
  return { ...(decision.failOpen ? { fail_open: true } : {}), ...(mode === 'shadow' ? { shadow: true } : {}) };
}

const SHADOWED_DECISION = { allowed: 'ALLOW', approved: 'ALLOW', pending: 'APPROVAL_REQUIRED', denied: 'DENY', expired: 'DENY', executed: 'DENY' } as const satisfies Record<GuardStatus, DecisionValue>;

/**
 * A guarded call that ran in shadow mode, as `POST /action/report` (not the guard report, which
 * would mark the key's approval used and has no field to say "shadow"): the guard's answer as
 * `decision`, and `result: { shadow: true, guard_status, idempotency_key, error? }`. The
 * function's return value is never sent, as in the guard report.
 */
export function queueShadowGuardReport(ctx: ClientContext, call: { idempotencyKey: string; action: string; agentId: string; status: GuardStatus; policyId: string | null }, error: string | null): void {
  const { idempotencyKey, action, agentId, status, policyId } = call;
  const requestId = randomUUID();
  ctx.reports.enqueue({
    info: { kind: 'report', action, agentId, id: requestId },
    path: ROUTES.report,
    body: {
      request_id: requestId,
      agent_id: agentId,
      action,
      status: error === null ? 'success' : 'error',
      decision: SHADOWED_DECISION[status],
      policy_id: policyId,
      result: { shadow: true, guard_status: status, idempotency_key: idempotencyKey, ...(error === null ? {} : { error }) },
    } satisfies z.input<typeof reportRequest>,
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
