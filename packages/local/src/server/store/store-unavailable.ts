/**
 * The store's database cannot be reached (a lost connection, a database that is down or
 * restarting). The server answers the request 503 with `Retry-After`, so a client fails closed
 * and retries; nothing the request began is half-written (each store call is one transaction).
 *
 * @example
 * try { await store.ping(); } catch (error) { if (error instanceof StoreUnavailableError) … }
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  /** `cause` is the driver's error; it stays in the server's log, never in an answer. */
  constructor(message = 'The approval store (database) is unreachable', options?: { cause?: unknown }) {
    super(message, options);
  }
}
