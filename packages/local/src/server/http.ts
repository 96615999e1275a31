import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { formatPath } from './policy/load.js';

/** FastAPI-style error, as the public API sends them. */
export function fail(reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.code(status).type('application/json').send({ detail });
}

/**
 * Fastify's validator for the routes' zod schemas (`schema: { body, querystring }`): the parsed
 * value replaces the raw one, and a failure is a 422 naming the fields, as the public API sends
 * them. Fastify passes a missing body as null; it is parsed as the missing body it is.
 *
 * @example
 * app.setValidatorCompiler(zodValidator);
 * app.post(ROUTES.report, { schema: { body: schemas.reportRequest } }, handler);
 */
export const zodValidator: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => (value) => {
  const parsed = schema.safeParse(httpPart === 'body' && value === null ? undefined : value);
  if (parsed.success) return { value: parsed.data };
  const detail = parsed.error.issues.map((issue) => `${formatPath(issue.path) || 'body'}: ${issue.message}`).join('; ');
  return { error: Object.assign(new Error(detail), { statusCode: 422 }) };
};

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
