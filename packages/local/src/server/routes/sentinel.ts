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
import type { CapHit } from '../store/store.js';
import type { ApprovalRow } from '../store/types.js';
import { agentFilter, sameAgent } from './agent-binding.js';
import { requireRole, sameTenant, tenantOf } from './auth.js';

/** The longest X-Request-Id remembered; a client's is a UUID. */
const MAX_REQUEST_ID = 200;

/** Refuses a malformed X-Request-Id before the body is read into a check. */
async function requestIdHook(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const requestId = header(request, HEADERS.requestId);
  if (requestId !== undefined && (requestId.length === 0 || requestId.length > MAX_REQUEST_ID)) return fail(reply, 422, `X-Request-Id must be 1 to ${MAX_REQUEST_ID} characters`);
  return undefined;
}

/** The 429 of a full pending cap: which cap, its setting, and what frees it. */
function capDetail(hit: CapHit, tenantId: string, agentId: string): string {
  const who = hit.cap === 'pendingPerAgent' ? `agent "${agentId}"` : `tenant "${tenantId}"`;
  return `Too many pending approvals: ${who} already has ${hit.limit} waiting for a human (server limit ${hit.cap}); no new approval is opened until some are decided or expire`;
}

/**
 * An action or agent id longer than the longest string the policy matches on is refused (a 422):
 * no glob or pattern would run on it, so a rule meant to catch it could not.
 */
function boundedNames(maxLength: number) {
  return async function namesPolicyCanMatch(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const body = request.body as { agent_id: string; action: string };
    for (const field of ['agent_id', 'action'] as const) {
      if (body[field].length > maxLength) return fail(reply, 422, `${field} is ${body[field].length} characters; the server matches policies on at most ${maxLength} (server limit maxMatchedLength)`);
    }
    return undefined;
  };
}

/** Every public route of the wire contract, registered under one prefix (agents' API key). */
export function sentinelRoutes(context: ServerContext) {
  const { store, tenants, hub } = context;
  const caps = { pendingPerTenant: context.limits.pendingPerTenant, pendingPerAgent: context.limits.pendingPerAgent };
  const ownAgent = sameAgent(tenants, 'body');
  const bounded = boundedNames(context.limits.maxMatchedLength);
  return async function register(app: FastifyInstance): Promise<void> {
    useZodSchemas(app);
    app.addHook('preValidation', requireRole(tenants, 'agent'));

    app.post<{ Body: z.output<typeof checkBody> }>(ROUTES.check, { schema: { body: checkBody }, preValidation: requestIdHook, preHandler: [ownAgent, bounded] }, async (request, reply) => {
      const started = process.hrtime.bigint();
      const tenant = tenantOf(request);
      const requestId = header(request, HEADERS.requestId);
      const body = request.body;
      const digest = createHash('sha256').update(canonicalJson(body as unknown as JsonObject)).digest('hex');
      const check = { tenantId: tenant.id, requestId, bodyDigest: digest, agentId: body.agent_id, action: body.action, params: body.params };
      // Evaluated before the store's transaction: the write lock is never held for the policy.
      const { evaluation } = await decide(context, tenant.id, body);
      const result = await store.checkOnce(check, evaluation, (evaluation, approval) => ({
        decision: evaluation.decision,
        reason: evaluation.reason,
        policy_id: evaluation.policyId,
        latency_ms: Number(process.hrtime.bigint() - started) / 1e6,
        ...(approval ? { approval_id: approval.id } : {}),
      }), caps);
      if (result.kind === 'conflict') return fail(reply, 409, `X-Request-Id "${requestId}" was already used for a check with another body; send a new id for a new check`);
      if (result.kind === 'capped') return fail(reply, 429, capDetail(result.hit, tenant.id, body.agent_id));
      return result.answer;
    });

    // A report must name a decision of this server (store.report says how); one that names none
    // is kept as the agent's claim (202, `verified: false`), one that contradicts it is a 409.
    app.post<{ Body: schemas.ReportRequest }>(ROUTES.report, { schema: { body: schemas.reportRequest }, preHandler: ownAgent }, async (request, reply) => {
      const body = request.body;
      const verdict = await store.report({ tenantId: tenantOf(request).id, requestId: body.request_id, agentId: body.agent_id, action: body.action, status: body.status, decision: body.decision, policyId: body.policy_id, result: body.result });
      if (verdict.kind === 'mismatch') return fail(reply, 409, `Report refused: ${verdict.detail}`);
      if (verdict.kind === 'unverified') {
        return reply.code(202).send({ ok: true, verified: false, detail: `No decision of this server has request_id "${body.request_id}": recorded as the agent's unverified claim, not as a decision` });
      }
      return { ok: true, verified: true };
    });

    app.post<{ Body: schemas.GuardRequest }>(ROUTES.guard, { schema: { body: schemas.guardRequest }, preHandler: [sameTenant('body'), ownAgent, bounded] }, async (request, reply) => {
      const tenant = tenantOf(request);
      const body = request.body;
      // Evaluated on every call (before the store's transaction), never stored as the key's
      // answer: only a human's decision is.
      const decision = await decide(context, tenant.id, body);
      const result = await store.guard(tenant.id, body.idempotency_key, { agentId: body.agent_id, action: body.action, params: canonicalJson(body.params as JsonObject), metadata: body.metadata ?? null }, decision.evaluation, caps);
      // Only that the key is taken: who used it first, and for what, is not this caller's business.
      if (result.kind === 'conflict') return fail(reply, 409, `Idempotency key "${body.idempotency_key}" is already taken; use a new key`);
      if (result.kind === 'capped') return fail(reply, 429, capDetail(result.hit, tenant.id, body.agent_id));
      const answer = guardAnswer(result.guard, result.approval, decision.killed);
      await store.noteGuardState(tenant.id, result.guard, { status: answer.status, policyId: answer.policy_id, reason: answer.reason ?? null, approver: 'approver' in answer ? answer.approver : null });
      return answer;
    });

    app.post<{ Body: schemas.GuardReportRequest }>(ROUTES.guardReport, { schema: { body: schemas.guardReportRequest }, preHandler: ownAgent }, async (request, reply) => {
      const body = request.body;
      const result = await store.guardReport(tenantOf(request).id, body.idempotency_key, { agentId: body.agent_id, action: body.action, outcome: body.outcome, error: body.error });
      if (result.kind === 'not_found') return fail(reply, 404, `No guarded action with idempotency key "${body.idempotency_key}"`);
      if (result.kind === 'mismatch') return fail(reply, 409, `Report refused: idempotency key "${body.idempotency_key}" guards another agent or action`);
      if (result.kind === 'not_permitted') return fail(reply, 409, `Report refused: this server never let the action of idempotency key "${body.idempotency_key}" run (it answered ${result.state ?? 'nothing'})`);
      return { ok: true };
    });

    // A bound key reads only its agents' approvals: another agent's is "not found", as another tenant's.
    app.get<{ Params: { approvalId: string } }>('/approval/:approvalId', async (request, reply) => {
      const approval = await store.getApproval(tenantOf(request).id, request.params.approvalId);
      if (!approval || !agentFilter(tenants, request)(approval.agentId)) return fail(reply, 404, 'Approval not found');
      return approvalState(approval);
    });

    app.get<{ Querystring: z.output<typeof sinceQuery> }>(ROUTES.approvalsSince, { schema: { querystring: sinceQuery }, preHandler: sameTenant('query') }, async (request) => {
      const may = agentFilter(tenants, request);
      const decisions = (await store.decisionsSince(tenantOf(request).id, new Date(request.query.since).toISOString(), request.query.limit)).filter((approval) => may(approval.agentId));
      return { decisions: decisions.map((approval) => ({ request_id: approval.id, ...approvalState(approval) })) };
    });

    app.get<{ Querystring: z.output<typeof streamQuery> }>(ROUTES.approvalsStream, { schema: { querystring: streamQuery }, preHandler: sameTenant('query') }, async (request, reply) => {
      const tenant = tenantOf(request);
      const may = agentFilter(tenants, request);
      let unsubscribe = () => undefined as void;
      const send = openEventStream(request, reply, context.keepAliveMs, () => unsubscribe());
      // Subscribe before CONNECTED, so nothing decided after CONNECTED is missed. While the replay
      // is read (the store answers asynchronously) live decisions are held, then sent after it
      // unless it had them: each decision once, replayed ones first.
      let held: ApprovalRow[] | null = request.query.last_seen ? [] : null;
      unsubscribe = hub.subscribe(tenant.id, (event) => {
        if (event.type !== 'decided' || !may(event.approval.agentId)) return;
        if (held) held.push(event.approval);
        else send(decisionEvent(event.approval, false));
      });
      send({ type: 'CONNECTED', tenant_id: tenant.id });
      if (request.query.last_seen) {
        let replay: ApprovalRow[];
        try {
          replay = await store.decisionsSince(tenant.id, new Date(request.query.last_seen).toISOString(), 500);
        } catch (error) {
          // The stream is already open (no status to answer): cut it, so the client reconnects and replays again.
          request.log.error(error);
          unsubscribe();
          reply.raw.destroy();
          return reply;
        }
        const replayed = new Set<string>();
        for (const approval of replay) {
          replayed.add(approval.id);
          if (may(approval.agentId)) send(decisionEvent(approval, true));
        }
        const live = held ?? [];
        held = null;
        for (const approval of live) if (!replayed.has(approval.id)) send(decisionEvent(approval, false));
      }
      return reply;
    });

    app.get<{ Querystring: z.output<typeof heartbeatQuery> }>(ROUTES.heartbeat, { schema: { querystring: heartbeatQuery }, preHandler: sameAgent(tenants, 'query') }, async (request) => ({ status: await store.agentStatus(tenantOf(request).id, request.query.agent_id) }));
  };
}
