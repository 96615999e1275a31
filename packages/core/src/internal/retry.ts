import { parseHttpDate } from './http-date.js';

/** Statuses worth another attempt: timeouts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const BASE_DELAY_MS = 300;
const MAX_BACKOFF_MS = 8_000;
/** A `Retry-After` longer than this is not waited for: the error goes to the caller instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Parses `Retry-After` into milliseconds: only what RFC 9110 allows, delta-seconds (digits and
 * nothing else) or an HTTP-date. Anything else (`0x10`, `1e3`, `-1`, `5.5`, padding) is
 * undefined: the header is ignored and the usual backoff applies.
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header)) return Number(header) * 1000;
  const date = parseHttpDate(header, now);
  return date === undefined ? undefined : Math.max(0, date - now);
}

/**
 * Delay before retry number `attempt` (1-based): the server's `Retry-After` when given, otherwise
 * exponential backoff (300 ms, 600 ms, 1.2 s, … capped at 8 s) with full jitter in its upper half,
 * so a fleet of agents does not retry in lockstep.
 */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  const backoff = Math.min(BASE_DELAY_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS);
  return Math.round(backoff / 2 + random() * (backoff / 2));
}

/** setTimeout as a promise that an AbortSignal can cut short (rejecting with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
