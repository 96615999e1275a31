import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { bearer, fail, useZodSchemas } from '../http.js';
import { command } from '../../hints.js';

const signInBody = z.union([
  z.object({ code: z.string().min(1).max(200) }).strict(),
  z.object({ tenant_id: z.string().min(1).max(200), admin_key: z.string().min(1).max(500) }).strict(),
  z.object({ tenant_id: z.string().min(1).max(200), approver_key: z.string().min(1).max(500) }).strict(),
]);

/**
 * The approvals page's sign-in, under /local/: `POST /sign-in` takes a one-time code (from the
 * link `haltstate dev` prints), a tenant id and its admin key, or a tenant id and an approver's
 * own key, and answers a session token the page sends as its bearer (with `approver_id`, the
 * approver the session decides as, when an approver signed in); `DELETE /session` ends it. Refusals are one 401 that says nothing
 * about why; attempts count against the caller's address (the server limit requestsPerIp).
 */
export function signInRoutes(context: ServerContext) {
  const { tenants, sessions, approvers } = context;
  return async function register(app: FastifyInstance): Promise<void> {
    useZodSchemas(app);
    app.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('cache-control', 'no-store');
      return payload;
    });

    app.post<{ Body: z.output<typeof signInBody> }>('/sign-in', { schema: { body: signInBody } }, async (request, reply) => {
      if (!approvers.signInEnabled) return fail(reply, 403, 'Page sign-in is turned off on this server (approvers.sessions: false)');
      const body = request.body;
      let session: { tenantId: string; approverId?: string; token: string } | undefined;
      if ('code' in body) session = sessions.exchange(body.code);
      else if ('admin_key' in body) {
        const tenant = tenants.byAdminKey(body.admin_key);
        if (tenant && tenant.id === body.tenant_id) session = { tenantId: tenant.id, token: sessions.open({ tenantId: tenant.id }) };
      } else {
        const found = approvers.byKey(body.approver_key);
        if (found && found.tenant.id === body.tenant_id) {
          const holder = { tenantId: found.tenant.id, approverId: found.approver.id };
          session = { ...holder, token: sessions.open(holder) };
        }
      }
      if (!session) return fail(reply, 401, `Sign-in refused: the code was used or is unknown, or the tenant id and key do not match; \`${command('sign-in-link')}\` prints a new link`);
      return { tenant_id: session.tenantId, ...(session.approverId === undefined ? {} : { approver_id: session.approverId }), token: session.token };
    });

    app.delete('/session', async (request) => {
      const token = bearer(request);
      if (token !== undefined) sessions.close(token);
      return { ok: true };
    });
  };
}
