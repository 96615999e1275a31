// Approval reads: one approval's state, and the decisions made since a moment.
import { validIdentifier } from './call-input.js';
import type { ClientContext } from './client-context.js';
import { HaltStateValidationError } from './errors.js';
import { ROUTES } from './routes.js';
import { approvalResponse, approvalsSinceResponse, toApprovalEvent, toApprovalState } from './schemas/approval.js';
import type { ApprovalEvent, ApprovalState, RequestOptions } from './types.js';

/** `GET /approval/{id}`: one approval's current state. */
export async function getApproval(ctx: ClientContext, approvalId: string, options: RequestOptions): Promise<ApprovalState> {
  validIdentifier(approvalId, 'approvalId');
  const { data } = await ctx.transport.request({ method: 'GET', path: ROUTES.approval(approvalId), schema: approvalResponse, adminToken: true }, options);
  return toApprovalState(approvalId, data);
}

/** `GET /approvals/since`: decisions made after `since`, oldest first (at most `limit`, 1–500). */
export async function approvalsSince(ctx: ClientContext, since: Date | string, options: RequestOptions & { limit?: number | undefined }): Promise<ApprovalEvent[]> {
  const sinceIso = since instanceof Date ? since.toISOString() : since;
  if (Number.isNaN(Date.parse(sinceIso))) throw new HaltStateValidationError(`since must be a Date or an ISO-8601 string, got ${JSON.stringify(since)}`, { path: 'since' });
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new HaltStateValidationError(`limit must be an integer from 1 to 500, got ${limit}`, { path: 'limit' });
  const { data } = await ctx.transport.request(
    { method: 'GET', path: ROUTES.approvalsSince, query: { tenant_id: ctx.options.tenantId, since: sinceIso, limit: String(limit) }, schema: approvalsSinceResponse, adminToken: true },
    options,
  );
  return data.decisions.map(toApprovalEvent);
}
