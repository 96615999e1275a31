import type { ApprovalRow } from './store/types.js';

export type HubEvent = { type: 'created' | 'decided'; approval: ApprovalRow };

type Listener = (event: HubEvent) => void;

/**
 * In-process fan-out of approval changes to SSE subscribers, per tenant. A map of listener sets,
 * not an EventEmitter keyed by tenant id: a tenant named `error` (or `newListener`) would have
 * meant EventEmitter's special events, and an `error` emit with no listener throws — inside a
 * guard call (a 500) or the expiry sweep (a crash). A subscriber that throws is skipped, for
 * the same reason: publishing runs inside the store's callers.
 */
export class EventHub {
  readonly #listeners = new Map<string, Set<Listener>>();

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
