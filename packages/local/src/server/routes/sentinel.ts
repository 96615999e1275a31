import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createHash } from 'node:crypto';
import { canonicalJson, HEADERS, ROUTES, type JsonObject } from '@haltstate/core';
import * as schemas from '@haltstate/core/schemas';
import { evaluate } from '../policy/evaluate.js';
import type { ApprovalRow } from '../store/types.js';
import type { ServerContext } from '../context.js';
import { fail, header, openEventStream, parseOr422 } from '../http.js';
import { authenticate } from './auth.js';
import { guardAnswer, KILLED } from './guard-answer.js';

/** An approval as `GET /approval/{id}` answers it. */
function approvalState(approval: ApprovalRow) {
  return { status: approval.status, approver: approval.approver, reason: approval.reason, agent_id: approval.agentId, action: approval.action, decided_at: approval.decidedAt };
}

/** The wire shape of an approval decision event (SSE). */
export function decisionEvent(approval: ApprovalRow, catchup: boolean) {
  return {
    type: 'APPROVAL_DECISION',
    request_id: approval.id,
    status: approval.status,
    approver: approval.approver,
    reason: approval.reason,
    agent_id: approval.agentId,
    action: approval.action,
    timestamp: approval.decidedAt,
    catchup,
  };
}

/** The longest X-Request-Id remembered; a client's is a UUID. */
const MAX_REQUEST_ID = 200;

const sinceQuery = z.object({
  tenant_id: z.string().optional(),
  since: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 timestamp'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const streamQuery = z.object({
  tenant_id: z.string().optional(),
  last_seen: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 timestamp').optional(),
});
const heartbeatQuery = z.object({ agent_id: z.string().min(1).default('default') });
const checkBody = z.preprocess((body) => (typeof body === 'object' && body !== null ? { agent_id: 'default', params: {}, ...body } : body), schemas.checkRequest);

/** Every public route of the wire contract, registered under one prefix. */
export function sentinelRoutes(context: ServerContext) {
  const { store, tenants, hub } = context;
  return async function register(app: FastifyInstance): Promise<void> {
    app.post(ROUTES.check, async (request, reply) => {
      const started = process.hrtime.bigint();
      const tenant = authenticate(tenants, request, reply, 'agent');
      if (!tenant) return reply;
      const requestId = header(request, HEADERS.requestId);
      if (requestId !== undefined && (requestId.length === 0 || requestId.length > MAX_REQUEST_ID)) return fail(reply, 422, `X-Request-Id must be 1 to ${MAX_REQUEST_ID} characters`);
      const body = parseOr422(reply, checkBody, request.body);
      if (!body) return reply;
      const digest = createHash('sha256').update(canonicalJson(body as unknown as JsonObject)).digest('hex');
      const result = store.checkOnce(tenant.id, requestId, digest, () => {
        const killed = store.agentStatus(tenant.id, body.agent_id) === 'KILL';
        const evaluation = killed ? KILLED : evaluate(context.policy(), { agentId: body.agent_id, action: body.action, params: body.params });
        store.audit({ tenantId: tenant.id, kind: 'check', agentId: body.agent_id, action: body.action, decision: evaluation.decision, policyId: evaluation.policyId, requestId: requestId ?? null, reason: evaluation.reason });
        const approval =
          evaluation.decision === 'APPROVAL_REQUIRED'
            ? store.createApproval({ tenantId: tenant.id, agentId: body.agent_id, action: body.action, params: body.params, metadata: null, policyId: evaluation.policyId, policyReason: evaluation.reason, ttlMs: evaluation.ttlMs }, false)
            : null;
        const answer = {
          decision: evaluation.decision,
          reason: evaluation.reason,
          policy_id: evaluation.policyId,
          latency_ms: Number(process.hrtime.bigint() - started) / 1e6,
          ...(approval ? { approval_id: approval.id } : {}),
        };
        return { answer, approval };
      });
      if (result.kind === 'conflict') return fail(reply, 409, `X-Request-Id "${requestId}" was already used for a check with another body; send a new id for a new check`);
      return result.answer;
    });

    app.post(ROUTES.report, async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'agent');
      if (!tenant) return reply;
      const body = parseOr422(reply, schemas.reportRequest, request.body);
      if (!body) return reply;
      store.report({ tenantId: tenant.id, requestId: body.request_id, agentId: body.agent_id, action: body.action, status: body.status, decision: body.decision, policyId: body.policy_id, result: body.result });
      return { ok: true };
    });

    app.post(ROUTES.guard, async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'agent');
      if (!tenant) return reply;
      const body = parseOr422(reply, schemas.guardRequest, request.body);
      if (!body) return reply;
      if (body.tenant_id !== tenant.id) return fail(reply, 403, 'tenant_id does not match the API key');
      // Evaluated on every call, never stored as the key's answer: only a human's decision is.
      const killed = store.agentStatus(tenant.id, body.agent_id) === 'KILL';
      const result = store.guard(tenant.id, body.idempotency_key, { agentId: body.agent_id, action: body.action, params: canonicalJson(body.params as JsonObject), metadata: body.metadata ?? null }, () =>
        killed ? KILLED : evaluate(context.policy(), { agentId: body.agent_id, action: body.action, params: body.params }),
      );
      if (result.conflict) {
        return fail(reply, 409, `Idempotency key "${body.idempotency_key}" was already used for a different agent, action or params (first used by ${result.existing.agentId} for ${result.existing.action}); use a new key`);
      }
      const answer = guardAnswer(result.guard, result.approval, killed);
      store.noteGuardState(tenant.id, result.guard, { status: answer.status, policyId: answer.policy_id, reason: answer.reason ?? null, approver: 'approver' in answer ? answer.approver : null });
      return answer;
    });

    app.post(ROUTES.guardReport, async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'agent');
      if (!tenant) return reply;
      const body = parseOr422(reply, schemas.guardReportRequest, request.body);
      if (!body) return reply;
      const guard = store.guardReport(tenant.id, body.idempotency_key, { agentId: body.agent_id, action: body.action, outcome: body.outcome, error: body.error });
      if (!guard) return fail(reply, 404, `No guarded action with idempotency key "${body.idempotency_key}"`);
      return { ok: true };
    });

    app.get<{ Params: { approvalId: string } }>('/approval/:approvalId', async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'agent');
      if (!tenant) return reply;
      const approval = store.getApproval(tenant.id, request.params.approvalId);
      if (!approval) return fail(reply, 404, 'Approval not found');
      return approvalState(approval);
    });

    app.get(ROUTES.approvalsSince, async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'agent');
      if (!tenant) return reply;
      const query = parseOr422(reply, sinceQuery, request.query);
      if (!query) return reply;
      if (query.tenant_id !== undefined && query.tenant_id !== tenant.id) return fail(reply, 403, 'tenant_id does not match the API key');
      const decisions = store.decisionsSince(tenant.id, new Date(query.since).toISOString(), query.limit);
      return { decisions: decisions.map((approval) => ({ request_id: approval.id, ...approvalState(approval) })) };
    });

    app.get(ROUTES.approvalsStream, async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'agent');
      if (!tenant) return reply;
      const query = parseOr422(reply, streamQuery, request.query);
      if (!query) return reply;
      if (query.tenant_id !== undefined && query.tenant_id !== tenant.id) return fail(reply, 403, 'tenant_id does not match the API key');
      let unsubscribe = () => undefined as void;
      const send = openEventStream(request, reply, context.keepAliveMs, () => unsubscribe());
      // Subscribe before CONNECTED, so nothing decided after CONNECTED is missed.
      unsubscribe = hub.subscribe(tenant.id, (event) => {
        if (event.type === 'decided') send(decisionEvent(event.approval, false));
      });
      send({ type: 'CONNECTED', tenant_id: tenant.id });
      if (query.last_seen) {
        for (const approval of store.decisionsSince(tenant.id, new Date(query.last_seen).toISOString(), 500)) send(decisionEvent(approval, true));
      }
      return reply;
    });

    app.get(ROUTES.heartbeat, async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'agent');
      if (!tenant) return reply;
      const query = parseOr422(reply, heartbeatQuery, request.query);
      if (!query) return reply;
      return { status: store.agentStatus(tenant.id, query.agent_id) };
    });
  };
}
