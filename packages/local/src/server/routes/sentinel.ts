import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { createHash } from 'node:crypto';
import { canonicalJson, HEADERS, ROUTES, type JsonObject } from '@haltstate/core';
import * as schemas from '@haltstate/core/schemas';
import type { ServerContext } from '../context.js';
import { decide } from '../decide.js';
import { fail, header, openEventStream, useZodSchemas } from '../http.js';
import { checkBody, heartbeatQuery, sinceQuery, streamQuery } from '../wire/requests.js';
import { approvalState, decisionEvent, guardAnswer } from '../wire/responses.js';
import { requireRole, sameTenant, tenantOf } from './auth.js';

/** The longest X-Request-Id remembered; a client's is a UUID. */
const MAX_REQUEST_ID = 200;

/** Refuses a malformed X-Request-Id before the body is read into a check. */
async function requestIdHook(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const requestId = header(request, HEADERS.requestId);
  if (requestId !== undefined && (requestId.length === 0 || requestId.length > MAX_REQUEST_ID)) return fail(reply, 422, `X-Request-Id must be 1 to ${MAX_REQUEST_ID} characters`);
  return undefined;
}

/** Every public route of the wire contract, registered under one prefix (agents' API key). */
export function sentinelRoutes(context: ServerContext) {
  const { store, tenants, hub } = context;
  return async function register(app: FastifyInstance): Promise<void> {
    useZodSchemas(app);
    app.addHook('preValidation', requireRole(tenants, 'agent'));

    app.post<{ Body: z.output<typeof checkBody> }>(ROUTES.check, { schema: { body: checkBody }, preValidation: requestIdHook }, async (request, reply) => {
      const started = process.hrtime.bigint();
      const tenant = tenantOf(request);
      const requestId = header(request, HEADERS.requestId);
      const body = request.body;
      const digest = createHash('sha256').update(canonicalJson(body as unknown as JsonObject)).digest('hex');
      const check = { tenantId: tenant.id, requestId, bodyDigest: digest, agentId: body.agent_id, action: body.action, params: body.params };
      const result = store.checkOnce(check, decide(context, tenant.id, body).evaluate, (evaluation, approval) => ({
        decision: evaluation.decision,
        reason: evaluation.reason,
        policy_id: evaluation.policyId,
        latency_ms: Number(process.hrtime.bigint() - started) / 1e6,
        ...(approval ? { approval_id: approval.id } : {}),
      }));
      if (result.kind === 'conflict') return fail(reply, 409, `X-Request-Id "${requestId}" was already used for a check with another body; send a new id for a new check`);
      return result.answer;
    });

    app.post<{ Body: schemas.ReportRequest }>(ROUTES.report, { schema: { body: schemas.reportRequest } }, async (request) => {
      const body = request.body;
      store.report({ tenantId: tenantOf(request).id, requestId: body.request_id, agentId: body.agent_id, action: body.action, status: body.status, decision: body.decision, policyId: body.policy_id, result: body.result });
      return { ok: true };
    });

    app.post<{ Body: schemas.GuardRequest }>(ROUTES.guard, { schema: { body: schemas.guardRequest }, preHandler: sameTenant('body') }, async (request, reply) => {
      const tenant = tenantOf(request);
      const body = request.body;
      // Evaluated on every call, never stored as the key's answer: only a human's decision is.
      const decision = decide(context, tenant.id, body);
      const result = store.guard(tenant.id, body.idempotency_key, { agentId: body.agent_id, action: body.action, params: canonicalJson(body.params as JsonObject), metadata: body.metadata ?? null }, decision.evaluate);
      if (result.conflict) {
        return fail(reply, 409, `Idempotency key "${body.idempotency_key}" was already used for a different agent, action or params (first used by ${result.existing.agentId} for ${result.existing.action}); use a new key`);
      }
      const answer = guardAnswer(result.guard, result.approval, decision.killed);
      store.noteGuardState(tenant.id, result.guard, { status: answer.status, policyId: answer.policy_id, reason: answer.reason ?? null, approver: 'approver' in answer ? answer.approver : null });
      return answer;
    });

    app.post<{ Body: schemas.GuardReportRequest }>(ROUTES.guardReport, { schema: { body: schemas.guardReportRequest } }, async (request, reply) => {
      const body = request.body;
      const guard = store.guardReport(tenantOf(request).id, body.idempotency_key, { agentId: body.agent_id, action: body.action, outcome: body.outcome, error: body.error });
      if (!guard) return fail(reply, 404, `No guarded action with idempotency key "${body.idempotency_key}"`);
      return { ok: true };
    });

    app.get<{ Params: { approvalId: string } }>('/approval/:approvalId', async (request, reply) => {
      const approval = store.getApproval(tenantOf(request).id, request.params.approvalId);
      if (!approval) return fail(reply, 404, 'Approval not found');
      return approvalState(approval);
    });

    app.get<{ Querystring: z.output<typeof sinceQuery> }>(ROUTES.approvalsSince, { schema: { querystring: sinceQuery }, preHandler: sameTenant('query') }, async (request) => {
      const decisions = store.decisionsSince(tenantOf(request).id, new Date(request.query.since).toISOString(), request.query.limit);
      return { decisions: decisions.map((approval) => ({ request_id: approval.id, ...approvalState(approval) })) };
    });

    app.get<{ Querystring: z.output<typeof streamQuery> }>(ROUTES.approvalsStream, { schema: { querystring: streamQuery }, preHandler: sameTenant('query') }, async (request, reply) => {
      const tenant = tenantOf(request);
      let unsubscribe = () => undefined as void;
      const send = openEventStream(request, reply, context.keepAliveMs, () => unsubscribe());
      // Subscribe before CONNECTED, so nothing decided after CONNECTED is missed.
      unsubscribe = hub.subscribe(tenant.id, (event) => {
        if (event.type === 'decided') send(decisionEvent(event.approval, false));
      });
      send({ type: 'CONNECTED', tenant_id: tenant.id });
      if (request.query.last_seen) {
        for (const approval of store.decisionsSince(tenant.id, new Date(request.query.last_seen).toISOString(), 500)) send(decisionEvent(approval, true));
      }
      return reply;
    });

    app.get<{ Querystring: z.output<typeof heartbeatQuery> }>(ROUTES.heartbeat, { schema: { querystring: heartbeatQuery } }, async (request) => ({ status: store.agentStatus(tenantOf(request).id, request.query.agent_id) }));
  };
}
