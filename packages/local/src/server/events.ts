import type { ApprovalRow } from './store/types.js';

export type HubEvent = { type: 'created' | 'decided'; approval: ApprovalRow };

type Listener = (event: HubEvent) => void;

// The hub of each fastify server (keyed by its node http.Server, which every plugin context
// shares), so openEventStream finds it from the request alone.
const hubOfServer = new WeakMap<object, EventHub>();

/**
 * In-process fan-out of approval changes to SSE subscribers, per tenant. A map of listener sets,
 * not an EventEmitter keyed by tenant id: a tenant named `error` (or `newListener`) would have
 * meant EventEmitter's special events, and an `error` emit with no listener throws — inside a
 * guard call (a 500) or the expiry sweep (a crash). A subscriber that throws is skipped, for
 * the same reason: publishing runs inside the store's callers.
 */
export class EventHub {
  readonly #listeners = new Map<string, Set<Listener>>();
  /** How to end each open event stream of the server. */
  readonly #streams = new Set<() => void>();

  /**
   * The hub a server's event streams register with (see {@link EventHub.bind}), if any.
   *
   * @example
   * EventHub.of(request.server.server)?.addStream(() => reply.raw.end());
   */
  static of(server: object): EventHub | undefined {
    return hubOfServer.get(server);
  }

  /**
   * Makes this the hub of `server` (a fastify app's node http.Server): its event streams register
   * their end with it, so {@link endAll} reaches them.
   *
   * @example
   * hub.bind(app.server);
   */
  bind(server: object): void {
    hubOfServer.set(server, this);
  }

  /**
   * Registers an open event stream's `end`; returns the function that unregisters it (call it when
   * the stream closes).
   *
   * @example
   * const unregister = hub.addStream(() => reply.raw.end());
   */
  addStream(end: () => void): () => void {
    this.#streams.add(end);
    return () => this.#streams.delete(end);
  }

  /**
   * Ends every open event stream (returns how many): the store may have missed changes (its
   * LISTEN connection was lost), so each client reconnects and replays from its last cursor,
   * the existing replay path, instead of waiting for an event that will never come.
   *
   * @example
   * createStore({ db, onGap: () => hub.endAll() });
   */
  endAll(): number {
    const ends = [...this.#streams];
    this.#streams.clear();
    for (const end of ends) {
      try {
        end();
      } catch {
        // a stream that cannot be ended cleanly is closing anyway
      }
    }
    return ends.length;
  }

  publish(event: HubEvent): void {
    for (const listener of [...(this.#listeners.get(event.approval.tenantId) ?? [])]) {
      try {
        listener(event);
      } catch {
        // one broken stream must not break the call that changed the approval
      }
    }
  }

  /** Subscribes to one tenant's events; returns the unsubscribe function. */
  subscribe(tenantId: string, listener: Listener): () => void {
    const set = this.#listeners.get(tenantId) ?? new Set<Listener>();
    this.#listeners.set(tenantId, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(tenantId) === set) this.#listeners.delete(tenantId);
    };
  }
}
