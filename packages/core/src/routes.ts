// Every path and header name of the wire contract lives here, so a name the public sources
// leave unconfirmed (the branded prefix, 409 on key reuse) changes in one line.

/** Route prefixes: `legacy` is the long-supported alias; `branded` is newer (unconfirmed coverage). */
export const PREFIXES = {
  legacy: '/api/sentinel',
  branded: '/api/haltstate/sentinel',
} as const;

/** Which prefix a client uses. */
export type Namespace = keyof typeof PREFIXES;

/** Route paths below the prefix. */
export const ROUTES = {
  check: '/action/check',
  report: '/action/report',
  guard: '/action/guard',
  guardReport: '/action/guard/report',
  approval: (approvalId: string) => `/approval/${encodeURIComponent(approvalId)}`,
  approvalsSince: '/approvals/since',
  approvalsStream: '/approvals/stream',
  heartbeat: '/heartbeat',
} as const;

/** Header names the contract uses. */
export const HEADERS = {
  tenantId: 'x-tenant-id',
  apiKey: 'x-api-key',
  adminToken: 'x-admin-token',
  authorization: 'authorization',
  requestId: 'x-request-id',
  retryAfter: 'retry-after',
} as const;

/** The status the server answers when an idempotency key is reused for another operation. */
export const IDEMPOTENCY_CONFLICT_STATUS = 409;

/**
 * The `policy_id` a server gives a DENY that comes from the kill switch (not from a rule), so a
 * client can raise `KillSwitchTriggered` instead of `ActionDenied`.
 */
export const KILL_SWITCH_POLICY_ID = 'kill-switch';

/**
 * The largest request body the client sends: 256 KiB, what `@haltstate/local` accepts (its
 * fastify `bodyLimit`). A call whose JSON body (params and metadata, or a report's result) is
 * larger fails with `HaltStateValidationError` before any request, naming this limit; the
 * public contract names no limit, so this is the lowest one known to serve it.
 *
 * @example
 * if (Buffer.byteLength(JSON.stringify(params)) > MAX_REQUEST_BODY_BYTES / 2) params = { documentId };
 */
export const MAX_REQUEST_BODY_BYTES = 256 * 1024;
