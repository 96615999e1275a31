import type { FastifyReply, FastifyRequest } from 'fastify';
import { HEADERS } from '@haltstate/core';
import type { Tenant } from '../policy/schema.js';
import type { TenantDirectory } from '../tenants.js';
import { bearer, fail, header } from '../internal/http.js';

/**
 * The tenant of an agent request: its key from `X-API-Key`, `Authorization: Bearer` or (on the
 * approval read routes) `X-Admin-Token`; `X-Tenant-Id`, when sent, must be that key's tenant.
 * Answers 401 itself and returns undefined when the request is not authenticated.
 */
export function agentTenant(tenants: TenantDirectory, request: FastifyRequest, reply: FastifyReply, allowAdminToken = false): Tenant | undefined {
  const key = header(request, HEADERS.apiKey) ?? bearer(request) ?? (allowAdminToken ? header(request, HEADERS.adminToken) : undefined);
  if (!key) return void fail(reply, 401, 'Missing API key: send X-API-Key or Authorization: Bearer <key>');
  const tenant = tenants.byApiKey(key);
  if (!tenant) {
    if (tenants.byAdminKey(key)) return void fail(reply, 403, 'An admin key cannot act as an agent: use the tenant API key');
    return void fail(reply, 401, 'Invalid API key');
  }
  const claimed = header(request, HEADERS.tenantId);
  if (claimed !== undefined && claimed !== tenant.id) return void fail(reply, 401, 'X-Tenant-Id does not match the API key');
  return tenant;
}

/** The tenant of an admin request (`Authorization: Bearer <adminKey>`); 401 wrong key, 403 agent key. */
export function adminTenant(tenants: TenantDirectory, request: FastifyRequest, reply: FastifyReply): Tenant | undefined {
  const key = bearer(request);
  if (!key) return void fail(reply, 401, 'Missing admin key: send Authorization: Bearer <adminKey>');
  const tenant = tenants.byAdminKey(key);
  if (!tenant) {
    if (tenants.byApiKey(key)) return void fail(reply, 403, 'An agent API key cannot use admin routes: use the tenant admin key');
    return void fail(reply, 401, 'Invalid admin key');
  }
  const claimed = header(request, HEADERS.tenantId);
  if (claimed !== undefined && claimed !== tenant.id) return void fail(reply, 403, 'X-Tenant-Id does not match the admin key');
  return tenant;
}
