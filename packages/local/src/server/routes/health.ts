import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';

/**
 * The probe routes' paths. The front door exempts them from the per-IP rate limit (a load
 * balancer probes often, from one address, with no key) and the request log writes them at
 * debug level while they answer 200.
 *
 * @example
 * if (PROBE_PATHS.includes(request.routeOptions.url ?? '')) return undefined;
 */
export const PROBE_PATHS: readonly string[] = ['/healthz', '/readyz'];

/** What the probes look at. */
export interface HealthOptions {
  store: Store;
  /** True once the server has begun its graceful stop. */
  draining: () => boolean;
}

/**
 * Liveness and readiness, without auth and without anything about tenants or the database:
 * `GET /healthz` answers 200 `{ "status": "ok" }` while the process serves; `GET /readyz`
 * answers 200 `{ "status": "ready" }` when the store answers its ping and the server is not
 * draining, else 503 with a short reason (`draining`, `store unavailable`). The reason never
 * carries the database URL or the driver's error; that goes to the server's log. Probes that
 * arrive while a ping is under way share it, so a flood of probes is one query at a time.
 *
 * @example
 * void app.register(healthRoutes({ store, draining: () => drain.draining }));
 */
export function healthRoutes(options: HealthOptions) {
  let pinging: Promise<void> | null = null;
  const ping = () =>
    (pinging ??= options.store.ping().finally(() => {
      pinging = null;
    }));
  return async function register(app: FastifyInstance): Promise<void> {
    app.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('cache-control', 'no-store');
      return payload;
    });
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (request, reply) => {
      if (options.draining()) return reply.code(503).send({ status: 'unavailable', reason: 'draining' });
      try {
        await ping();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: the store did not answer its ping');
        return reply.code(503).send({ status: 'unavailable', reason: 'store unavailable' });
      }
      // A drain that began during the ping wins: the balancer should stop sending at once.
      if (options.draining()) return reply.code(503).send({ status: 'unavailable', reason: 'draining' });
      return { status: 'ready' };
    });
  };
}
