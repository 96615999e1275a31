import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import * as schemas from '@haltstate/core/schemas';
import type { ServerContext } from '../context.js';
import type { ApprovalRow } from '../store/types.js';
import { fail, header, openEventStream, parseOr422 } from '../http.js';
import { authenticate } from './auth.js';
import { decisionEvent } from './sentinel.js';

/** An approval as the admin routes and the web page show it. */
export function approvalView(approval: ApprovalRow) {
  return {
    approval_id: approval.id,
    status: approval.status,
    action: approval.action,
    agent_id: approval.agentId,
    params: approval.params,
    metadata: approval.metadata,
    policy_id: approval.policyId,
    policy_reason: approval.policyReason,
    idempotency_key: approval.idempotencyKey,
    approver: approval.approver,
    reason: approval.reason,
    created_at: approval.createdAt,
    expires_at: approval.expiresAt,
    decided_at: approval.decidedAt,
  };
}

const listQuery = z.object({ status: schemas.approvalStatus.optional() });
const name = z.string().trim().min(1).max(200);
const approveBody = z.object({ approver: name, reason: z.string().max(2000).optional() }).strict();
const rejectBody = z.object({ approver: name, reason: z.string().trim().min(1, 'a rejection needs a reason').max(2000) }).strict();
const statusBody = z.object({ status: z.enum(['OK', 'PAUSE', 'KILL']) }).strict();

/** Local-only routes under /local/: approvals, decisions, agent status, audit export, live events. */
export function adminRoutes(context: ServerContext) {
  const { store, tenants, hub } = context;
  return async function register(app: FastifyInstance): Promise<void> {
    // Which tenant a key belongs to: the CLI asks it when a key is refused for the tenant it
    // assumed, to say which --tenant to pass.
    app.get('/whoami', async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'admin');
      if (!tenant) return reply;
      return { tenant_id: tenant.id };
    });

    app.get('/approvals', async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'admin');
      if (!tenant) return reply;
      const query = parseOr422(reply, listQuery, request.query);
      if (!query) return reply;
      return { approvals: store.listApprovals(tenant.id, query.status).map(approvalView) };
    });

    for (const [verb, status, schema] of [
      ['approve', 'approved', approveBody],
      ['reject', 'rejected', rejectBody],
    ] as const) {
      app.post<{ Params: { id: string } }>(`/approvals/:id/${verb}`, async (request, reply) => {
        const tenant = authenticate(tenants, request, reply, 'admin');
        if (!tenant) return reply;
        const body = parseOr422(reply, schema, request.body);
        if (!body) return reply;
        const result = store.decide(tenant.id, request.params.id, status, body.approver, body.reason ?? null);
        if (!result.ok) {
          return result.error === 'not_found' ? fail(reply, 404, `No approval ${request.params.id} for tenant ${tenant.id}`) : fail(reply, 409, `Approval ${request.params.id} is already ${result.approval!.status}`);
        }
        return approvalView(result.approval);
      });
    }

    app.put<{ Params: { agentId: string } }>('/agents/:agentId/status', async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'admin');
      if (!tenant) return reply;
      const body = parseOr422(reply, statusBody, request.body);
      if (!body) return reply;
      store.setAgentStatus(tenant.id, request.params.agentId, body.status);
      return { agent_id: request.params.agentId, status: body.status };
    });

    app.get('/audit', async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'admin');
      if (!tenant) return reply;
      const entries = store.auditTrail(tenant.id);
      if ((header(request, 'accept') ?? '').includes('application/x-ndjson')) {
        return reply.type('application/x-ndjson').send(entries.map((entry) => JSON.stringify(entry)).join('\n') + (entries.length ? '\n' : ''));
      }
      return entries;
    });

    app.get('/unreported', async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'admin');
      if (!tenant) return reply;
      return { guards: store.unreportedPermits(tenant.id) };
    });

    // Live events for the approvals page: new requests and decisions.
    app.get('/stream', async (request, reply) => {
      const tenant = authenticate(tenants, request, reply, 'admin');
      if (!tenant) return reply;
      let unsubscribe = () => undefined as void;
      const send = openEventStream(request, reply, context.keepAliveMs, () => unsubscribe());
      unsubscribe = hub.subscribe(tenant.id, (event) =>
        send(event.type === 'created' ? { type: 'APPROVAL_CREATED', approval: approvalView(event.approval) } : { ...decisionEvent(event.approval, false), approval: approvalView(event.approval) }),
      );
      send({ type: 'CONNECTED', tenant_id: tenant.id });
      return reply;
    });
  };
}
