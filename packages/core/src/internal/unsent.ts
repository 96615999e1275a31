// Which network failures prove that a request never reached the server. A check creates an
// approval on the server, so it is retried only after one of these (or 429/503); a timeout or a
// reset may come after the server acted.

/** Errors raised before a connection exists: nothing of the request was sent. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  // undici's own connect timeout (not ours, which may fire after the request was written).
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Every `code` in an error, its causes and, for an AggregateError (one per address tried), its errors. */
function codesOf(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) return [];
  const codes: string[] = [];
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') codes.push(code);
  if (Array.isArray(errors)) for (const inner of errors) codes.push(...codesOf(inner, depth + 1));
  codes.push(...codesOf(cause, depth + 1));
  return codes;
}

/**
 * True only when the error shows that the request was never sent: it carries a connection-level
 * code (ECONNREFUSED, ENOTFOUND, …) and nothing else. Unknown shapes (a custom fetch, a timeout,
 * a reset) are false: the request may have arrived.
 */
export function surelyNotSent(error: unknown): boolean {
  const codes = codesOf(error);
  return codes.length > 0 && codes.every((code) => NOT_CONNECTED.has(code));
}
