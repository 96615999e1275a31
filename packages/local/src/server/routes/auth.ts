import type { FastifyReply, FastifyRequest } from 'fastify';
import { HEADERS } from '@haltstate/core';
import type { Tenant } from '../policy/schema.js';
import { APPROVER_KEY_HEADER, type ApproverDirectory, type ApproverIdentity } from '../approvers.js';
import type { Sessions } from '../sessions.js';
import type { TenantDirectory } from '../tenants.js';
import { bearer, fail, header } from '../http.js';

/** Who may call a route: agents (the tenant API key) or humans (the tenant admin key, an approver's own key). */
export type Role = 'agent' | 'admin';

// One message for every way of not being authenticated, so a 401 never tells a prober whether
// the key exists, belongs to another tenant, or was missing.
const NOT_AUTHENTICATED: Record<Role, string> = {
  agent: "Not authenticated: send the tenant's API key (X-API-Key or Authorization: Bearer) and, in X-Tenant-Id, that key's tenant",
  admin: "Not authenticated: send your approver key or the tenant's admin key (Authorization: Bearer <key>) and, in X-Tenant-Id, that key's tenant",
};
const NOT_ALLOWED: Record<Role, string> = {
  agent: 'An admin or approver key cannot act as an agent: use the tenant API key',
  admin: 'An agent API key cannot use admin routes: use the tenant admin key',
};

/** Who called: the tenant, and the approver when a person authenticated as one. */
export interface Caller {
  tenant: Tenant;
  /** Set for an approver's own key, a session an approver signed in to, or a trusted proxy's header. */
  approver?: ApproverIdentity;
}

/**
 * The one auth rule of every route. The key comes from `X-API-Key`, `Authorization: Bearer`,
 * `X-Admin-Token` or `X-Approver-Key` (all that are sent must be the same key); a session token
 * of the approvals page counts as its tenant's admin key (and as its approver, if one signed in);
 * an approver's own key counts as the admin role, as that approver. Without any key, a trusted
 * proxy's header may name the approver ({@link ApproverDirectory.proxied}). 401 when nothing
 * authenticates for the tenant named in `X-Tenant-Id` (missing, unknown, another tenant's;
 * X-Tenant-Id may be omitted, then the key names the tenant); 403 when it does but its role may
 * not use the route. Answers the refusal itself and returns undefined. Routes get it through
 * {@link requireRole}.
 */
function authenticate(tenants: TenantDirectory, sessions: Sessions | undefined, approvers: ApproverDirectory | undefined, request: FastifyRequest, reply: FastifyReply, role: Role): Caller | undefined {
  const keys = new Set([header(request, HEADERS.apiKey), bearer(request), header(request, HEADERS.adminToken), header(request, APPROVER_KEY_HEADER)].filter((key): key is string => key !== undefined && key !== ''));
  const claimed = header(request, HEADERS.tenantId);
  if (keys.size === 0) {
    // A key always decides who calls; the proxy's header counts only without one.
    const proxied = approvers?.proxied(request);
    if (!proxied) return void fail(reply, 401, NOT_AUTHENTICATED[role]);
    if (role !== 'admin') return void fail(reply, 403, NOT_ALLOWED[role]);
    return { tenant: proxied.tenant, approver: proxied };
  }
  const [key] = keys;
  if (keys.size !== 1 || key === undefined) return void fail(reply, 401, NOT_AUTHENTICATED[role]);
  // Every lookup always runs, so the time taken does not tell which kind of key was sent.
  const asAgent = tenants.byApiKey(key);
  const session = sessions?.holderOf(key);
  const asApprover = approvers?.byKey(key);
  const asAdmin = tenants.byAdminKey(key) ?? tenants.all.find((tenant) => tenant.id === session?.tenantId);
  // A session an approver signed in to is theirs while they are still declared.
  const sessionApprover = session?.approverId === undefined ? undefined : approvers?.byId(session.tenantId, session.approverId);
  if (session?.approverId !== undefined && !sessionApprover) return void fail(reply, 401, NOT_AUTHENTICATED[role]);
  const tenant = asAgent ?? asApprover?.tenant ?? asAdmin;
  if (!tenant || (claimed !== undefined && claimed !== tenant.id)) return void fail(reply, 401, NOT_AUTHENTICATED[role]);
  if ((asAgent ? 'agent' : 'admin') !== role) return void fail(reply, 403, NOT_ALLOWED[role]);
  const approver = asApprover ?? sessionApprover;
  return approver ? { tenant, approver } : { tenant };
}

const AUTHENTICATED = new WeakMap<FastifyRequest, Caller>();

/**
 * The auth step of every route of a plugin, as a fastify hook: it runs before the body and query
 * are validated (so a caller without a key learns nothing about the schemas) and answers the
 * refusal itself; a route then reads the tenant with {@link tenantOf} (and the caller with
 * {@link callerOf}).
 *
 * @example
 * app.addHook('preValidation', requireRole(tenants, 'agent'));
 * app.addHook('preValidation', requireRole(tenants, 'admin', sessions, approvers)); // the page's sessions and approvers too
 */
export function requireRole(tenants: TenantDirectory, role: Role, sessions?: Sessions, approvers?: ApproverDirectory) {
  return async function authenticated(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const caller = authenticate(tenants, sessions, approvers, request, reply, role);
    if (!caller) return reply;
    AUTHENTICATED.set(request, caller);
    return undefined;
  };
}

/**
 * Who {@link requireRole} authenticated for this request. Throws (a 500) on a route that has no
 * auth hook, so a route wired without one fails closed.
 *
 * @example
 * const { tenant, approver } = callerOf(request);
 */
export function callerOf(request: FastifyRequest): Caller {
  const caller = AUTHENTICATED.get(request);
  if (!caller) throw new Error(`${request.method} ${request.routeOptions.url} has no auth hook`);
  return caller;
}

/**
 * The tenant {@link requireRole} authenticated for this request (see {@link callerOf}).
 *
 * @example
 * const tenant = tenantOf(request);
 */
export function tenantOf(request: FastifyRequest): Tenant {
  return callerOf(request).tenant;
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
