import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { EventHub } from './events.js';

/**
 * A graceful stop for one HTTP server: {@link Drain.drain} marks the server as draining (the
 * readiness route answers 503 from then on, so a load balancer stops sending to it), stops
 * accepting connections, ends the open event streams (their clients reconnect to another
 * instance and replay from their last_seen), and waits for the requests under way to finish, up
 * to a deadline. Requests that still arrive on kept-alive connections are served, with
 * `Connection: close`, so every connection ends after its last answer.
 *
 * @example
 * const drain = new Drain(app.server, hub);
 * await drain.drain(10_000, app.log); // then app.close()
 */
export class Drain {
  readonly #server: Server;
  readonly #hub: EventHub;
  readonly #open = new Set<ServerResponse>();
  #draining = false;
  #idle: (() => void) | undefined;

  /** `hub` is the server's event hub: its `endAll()` ends the open event streams. */
  constructor(server: Server, hub: EventHub) {
    this.#server = server;
    this.#hub = hub;
    // Before fastify's own listener, so a response is counted before anything can end it.
    server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
      if (this.#draining) response.setHeader('connection', 'close');
      this.#open.add(response);
      response.once('close', () => {
        this.#open.delete(response);
        if (this.#open.size === 0) this.#idle?.();
      });
    });
  }

  /** Whether {@link drain} has begun (the readiness route asks). */
  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Starts draining; resolves once no request is open, or after `timeoutMs`, with how many
   * event streams it ended and how many requests were still open at the deadline (the caller
   * then closes the server, which cuts them).
   *
   * @example
   * const { unfinished } = await drain.drain(10_000, app.log);
   */
  async drain(timeoutMs: number, log: FastifyBaseLogger): Promise<{ streams: number; unfinished: number }> {
    this.#draining = true;
    // Stops accepting connections and closes the idle kept-alive ones; open requests go on.
    if (this.#server.listening) this.#server.close();
    const streams = this.#hub.endAll();
    for (const response of this.#open) if (!response.headersSent) response.setHeader('connection', 'close');
    log.info({ event: 'draining', in_flight: this.#open.size - streams, streams_ended: streams, drain_ms: timeoutMs }, 'draining');
    if (this.#open.size > 0) {
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, timeoutMs);
        this.#idle = () => {
          clearTimeout(deadline);
          resolve();
        };
      });
    }
    const unfinished = this.#open.size;
    if (unfinished > 0) log.warn({ event: 'drain_timeout', unfinished }, `drain: ${unfinished} request(s) still open after ${timeoutMs} ms are cut`);
    return { streams, unfinished };
  }
}
