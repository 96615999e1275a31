import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ServerContext } from '../context.js';
import { fail, header, openEventStream, useZodSchemas } from '../http.js';
import { approveBody, listQuery, rejectBody, statusBody } from '../wire/requests.js';
import { approvalView, decisionEvent } from '../wire/responses.js';
import { requireRole, tenantOf } from './auth.js';

/** Local-only routes under /local/ (the tenant's admin key): approvals, decisions, agent status, audit export, live events. */
export function adminRoutes(context: ServerContext) {
  const { store, tenants, hub } = context;
  return async function register(app: FastifyInstance): Promise<void> {
    useZodSchemas(app);
    app.addHook('preValidation', requireRole(tenants, 'admin'));

    // Which tenant a key belongs to: the CLI asks it when a key is refused for the tenant it
    // assumed, to say which --tenant to pass.
    app.get('/whoami', async (request) => ({ tenant_id: tenantOf(request).id }));

    app.get<{ Querystring: z.output<typeof listQuery> }>('/approvals', { schema: { querystring: listQuery } }, async (request) => ({
      approvals: store.listApprovals(tenantOf(request).id, request.query.status).map(approvalView),
    }));

    for (const [verb, status, schema] of [
      ['approve', 'approved', approveBody],
      ['reject', 'rejected', rejectBody],
    ] as const) {
      app.post<{ Params: { id: string }; Body: { approver: string; reason?: string } }>(`/approvals/:id/${verb}`, { schema: { body: schema } }, async (request, reply) => {
        const tenant = tenantOf(request);
        const result = store.decide(tenant.id, request.params.id, status, request.body.approver, request.body.reason ?? null);
        if (!result.ok) {
          return result.error === 'not_found' ? fail(reply, 404, `No approval ${request.params.id} for tenant ${tenant.id}`) : fail(reply, 409, `Approval ${request.params.id} is already ${result.approval!.status}`);
        }
        return approvalView(result.approval);
      });
    }

    app.put<{ Params: { agentId: string }; Body: z.output<typeof statusBody> }>('/agents/:agentId/status', { schema: { body: statusBody } }, async (request) => {
      store.setAgentStatus(tenantOf(request).id, request.params.agentId, request.body.status);
      return { agent_id: request.params.agentId, status: request.body.status };
    });

    app.get('/audit', async (request, reply) => {
      const entries = store.auditTrail(tenantOf(request).id);
      if ((header(request, 'accept') ?? '').includes('application/x-ndjson')) {
        return reply.type('application/x-ndjson').send(entries.map((entry) => JSON.stringify(entry)).join('\n') + (entries.length ? '\n' : ''));
      }
      return entries;
    });

    app.get('/unreported', async (request) => ({ guards: store.unreportedPermits(tenantOf(request).id) }));

    // Live events for the approvals page: new requests and decisions.
    app.get('/stream', async (request, reply) => {
      const tenant = tenantOf(request);
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
