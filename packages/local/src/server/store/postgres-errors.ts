import { StoreUnavailableError } from './store-unavailable.js';

// Node's socket errors that mean "the database is not there (now)".
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATEs of a server going away or not taking connections: admin/crash shutdown, cannot
// connect now (starting up or recovering). Class 08 too, and class 28: the password or role
// refused (after a rotation, say) is an outage of this server, never a 500 that reads like a bug.
const LOST_STATES = new Set(['57P01', '57P02', '57P03']);
const LOST_CLASSES = /^(08|28)/;
// SQLSTATEs after which the statement did nothing and a retry may succeed, on a connection that
// still works: out of resources (class 53: disk full, out of memory, too many connections), the
// database gone (3D000), a timeout this store sets (55P03 lock_timeout, 57014 statement_timeout,
// 25P03 idle in transaction), a transaction the server rolled back (40001, 40P01 deadlock).
const TRANSIENT_STATES = new Set(['3D000', '55P03', '57014', '25P03', '40001', '40P01']);
const TRANSIENT_CLASSES = /^53/;

// node-postgres reports a dropped socket, a pool connect timeout, a used-up client or its own
// query timeout (the answer never came: the connection is in an unknown state) by message only.
const DRIVER_MESSAGES = [/connection terminated/i, /timeout exceeded when trying to connect/i, /not queryable/i, /connection timeout/i, /query read timeout/i, /cannot use a pool after calling end/i, /client was closed/i];

const codeOf = (error: unknown) => (typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined);

/**
 * True when `error` says the connection is gone or cannot be made (a network error, SQLSTATE
 * class 08 or 28, a server shutting down or starting, a pool connect timeout, a dropped
 * connection, a client-side query timeout): the client it came from must not be reused.
 *
 * @example
 * isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })); // true
 */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const code = codeOf(error);
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || LOST_STATES.has(code) || LOST_CLASSES.test(code))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * True when the database cannot serve the request now, as opposed to an error of the statement
 * itself (a bug: it stays a 500): {@link isConnectionError}, or a transient SQLSTATE (out of
 * resources, a timeout, a deadlock or serialization failure, the database missing).
 *
 * @example
 * isUnavailableError(Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' })); // true
 */
export function isUnavailableError(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  const code = codeOf(error);
  return typeof code === 'string' && (TRANSIENT_STATES.has(code) || TRANSIENT_CLASSES.test(code));
}

/**
 * An error of {@link isUnavailableError} becomes {@link StoreUnavailableError} (the server answers 503); any other
 * error is returned as it is. The driver's error is kept as `cause` (for the log), never in the
 * message: a connection string may hold a password.
 *
 * @example
 * try { … } catch (error) { throw toStoreError(error); }
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailableError(error)) return error;
  return new StoreUnavailableError(undefined, { cause: error });
}
