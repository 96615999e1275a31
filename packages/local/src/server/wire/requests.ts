// The request schemas of the routes. Core's zod schemas (`@haltstate/core/schemas`) are the
// wire definitions of the public bodies and are used as they are; what is here is only what
// core does not define: the public routes' query strings, check's defaults, and the local
// admin routes' bodies.
import { z } from 'zod';
import * as schemas from '@haltstate/core/schemas';

const timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 timestamp');

/** `POST …/action/check`: core's `checkRequest`, with `agent_id` and `params` defaulted as the hosted API does. */
export const checkBody = z.preprocess((body) => (typeof body === 'object' && body !== null ? { agent_id: 'default', params: {}, ...body } : body), schemas.checkRequest);

/** `GET …/approvals/since` query. */
export const sinceQuery = z.object({
  tenant_id: z.string().optional(),
  since: timestamp,
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** `GET …/approvals/stream` query. */
export const streamQuery = z.object({ tenant_id: z.string().optional(), last_seen: timestamp.optional() });

/** `GET …/heartbeat` query. */
export const heartbeatQuery = z.object({ agent_id: z.string().min(1).default('default') });

/** A list route's paging: `limit` (at most the server limit maxPageSize, checked by the route) and the last page's `next_cursor`. */
const paging = { limit: z.coerce.number().int().min(1).optional(), cursor: z.string().min(1).max(200).optional() };

/** `GET /local/approvals` query. */
export const listQuery = z.object({ status: schemas.approvalStatus.optional(), ...paging });

/** `GET /local/audit` query. */
export const auditQuery = z.object(paging);

const name = z.string().trim().min(1).max(200);

/**
 * `POST /local/approvals/{id}/approve` body. `approver` names who decides when the admin key
 * calls (dev); with an approver's own key it may be omitted (and may not name anyone else).
 */
export const approveBody = z.object({ approver: name.optional(), reason: z.string().max(2000).optional() }).strict();

/** `POST /local/approvals/{id}/reject` body: a rejection says why. */
export const rejectBody = z.object({ approver: name.optional(), reason: z.string().trim().min(1, 'a rejection needs a reason').max(2000) }).strict();

/** `PUT /local/agents/{agentId}/status` body. */
export const statusBody = z.object({ status: z.enum(['OK', 'PAUSE', 'KILL']) }).strict();
