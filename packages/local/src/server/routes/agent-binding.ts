import type { FastifyReply, FastifyRequest } from 'fastify';
import { HEADERS } from '@haltstate/core';
import { bearer, fail, header } from '../http.js';
import type { TenantDirectory } from '../tenants.js';

/**
 * The key the request authenticated with (the auth hook made sure every key header it sent
 * holds the same one). Only for routes behind `requireRole(…, 'agent')`.
 */
function keyOf(request: FastifyRequest): string {
  return header(request, HEADERS.apiKey) || bearer(request) || header(request, HEADERS.adminToken) || '';
}

/** The refusal of a bound key acting as another agent: it never lists the agent ids the key may use. */
export const notAllowedFor = (agentId: string) => `This API key is not allowed to act as agent "${agentId}"`;

/**
 * Which agent ids the request's key may act as: a bound key (a tenant's `agentKeys`, or an
 * `apiKey` with `agents`) only those its glob matches; a tenant-wide key any.
 *
 * @example
 * const may = agentFilter(tenants, request);
 * approvals.filter((approval) => may(approval.agentId));
 */
export function agentFilter(tenants: TenantDirectory, request: FastifyRequest): (agentId: string) => boolean {
  const key = keyOf(request);
  return (agentId) => tenants.allowsAgent(key, agentId);
}

/**
 * A route's check that its key may act as the agent id the body or query names (`agent_id`):
 * a 403 otherwise. Runs after validation (so a defaulted agent id is checked too).
 *
 * @example
 * app.post(ROUTES.check, { schema: { body: checkBody }, preHandler: sameAgent(tenants, 'body') }, handler);
 */
export function sameAgent(tenants: TenantDirectory, part: 'body' | 'query') {
  return async function actsAsItsAgent(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const agentId = (request[part] as { agent_id?: string } | undefined)?.agent_id;
    if (agentId !== undefined && !agentFilter(tenants, request)(agentId)) return fail(reply, 403, notAllowedFor(agentId));
    return undefined;
  };
}
