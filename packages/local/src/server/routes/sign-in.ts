import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { bearer, fail, useZodSchemas } from '../http.js';
import { command } from '../../hints.js';

const signInBody = z.union([
  z.object({ code: z.string().min(1).max(200) }).strict(),
  z.object({ tenant_id: z.string().min(1).max(200), admin_key: z.string().min(1).max(500) }).strict(),
]);

/**
 * The approvals page's sign-in, under /local/: `POST /sign-in` takes a one-time code (from the
 * link `haltstate dev` prints) or a tenant id and its admin key, and answers a session token the
 * page sends as its bearer; `DELETE /session` ends it. Refusals are one 401 that says nothing
 * about why; attempts count against the caller's address (the server limit requestsPerIp).
 */
export function signInRoutes(context: ServerContext) {
  const { tenants, sessions } = context;
  return async function register(app: FastifyInstance): Promise<void> {
    useZodSchemas(app);
    app.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('cache-control', 'no-store');
      return payload;
    });

    app.post<{ Body: z.output<typeof signInBody> }>('/sign-in', { schema: { body: signInBody } }, async (request, reply) => {
      const body = request.body;
      let session: { tenantId: string; token: string } | undefined;
      if ('code' in body) session = sessions.exchange(body.code);
      else {
        const tenant = tenants.byAdminKey(body.admin_key);
        if (tenant && tenant.id === body.tenant_id) session = { tenantId: tenant.id, token: sessions.open(tenant.id) };
      }
      if (!session) return fail(reply, 401, `Sign-in refused: the code was used or is unknown, or the tenant id and admin key do not match; \`${command('sign-in-link')}\` prints a new link`);
      return { tenant_id: session.tenantId, token: session.token };
    });

    app.delete('/session', async (request) => {
      const token = bearer(request);
      if (token !== undefined) sessions.close(token);
      return { ok: true };
    });
  };
}
