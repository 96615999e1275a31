import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { HEADERS, PREFIXES } from '@haltstate/core';
import { ApproverDirectory, type ApproverOptions } from './approvers.js';
import type { ServerContext } from './context.js';
import { Drain } from './drain.js';
import { EventHub } from './events.js';
import { guardFrontDoor } from './front-door.js';
import { resolveLimits, type ServerLimits } from './limits.js';
import { PolicyFileError, resolvePolicy } from './policy/load.js';
import type { Policy, PolicyInput, Tenant } from './policy/schema.js';
import { loggerOptions, useRequestLog, type ServerLogOptions } from './request-log.js';
import { adminRoutes } from './routes/admin.js';
import { healthRoutes } from './routes/health.js';
import { pageRoutes } from './routes/page.js';
import { sentinelRoutes } from './routes/sentinel.js';
import { signInRoutes } from './routes/sign-in.js';
import { sessionsFor } from './signed-sessions.js';
import { createStore } from './store/create-store.js';
import type { Store } from './store/store.js';
import { StoreUnavailableError } from './store/store-unavailable.js';
import { devTenant, TenantDirectory } from './tenants.js';
import { useTraceContext } from './trace-context.js';

/** Options of {@link buildServer} and {@link createLocalServer}. */
export interface LocalServerOptions {
  /** A policy file (YAML or JSON), a policy object (validated here), or nothing (deny everything). */
  policy?: string | PolicyInput | Policy;
  /** SQLite file, or `:memory:`. @default ':memory:' */
  db?: string;
  /** Tenants in addition to the policy file's; with none at all, a dev tenant `local` is made. */
  tenants?: Tenant[];
  /** Interval of SSE keep-alive comments. @unit milliseconds @default 15000 */
  keepAliveMs?: number;
  /** How often pending approvals past their ttl are expired (and streamed), and old request ids forgotten. @unit milliseconds @default 1000 */
  expirySweepMs?: number;
  /** How long a check's `X-Request-Id` is remembered, so a retry gets the first answer. @unit milliseconds @default 86400000 (24 h) */
  requestIdWindowMs?: number;
  /** Largest accepted request body. @unit bytes @default 262144 */
  bodyLimit?: number;
  /** Bounds against a hostile or broken agent (rate limits, caps, timeouts); see `ServerLimits`. */
  limits?: Partial<ServerLimits>;
  /**
   * The structured log (JSON lines: one per request, with no credential in any of them);
   * `true` is level info on stdout. @default false
   */
  logger?: boolean | ServerLogOptions;
  /**
   * Whether each tenant gets a sign-in token for this run (an admin credential the server makes
   * up, see {@link BuiltServer.signInToken}). `haltstate serve` passes false: a production server
   * accepts only the credentials it was given. @default true
   */
  signInTokens?: boolean;
  /** Clock, for tests. */
  now?: () => Date;
  /** Approvers as people: their own keys, a trusted proxy, signed sessions, and whether deciding needs one; see `ApproverOptions`. */
  approvers?: ApproverOptions;
}

/** A built server (not listening): the fastify app and what it runs on. */
export interface BuiltServer {
  app: FastifyInstance;
  store: Store;
  tenants: readonly Tenant[];
  policy: Policy;
  /**
   * The tenant's sign-in token for this run: it works like the tenant's admin key on the admin
   * routes (the CLI takes it), and dies with the server. Throws for an unknown tenant, and on a
   * server built with `signInTokens: false`.
   */
  signInToken(tenantId: string): string;
  /**
   * A new one-time sign-in code for the tenant: the approvals page exchanges it (once) for a
   * session, so the link that carries it is dead by the time it is in the browser's history.
   * Throws for an unknown tenant.
   */
  signInCode(tenantId: string): string;
  /** True once {@link BuiltServer.drain} has begun: `/readyz` answers 503. */
  readonly draining: boolean;
  /**
   * Stops gracefully: `/readyz` answers 503 at once, no new connection is accepted, open event
   * streams are ended (clients reconnect elsewhere and replay), requests under way may finish
   * for up to `timeoutMs`; then the server closes (cutting what is left) and the store with it.
   */
  drain(timeoutMs?: number): Promise<void>;
}

/**
 * Builds the local HaltState server without listening: every public route under both prefixes,
 * the admin routes under /local/, and the approvals page at /.
 *
 * @example
 * const { app } = buildServer({ policy: 'policy.yaml' });
 * const response = await app.inject({ method: 'GET', url: '/api/sentinel/heartbeat?agent_id=a' });
 */
export function buildServer(options: LocalServerOptions = {}): BuiltServer {
  const policy = resolvePolicy(options.policy);
  const tenantList = [...(policy.tenants ?? []), ...(options.tenants ?? [])];
  const ids = tenantList.map((tenant) => tenant.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) throw new PolicyFileError('tenants', [`tenant "${duplicate}" is defined twice (policy file and options/flags)`]);
  if (tenantList.length === 0) tenantList.push(devTenant());
  // Before the store opens: a bad approvers option must not leave a database open.
  const approvers = new ApproverDirectory(tenantList, options.approvers);
  const sessions = sessionsFor(options.approvers, options.now);
  const hub = new EventHub();
  const store = createStore({
    db: options.db ?? ':memory:',
    ...(options.now ? { now: options.now } : {}),
    ...(options.requestIdWindowMs !== undefined ? { requestIdWindowMs: options.requestIdWindowMs } : {}),
    onCreated: (approval) => hub.publish({ type: 'created', approval }),
    onDecision: (approval) => hub.publish({ type: 'decided', approval }),
    // Changes made elsewhere may have been missed: streams end, clients replay from their cursor.
    onGap: () => hub.endAll(),
  });
  const directory = new TenantDirectory(tenantList, { signInTokens: options.signInTokens !== false });
  const limits = resolveLimits(options.limits);
  const context: ServerContext = { store, tenants: directory, hub, policy: () => policy, keepAliveMs: options.keepAliveMs ?? 15_000, limits, sessions, approvers, ...(options.now ? { clock: () => options.now!().getTime() } : {}) };

  const app = Fastify({
    logger: options.logger ? loggerOptions(options.logger === true ? {} : options.logger) : false,
    // One line per request instead of fastify's two (useRequestLog below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    return503OnClosing: true,
    forceCloseConnections: true,
    // A client that trickles its headers or body, or idles on a kept-alive connection, is cut.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    // Node checks the two timeouts above on this interval (30 s by default, longer than them).
    // requestTimeout is given here too: Node checks headersTimeout against it when the server is
    // made, before fastify sets it, and would compare with its own default (300 s) instead.
    http: { requestTimeout: limits.requestTimeoutMs, headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs), connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) },
  });
  hub.bind(app.server);
  const drain = new Drain(app.server, hub);
  if (options.logger) useRequestLog(app);
  guardFrontDoor(app, context);
  app.setErrorHandler((error: { statusCode?: unknown; message?: unknown }, request, reply) => {
    if (error instanceof StoreUnavailableError) {
      // Not a 500: the request did nothing (its transaction never committed) and a retry can work.
      request.log.error(error);
      void reply.code(503).header('retry-after', '1').type('application/json').send({ detail: 'The approval store is unreachable or busy, so this request may not have been recorded. Retry shortly: a retry with the same request id or guard key is answered once.' });
      return;
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error(error);
    // Client errors keep fastify's explanation (bad JSON, body too large, unsupported type).
    void reply.code(status).type('application/json').send({ detail: status === 500 ? 'Internal server error' : String(error.message) });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).type('application/json').send({ detail: `No route ${request.method} ${request.url.split('?')[0]}` });
  });
  // Echoes the caller's request id, so an error it logs names the call the server saw.
  app.addHook('onSend', async (request, reply, payload) => {
    const requestId = request.headers[HEADERS.requestId];
    if (typeof requestId === 'string' && requestId.length > 0 && requestId.length <= 200) void reply.header(HEADERS.requestId, requestId);
    return payload;
  });
  useTraceContext(app);
  for (const prefix of Object.values(PREFIXES)) void app.register(sentinelRoutes(context), { prefix });
  void app.register(adminRoutes(context), { prefix: '/local' });
  void app.register(signInRoutes(context), { prefix: '/local' });
  void app.register(pageRoutes());
  void app.register(healthRoutes({ store, draining: () => drain.draining }));

  // One sweep at a time: a tick that finds the last one still running skips. A failing sweep is
  // logged, never an unhandled rejection (the next tick tries again).
  let sweeping: Promise<void> | null = null;
  const sweep = setInterval(() => {
    if (sweeping) return;
    sweeping = (async () => {
      await store.expireDue();
      await store.forgetRequestIds();
    })()
      .catch((error: unknown) => app.log.error({ err: error }, 'expiry sweep failed'))
      .finally(() => {
        sweeping = null;
      });
  }, options.expirySweepMs ?? 1000);
  sweep.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    // A sweep under way finishes before the store closes under it.
    await sweeping;
    await store.close();
  });
  const signInToken = (tenantId: string) => {
    knownTenant(tenantId);
    const token = directory.signInToken(tenantId);
    if (token === undefined) throw new Error('This server makes no sign-in tokens (signInTokens: false)');
    return token;
  };
  const knownTenant = (tenantId: string) => {
    if (!tenantList.some((tenant) => tenant.id === tenantId)) throw new Error(`No tenant "${tenantId}" on this server (tenants: ${ids.join(', ') || tenantList[0]!.id})`);
  };
  const signInCode = (tenantId: string) => {
    knownTenant(tenantId);
    return context.sessions.issueCode(tenantId);
  };
  return {
    app,
    store,
    tenants: tenantList,
    policy,
    signInToken,
    signInCode,
    get draining() {
      return drain.draining;
    },
    drain: async (timeoutMs = 10_000) => {
      if (!drain.draining) await drain.drain(timeoutMs, app.log);
      await app.close();
    },
  };
}

/** A running local server. */
export interface LocalServer extends BuiltServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /**
   * A new sign-in link to the approvals page for a tenant (the first one by default): it carries
   * a one-time code in the URL fragment, which the page removes from the address bar and
   * exchanges for a session; the link works once.
   */
  signInUrl(tenantId?: string): string;
  close(): Promise<void>;
}

/**
 * Starts the local server in-process (for tests, demos, examples).
 *
 * @example
 * const server = await createLocalServer({ policy: 'policy.yaml' });
 * const client = new HaltStateClient({ baseUrl: server.url, tenantId: server.tenants[0].id, apiKey: server.tenants[0].apiKey });
 * await server.close();
 */
export async function createLocalServer(options: LocalServerOptions & { port?: number; host?: string } = {}): Promise<LocalServer> {
  const built = buildServer(options);
  const host = options.host ?? '127.0.0.1';
  // Ready before it takes requests (migrations ran, the database answers: PostgreSQL); a port in
  // use or a database that is not there closes what was opened (a pool), so the process can exit.
  try {
    await built.store.ping();
    await built.app.listen({ port: options.port ?? 0, host });
  } catch (error) {
    await built.app.close().catch(() => undefined);
    throw error;
  }
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  const signInUrl = (tenantId = built.tenants[0]!.id) => `${url}/#code=${encodeURIComponent(built.signInCode(tenantId))}`;
  // `draining` is a getter: spread, it would be copied once, as false.
  return {
    ...built,
    get draining() {
      return built.draining;
    },
    url,
    signInUrl,
    close: () => built.app.close(),
  };
}
