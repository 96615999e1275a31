/**
 * The server's limits against a hostile or broken agent: one place for every bound, its unit and
 * its default. `haltstate dev` and `buildServer` take overrides; docs/security.md lists them.
 */
export interface ServerLimits {
  /** Pending approvals one tenant may hold at once; one more is a 429 naming this cap. @default 1000 */
  pendingPerTenant: number;
  /** Pending approvals one agent of a tenant may hold at once; one more is a 429. @default 100 */
  pendingPerAgent: number;
  /** Longest string a policy `matches` or glob is run on; a longer one never matches. @unit characters @default 4096 */
  maxMatchedLength: number;
  /**
   * Requests one key may make per window: a token bucket that holds this many and refills this
   * many per window, so a key bursts to it and then runs at its average. Above what the test
   * suites and the benchmark send from one key (autocannon's ~2 000/s for 3 s). @default 20000
   */
  requestsPerKey: number;
  /** Requests one IP may make per window without a valid key (no key, a wrong one, sign-in attempts, the page's HTML). @default 600 */
  requestsPerIp: number;
  /** The window of the two rate limits above. @unit milliseconds @default 60000 */
  rateWindowMs: number;
  /** Open SSE streams per key; one more is a 429 naming this cap. @default 32 */
  streamsPerKey: number;
  /** Open connections to the server; past it, a new one cuts the oldest that never carried a valid key. @default 512 */
  maxConnections: number;
  /** Time to receive a request's headers. @unit milliseconds @default 10000 */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included. @unit milliseconds @default 30000 */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. @unit milliseconds @default 5000 */
  idleTimeoutMs: number;
  /** Deepest accepted JSON nesting in a request body; deeper is a 422. @default 64 */
  maxJsonDepth: number;
  /** Largest page of a list route (`/local/approvals`, `/local/audit`). @default 500 */
  maxPageSize: number;
  /** Open connections one key may hold; one more is a 429 and the connection is closed. @default 64 */
  connectionsPerKey: number;
}

/** The defaults: generous for one developer's agents, tight enough that no agent stalls the server. */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  pendingPerTenant: 1000,
  pendingPerAgent: 100,
  maxMatchedLength: 4096,
  requestsPerKey: 20_000,
  requestsPerIp: 600,
  rateWindowMs: 60_000,
  streamsPerKey: 32,
  maxConnections: 512,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 5_000,
  maxJsonDepth: 64,
  maxPageSize: 500,
  connectionsPerKey: 64,
});

/**
 * The limits with the caller's overrides; a limit that is not a positive integer is refused.
 *
 * @example
 * resolveLimits({ pendingPerAgent: 10 }).pendingPerAgent; // 10
 */
export function resolveLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(overrides) as [keyof ServerLimits, unknown][]) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_LIMITS)) throw new TypeError(`Unknown server limit "${name}"; known limits: ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new TypeError(`Server limit "${name}" must be a positive integer, got ${JSON.stringify(value)}`);
    limits[name] = value;
  }
  return limits;
}
