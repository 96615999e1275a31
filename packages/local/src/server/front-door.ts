import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HEADERS } from '@haltstate/core';
import { APPROVER_KEY_HEADER } from './approvers.js';
import type { ServerContext } from './context.js';
import { bearer, fail, header } from './http.js';
import { jsonDepth } from './json-depth.js';
import { RateLimiter } from './rate-limit.js';
import { PROBE_PATHS } from './routes/health.js';
import { secretDigest } from './secret-compare.js';

/** The key a request presents, if exactly one (auth.ts refuses the rest). */
function presentedKey(request: FastifyRequest): string | undefined {
  const keys = new Set([header(request, HEADERS.apiKey), bearer(request), header(request, HEADERS.adminToken), header(request, APPROVER_KEY_HEADER)].filter((key): key is string => key !== undefined && key !== ''));
  return keys.size === 1 ? [...keys][0] : undefined;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * The server's bounds that come before any route: the connection cap, rate limits per key (and
 * per IP for requests without a valid key), the cap on open event streams per key, and the JSON
 * depth limit. The header, request and idle timeouts are the HTTP server's own settings
 * (buildServer passes them to fastify). The probe routes (`/healthz`, `/readyz`) skip the rate
 * limits. Each refusal names the limit that refused it, which is
 * also the setting (`buildServer({ limits })`, `haltstate dev --limit name=value`) that changes it.
 *
 * @example
 * guardFrontDoor(app, context); // before the routes are registered
 */
export function guardFrontDoor(app: FastifyInstance, context: ServerContext): void {
  const { limits } = context;
  const perKey = new RateLimiter(limits.requestsPerKey, limits.rateWindowMs);
  const perIp = new RateLimiter(limits.requestsPerIp, limits.rateWindowMs);
  const streams = new Map<string, number>();
  const now = context.clock ?? Date.now;

  // At the cap, a new connection pushes out the oldest one that never sent a valid key (a slow or
  // idle stranger); when every open connection is an authenticated caller's, the oldest one of the
  // key that holds the most goes, so one key (even a valid one) cannot hold every slot and lock
  // other tenants out. connectionsPerKey bounds a key below the cap before it comes to that.
  const sockets = new Set<Socket>();
  // Sockets whose last request carried a valid key, with that key's bucket, and the other way round.
  // Per app: one process may run several servers.
  const trusted = new WeakMap<Socket, string>();
  const byKey = new Map<string, Set<Socket>>();
  const release = (socket: Socket) => {
    const bucket = trusted.get(socket);
    if (bucket === undefined) return;
    trusted.delete(socket);
    const owned = byKey.get(bucket);
    owned?.delete(socket);
    if (owned?.size === 0) byKey.delete(bucket);
  };
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      release(socket);
    });
    if (sockets.size <= limits.maxConnections) return;
    let victim: Socket | undefined;
    for (const open of sockets) {
      if (open !== socket && !trusted.has(open)) {
        victim = open;
        break;
      }
    }
    if (victim === undefined) {
      let largest: Set<Socket> | undefined;
      for (const owned of byKey.values()) if (largest === undefined || owned.size > largest.size) largest = owned;
      victim = largest?.values().next().value ?? socket;
    }
    sockets.delete(victim);
    release(victim);
    victim.destroy();
  });
  const trust = (socket: Socket, bucket: string): boolean => {
    if (trusted.get(socket) === bucket) return true;
    release(socket);
    // Only connections the server accepted are counted (app.inject's stand-in sockets never close).
    if (!sockets.has(socket)) return true;
    const owned = byKey.get(bucket) ?? new Set<Socket>();
    if (owned.size >= limits.connectionsPerKey) return false;
    owned.add(socket);
    byKey.set(bucket, owned);
    trusted.set(socket, bucket);
    return true;
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // Probes carry no key and come often from one address (a balancer); they are cheap, and
    // /readyz shares one store ping among concurrent probes.
    if (PROBE_PATHS.includes(request.routeOptions.url ?? '')) return undefined;
    const presented = presentedKey(request);
    // A person a trusted proxy names is counted as their own key (every person behind the proxy shares its address).
    const proxied = presented === undefined ? context.approvers.proxied(request) : undefined;
    const key = proxied ? `proxied:${proxied.tenant.id}/${proxied.approver.id}` : presented;
    const valid = proxied !== undefined || (key !== undefined && (context.tenants.byApiKey(key) ?? context.tenants.byAdminKey(key) ?? context.sessions.tenantOf(key) ?? context.approvers.byKey(key)) !== undefined);
    const bucket = valid && key !== undefined ? `key:${secretDigest(key)}` : `ip:${request.ip}`;
    const verdict = (valid ? perKey : perIp).take(bucket, now());
    if (!verdict.ok) {
      const [name, count] = valid ? ['requestsPerKey', limits.requestsPerKey] : ['requestsPerIp', limits.requestsPerIp];
      void reply.header('retry-after', String(verdict.retryAfterSeconds));
      return fail(reply, 429, `Rate limited: more than ${count} requests per ${seconds(limits.rateWindowMs)} ${valid ? 'with this key' : 'from this address without a valid key'} (server limit ${name}); retry after ${verdict.retryAfterSeconds} s`);
    }
    if (!valid) release(request.raw.socket);
    else if (!trust(request.raw.socket, bucket)) {
      void reply.header('connection', 'close');
      return fail(reply, 429, `Too many connections: this key already holds ${limits.connectionsPerKey} (server limit connectionsPerKey); reuse a kept-alive connection`);
    }
    if (valid && request.method === 'GET' && request.routeOptions.url?.endsWith('/stream')) {
      const open = streams.get(bucket) ?? 0;
      if (open >= limits.streamsPerKey) {
        void reply.header('retry-after', '5');
        return fail(reply, 429, `Too many event streams: this key already has ${open} open (server limit streamsPerKey); close one first`);
      }
      streams.set(bucket, open + 1);
      reply.raw.once('close', () => {
        const left = (streams.get(bucket) ?? 1) - 1;
        if (left > 0) streams.set(bucket, left);
        else streams.delete(bucket);
      });
    }
    return undefined;
  });

  // Fastify's JSON parser, behind a depth check: a body nested past maxJsonDepth is a 422 that
  // says so, never a stack overflow (a 500) in a parser, zod or a handler.
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDepth(text, limits.maxJsonDepth) > limits.maxJsonDepth) {
      done(Object.assign(new Error(`Request body nests deeper than ${limits.maxJsonDepth} levels (server limit maxJsonDepth)`), { statusCode: 422 }), undefined);
      return;
    }
    parse(request, text, done);
  });
}
