import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { formatPath } from './policy/load.js';

/** FastAPI-style error, as the public API sends them. */
export function fail(reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.code(status).type('application/json').send({ detail });
}

/** Parses a body (or query) with a core schema; on failure answers 422 naming the fields. */
export function parseOr422<T>(reply: FastifyReply, schema: z.ZodType<T>, value: unknown): T | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((issue) => `${formatPath(issue.path) || 'body'}: ${issue.message}`).join('; ');
  fail(reply, 422, detail);
  return undefined;
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

/** Starts an SSE response on a hijacked reply: headers, a keep-alive comment timer, cleanup. */
export function openEventStream(request: FastifyRequest, reply: FastifyReply, keepAliveMs: number, onClose: () => void): (event: object) => void {
  reply.hijack();
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
