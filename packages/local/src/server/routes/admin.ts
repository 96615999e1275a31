import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { ServerContext } from '../context.js';
import { decodeCursor, encodeCursor, type CursorKind } from '../cursor.js';
import { fail, header, openEventStream, useZodSchemas } from '../http.js';
import { ruleFields } from '../rule-fields.js';
import type { ApprovalRow } from '../store/types.js';
import { approveBody, auditQuery, listQuery, rejectBody, statusBody } from '../wire/requests.js';
import { approvalView, decisionEvent } from '../wire/responses.js';
import { selfApprovalRefusal } from '../approvers.js';
import { callerOf, requireRole, tenantOf } from './auth.js';

/** The header of `GET /local/audit` that carries the next page's cursor. */
export const NEXT_CURSOR = 'x-next-cursor';

/** A page when the caller names no limit. */
const DEFAULT_PAGE = 100;

/** Local-only routes under /local/ (the tenant's admin key): approvals, decisions, agent status, audit export, live events. */
export function adminRoutes(context: ServerContext) {
  const { store, tenants, hub, limits, approvers } = context;
  // The page shows first the params the approval's rule looked at.
  const view = (approval: ApprovalRow) => ({ ...approvalView(approval), rule_fields: ruleFields(context.policy(), approval) });

  /** The page a query asks for, or a 422 naming what is wrong with it. */
  const pageOf = (kind: CursorKind, query: { limit?: number | undefined; cursor?: string | undefined }, reply: FastifyReply) => {
    if (query.limit !== undefined && query.limit > limits.maxPageSize) return void fail(reply, 422, `limit: at most ${limits.maxPageSize} (server limit maxPageSize); follow next_cursor for more`);
    const after = query.cursor === undefined ? 0 : decodeCursor(kind, query.cursor);
    if (after === undefined) return void fail(reply, 422, `cursor: not a cursor of ${kind}; pass next_cursor from the previous page as it is`);
    return { limit: query.limit ?? Math.min(DEFAULT_PAGE, limits.maxPageSize), after };
  };
  const cursorAfter = (kind: CursorKind, next: number | null) => (next === null ? null : encodeCursor(kind, next));

  return async function register(app: FastifyInstance): Promise<void> {
    useZodSchemas(app);
    app.addHook('preValidation', requireRole(tenants, 'admin', context.sessions, approvers));
    // Approvals, params and the audit trail are nobody's cache's business.
    app.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('cache-control', 'no-store');
      return payload;
    });

    // Which tenant a key belongs to: the CLI asks it when a key is refused for the tenant it
    // assumed, to say which --tenant to pass.
    // With `approver_id` when the key (or session) is an approver's.
    app.get('/whoami', async (request) => {
      const caller = callerOf(request);
      return { tenant_id: caller.tenant.id, ...(caller.approver ? { approver_id: caller.approver.approver.id } : {}) };
    });

    app.get<{ Querystring: z.output<typeof listQuery> }>('/approvals', { schema: { querystring: listQuery } }, async (request, reply) => {
      const page = pageOf('approvals', request.query, reply);
      if (!page) return reply;
      const { rows, next } = await store.approvalsPage(tenantOf(request).id, { ...page, ...(request.query.status ? { status: request.query.status } : {}) });
      return { approvals: rows.map(view), next_cursor: cursorAfter('approvals', next) };
    });

    for (const [verb, status, schema] of [
      ['approve', 'approved', approveBody],
      ['reject', 'rejected', rejectBody],
    ] as const) {
      app.post<{ Params: { id: string }; Body: { approver?: string | undefined; reason?: string | undefined } }>(`/approvals/:id/${verb}`, { schema: { body: schema } }, async (request, reply) => {
        const { tenant, approver: identity } = callerOf(request);
        const named = request.body.approver;
        // The approver recorded is who authenticated, never a name typed in.
        let approver: string;
        if (identity) {
          if (named !== undefined && named !== identity.approver.id) {
            return fail(reply, 403, `You are signed in as approver "${identity.approver.id}": a decision is recorded under who authenticated, so the body's approver may not name someone else (omit it)`);
          }
          approver = identity.approver.id;
        } else if (approvers.required) {
          return fail(reply, 403, "Deciding needs an approver's own key: the tenant's admin key and sign-in tokens read approvals and the audit trail and set agent status, but a decision is recorded under the person who made it (send your approver key, or sign in to the page with it)");
        } else if (named === undefined) {
          return fail(reply, 422, 'approver: name who decides (or send your own approver key)');
        } else approver = named;
        if (identity) {
          // An approval's agent and rule never change, so reading it before the decision is safe.
          const approval = await store.getApproval(tenant.id, request.params.id);
          if (!approval) return fail(reply, 404, `No approval ${request.params.id} for tenant ${tenant.id}`);
          const refusal = selfApprovalRefusal(context.policy(), identity, approval);
          if (refusal) return fail(reply, 403, refusal);
        }
        const result = await store.decide(tenant.id, request.params.id, status, approver, request.body.reason ?? null);
        if (!result.ok) {
          return result.error === 'not_found' ? fail(reply, 404, `No approval ${request.params.id} for tenant ${tenant.id}`) : fail(reply, 409, `Approval ${request.params.id} is already ${result.approval!.status}`);
        }
        return view(result.approval);
      });
    }

    app.put<{ Params: { agentId: string }; Body: z.output<typeof statusBody> }>('/agents/:agentId/status', { schema: { body: statusBody } }, async (request) => {
      await store.setAgentStatus(tenantOf(request).id, request.params.agentId, request.body.status);
      return { agent_id: request.params.agentId, status: request.body.status };
    });

    app.get<{ Querystring: z.output<typeof auditQuery> }>('/audit', { schema: { querystring: auditQuery } }, async (request, reply) => {
      const tenantId = tenantOf(request).id;
      const query = request.query;
      const page = pageOf('audit', query, reply);
      if (!page) return reply;
      if ((header(request, 'accept') ?? '').includes('application/x-ndjson')) {
        // The export: every entry from the cursor on, read and written a page at a time, so a long
        // trail never sits in memory whole.
        async function* lines() {
          for (let after: number | null = page!.after; after !== null; ) {
            const { rows, next } = await store.auditPage(tenantId, { limit: limits.maxPageSize, after });
            if (rows.length > 0) yield rows.map((entry) => `${JSON.stringify(entry)}\n`).join('');
            after = next;
          }
        }
        return reply.type('application/x-ndjson').send(Readable.from(lines()));
      }
      // The body stays the JSON array it always was; the next page's cursor rides in a header
      // (and a Link, rel=next), absent on the last page.
      const { rows, next } = await store.auditPage(tenantId, { ...page, limit: query.limit ?? limits.maxPageSize });
      const cursor = cursorAfter('audit', next);
      if (cursor !== null) void reply.header(NEXT_CURSOR, cursor).header('link', `</local/audit?cursor=${cursor}${query.limit ? `&limit=${query.limit}` : ''}>; rel="next"`);
      return rows;
    });

    // A new one-time sign-in code for the caller's tenant: `haltstate sign-in-link` prints it as a link.
    // An approver's code signs the page in as that approver.
    app.post('/sign-in-codes', async (request, reply) => {
      if (!approvers.signInEnabled) return fail(reply, 403, 'Page sign-in is turned off on this server (approvers.sessions: false)');
      const caller = callerOf(request);
      return { code: context.sessions.issueCode(caller.tenant.id, caller.approver?.approver.id) };
    });

    app.get('/unreported', async (request) => ({ guards: await store.unreportedPermits(tenantOf(request).id) }));

    // Live events for the approvals page: new requests and decisions.
    app.get('/stream', async (request, reply) => {
      const tenant = tenantOf(request);
      let unsubscribe = () => undefined as void;
      const send = openEventStream(request, reply, context.keepAliveMs, () => unsubscribe());
      unsubscribe = hub.subscribe(tenant.id, (event) =>
        send(event.type === 'created' ? { type: 'APPROVAL_CREATED', approval: view(event.approval) } : { ...decisionEvent(event.approval, false), approval: view(event.approval) }),
      );
      send({ type: 'CONNECTED', tenant_id: tenant.id });
      return reply;
    });
  };
}
