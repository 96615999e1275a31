// The W3C trace id of the request being handled, so every audit line written while handling it
// names the caller's trace (the client sends `traceparent` when the app uses OpenTelemetry).
// AsyncLocalStorage, not a parameter: audit lines are written deep in the store, from many
// routes, and the trace is a property of the request, not of any one store call.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import { header } from './http.js';

const current = new AsyncLocalStorage<string | null>();

// version-traceid-parentid-flags; version ff, an all-zero trace id or parent id are invalid.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(?:-.*)?$/;

/** The trace id of a `traceparent` header, or null when it is absent or not valid W3C. */
export function traceIdOf(traceparent: string | undefined): string | null {
  const match = TRACEPARENT.exec(traceparent?.trim() ?? '');
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2]!) || /^0+$/.test(match[3]!)) return null;
  // Version 00 has exactly four fields; later versions may append more.
  if (match[1] === '00' && traceparent!.trim().length !== 55) return null;
  return match[2]!;
}

/** The trace id of the request being handled, or null (none sent, or outside a request). */
export const currentTraceId = (): string | null => current.getStore() ?? null;

/** Makes each request's trace id current for its hooks and handler. */
export function useTraceContext(app: FastifyInstance): void {
  // A callback hook: `done` runs the rest of the request inside the storage's context.
  app.addHook('onRequest', (request, _reply, done) => current.run(traceIdOf(header(request, 'traceparent')), done));
}
