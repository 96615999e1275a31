import { StoreUnavailableError } from './store-unavailable.js';

// Node's socket errors that mean "the database is not there (now)".
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATEs of a server going away or not taking connections: admin/crash shutdown, cannot
// connect now (starting up or recovering), too many connections.
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
// node-postgres reports a dropped socket, a pool connect timeout or a used-up client by message only.
const DRIVER_MESSAGES = [/connection terminated/i, /timeout exceeded when trying to connect/i, /not queryable/i, /connection timeout/i, /query read timeout/i, /cannot use a pool after calling end/i, /client was closed/i];

/**
 * True when `error` says the database cannot be reached (a network error, SQLSTATE class 08,
 * a server shutting down or starting, a pool connect timeout, a dropped connection), as opposed
 * to an error of the statement itself (a bug: it stays a 500).
 *
 * @example
 * isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })); // true
 */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || /^08/.test(code))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * A connection error becomes {@link StoreUnavailableError} (the server answers 503); any other
 * error is returned as it is. The driver's error is kept as `cause` (for the log), never in the
 * message: a connection string may hold a password.
 *
 * @example
 * try { … } catch (error) { throw toStoreError(error); }
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isConnectionError(error)) return error;
  return new StoreUnavailableError(undefined, { cause: error });
}
