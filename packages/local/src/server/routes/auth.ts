import type { FastifyReply, FastifyRequest } from 'fastify';
import { HEADERS } from '@haltstate/core';
import type { Tenant } from '../policy/schema.js';
import type { SessionBook } from '../sessions.js';
import type { TenantDirectory } from '../tenants.js';
import { bearer, fail, header } from '../http.js';

/** Who may call a route: agents (the tenant API key) or approvers (the tenant admin key). */
export type Role = 'agent' | 'admin';

// One message for every way of not being authenticated, so a 401 never tells a prober whether
// the key exists, belongs to another tenant, or was missing.
const NOT_AUTHENTICATED: Record<Role, string> = {
  agent: "Not authenticated: send the tenant's API key (X-API-Key or Authorization: Bearer) and, in X-Tenant-Id, that key's tenant",
  admin: "Not authenticated: send the tenant's admin key (Authorization: Bearer <adminKey>) and, in X-Tenant-Id, that key's tenant",
};
const NOT_ALLOWED: Record<Role, string> = {
  agent: 'An admin key cannot act as an agent: use the tenant API key',
  admin: 'An agent API key cannot use admin routes: use the tenant admin key',
};

/**
 * The one auth rule of every route. The key comes from `X-API-Key`, `Authorization: Bearer` or
 * `X-Admin-Token` (all that are sent must be the same key); a session token of the approvals
 * page counts as its tenant's admin key. 401 when it does not authenticate
 * for the tenant named in `X-Tenant-Id` (missing, unknown, another tenant's; X-Tenant-Id may be
 * omitted, then the key names the tenant); 403 when it does but its role may not use the route.
 * Answers the refusal itself and returns undefined. Routes get it through {@link requireRole}.
 */
function authenticate(tenants: TenantDirectory, sessions: SessionBook | undefined, request: FastifyRequest, reply: FastifyReply, role: Role): Tenant | undefined {
  const keys = new Set([header(request, HEADERS.apiKey), bearer(request), header(request, HEADERS.adminToken)].filter((key): key is string => key !== undefined && key !== ''));
  const [key] = keys;
  if (keys.size !== 1 || key === undefined) return void fail(reply, 401, NOT_AUTHENTICATED[role]);
  // Both lookups always run, so the time taken does not tell which kind of key was sent.
  const asAgent = tenants.byApiKey(key);
  const session = sessions?.tenantOf(key);
  const asAdmin = tenants.byAdminKey(key) ?? tenants.all.find((tenant) => tenant.id === session);
  const tenant = asAgent ?? asAdmin;
  const claimed = header(request, HEADERS.tenantId);
  if (!tenant || (claimed !== undefined && claimed !== tenant.id)) return void fail(reply, 401, NOT_AUTHENTICATED[role]);
  if ((asAgent ? 'agent' : 'admin') !== role) return void fail(reply, 403, NOT_ALLOWED[role]);
  return tenant;
}

const AUTHENTICATED = new WeakMap<FastifyRequest, Tenant>();

/**
 * The auth step of every route of a plugin, as a fastify hook: it runs before the body and query
 * are validated (so a caller without a key learns nothing about the schemas) and answers the
 * refusal itself; a route then reads the tenant with {@link tenantOf}.
 *
 * @example
 * app.addHook('preValidation', requireRole(tenants, 'agent'));
 * app.addHook('preValidation', requireRole(tenants, 'admin', sessions)); // the page's sessions too
 */
export function requireRole(tenants: TenantDirectory, role: Role, sessions?: SessionBook) {
  return async function authenticated(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const tenant = authenticate(tenants, sessions, request, reply, role);
    if (!tenant) return reply;
    AUTHENTICATED.set(request, tenant);
    return undefined;
  };
}

/**
 * The tenant {@link requireRole} authenticated for this request. Throws (a 500) on a route that
 * has no auth hook, so a route wired without one fails closed.
 *
 * @example
 * const tenant = tenantOf(request);
 */
export function tenantOf(request: FastifyRequest): Tenant {
  const tenant = AUTHENTICATED.get(request);
  if (!tenant) throw new Error(`${request.method} ${request.routeOptions.url} has no auth hook`);
  return tenant;
}

/**
 * A route's check that the `tenant_id` its body or query names (when it names one) is the
 * authenticated tenant: a 403 otherwise. Runs after validation.
 *
 * @example
 * app.get(ROUTES.approvalsSince, { schema: { querystring: sinceQuery }, preHandler: sameTenant('query') }, handler);
 */
export function sameTenant(part: 'body' | 'query') {
  return async function namesOwnTenant(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const claimed = (request[part] as { tenant_id?: string } | undefined)?.tenant_id;
    if (claimed !== undefined && claimed !== tenantOf(request).id) return fail(reply, 403, 'tenant_id does not match the API key');
    return undefined;
  };
}
