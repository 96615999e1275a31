import { EventEmitter } from 'node:events';
import type { ApprovalRow } from './store/types.js';

export type HubEvent = { type: 'created' | 'decided'; approval: ApprovalRow };

/** In-process fan-out of approval changes to SSE subscribers, per tenant. */
export class EventHub {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  publish(event: HubEvent): void {
    this.#emitter.emit(event.approval.tenantId, event);
  }

  /** Subscribes to one tenant's events; returns the unsubscribe function. */
  subscribe(tenantId: string, listener: (event: HubEvent) => void): () => void {
    this.#emitter.on(tenantId, listener);
    return () => this.#emitter.off(tenantId, listener);
  }
}
