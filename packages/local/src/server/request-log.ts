import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { HEADERS } from '@haltstate/core';
import { header } from './http.js';
import { tenantOf } from './routes/auth.js';
import { PROBE_PATHS } from './routes/health.js';

/** Pino's levels, and `silent`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The server's structured log: JSON lines (pino, fastify's logger). */
export interface ServerLogOptions {
  /** @default 'info' */
  level?: LogLevel;
  /** Where the lines go; each write is one JSON line ending in a newline. @default process.stdout */
  stream?: { write(line: string): void };
}

/**
 * Request headers that carry a credential or an identity. The log never writes request headers
 * (the serializers below leave them out); these are redacted as well, should a line ever carry
 * them (an error object with its request, a plugin's own line).
 */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'x-admin-token', 'x-approver-key', 'cookie', 'set-cookie', 'x-forwarded-user', 'x-forwarded-email', 'x-forwarded-preferred-username', 'x-auth-request-user', 'x-auth-request-email', 'x-remote-user', 'remote-user'];

const pathOf = (url: string | undefined) => url?.split('?')[0];

/**
 * Fastify's logger options for the server: the level, the stream, serializers that keep a
 * request to its method and path (no headers, no query string: a stream's query names a tenant
 * and a cursor, and a careless client may put a key there) and redaction of every credential
 * header. Request logging is the server's own ({@link useRequestLog}): one line per request.
 *
 * @example
 * const app = Fastify({ logger: loggerOptions({ level: 'info' }), logController: new LogController({ disableRequestLogging: true }) });
 */
export function loggerOptions(options: ServerLogOptions): FastifyServerOptions['logger'] {
  return {
    level: options.level ?? 'info',
    ...(options.stream ? { stream: options.stream } : {}),
    redact: { paths: CREDENTIAL_HEADERS.flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]), censor: '[redacted]' },
    serializers: {
      req: (request: { method?: string; url?: string }) => ({ method: request.method, url: pathOf(request.url) }),
      res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
    },
  };
}

/** The tenant the request authenticated as, if it did. */
function knownTenant(request: FastifyRequest): string | undefined {
  try {
    return tenantOf(request).id;
  } catch {
    return undefined; // no key, a refused key, or a route without auth
  }
}

/**
 * One log line per answered request: method, path (no query string), route, status, response
 * time, the authenticated tenant, the caller's `X-Request-Id` and address. Probes answered 200
 * are written at debug level (a balancer probes every few seconds). An event stream's line comes
 * when the stream ends.
 *
 * @example
 * useRequestLog(app); // with fastify's own request logging off
 */
export function useRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    const requestId = header(request, HEADERS.requestId);
    const tenantId = knownTenant(request);
    const line = {
      event: 'request',
      method: request.method,
      url: pathOf(request.url),
      ...(route === undefined ? {} : { route }),
      status: reply.statusCode,
      response_time_ms: Math.round(reply.elapsedTime * 100) / 100,
      ...(tenantId === undefined ? {} : { tenant_id: tenantId }),
      ...(requestId === undefined ? {} : { request_id: requestId.slice(0, 200) }),
      ip: request.ip,
    };
    if (route !== undefined && PROBE_PATHS.includes(route) && reply.statusCode === 200) request.log.debug(line, 'request');
    else request.log.info(line, 'request');
  });
}
