import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { formatPath } from './policy/load.js';

/** FastAPI-style error, as the public API sends them. */
export function fail(reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.code(status).type('application/json').send({ detail });
}

// Fastify hands a validator null for a request without a body; this marks the missing body
// first, so the 422 says "received undefined" for it and "received null" for a JSON `null`.
const NO_BODY = Symbol('no body');

/**
 * Validates a plugin's routes with the zod schemas they declare (`schema: { body, querystring }`):
 * the parsed value replaces the raw one, and a failure is a 422 naming the fields, as the public
 * API sends them. Validation runs after the preValidation hooks (auth), so a caller without a
 * key never learns about the schemas.
 *
 * @example
 * useZodSchemas(app);
 * app.post(ROUTES.report, { schema: { body: schemas.reportRequest } }, handler);
 */
export function useZodSchemas(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined) request.body = NO_BODY;
  });
  app.setValidatorCompiler<z.ZodType>(({ schema }) => (value) => {
    const parsed = schema.safeParse(value === NO_BODY ? undefined : value);
    if (parsed.success) return { value: parsed.data };
    const detail = parsed.error.issues.map((issue) => `${formatPath(issue.path) || 'body'}: ${issue.message}`).join('; ');
    return { error: Object.assign(new Error(detail), { statusCode: 422 }) };
  });
}

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function bearer(request: FastifyRequest): string | undefined {
  const value = header(request, 'authorization');
  const match = value?.match(/^Bearer\s+(.+)$/i);
  return match?.[1]?.trim();
}

// The responses that are open event streams: a draining server ends them (drain.ts), so their
// clients reconnect to another instance and replay from their last_seen.
const EVENT_STREAMS = new WeakSet<ServerResponse>();

/**
 * Whether a response is an open event stream (started by {@link openEventStream}).
 *
 * @example
 * for (const response of open) if (isEventStream(response)) response.end();
 */
export function isEventStream(response: ServerResponse): boolean {
  return EVENT_STREAMS.has(response);
}

/** Starts an SSE response on a hijacked reply: headers, a keep-alive comment timer, cleanup. */
export function openEventStream(request: FastifyRequest, reply: FastifyReply, keepAliveMs: number, onClose: () => void): (event: object) => void {
  reply.hijack();
  EVENT_STREAMS.add(reply.raw);
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  reply.raw.flushHeaders();
  const keepAlive = setInterval(() => reply.raw.write(': keep-alive\n\n'), keepAliveMs);
  keepAlive.unref();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    onClose();
  };
  request.raw.on('close', close);
  reply.raw.on('close', close);
  return (event) => {
    if (!closed) reply.raw.write(`data: ${JSON.stringify(event)}\n\n`);
  };
}
