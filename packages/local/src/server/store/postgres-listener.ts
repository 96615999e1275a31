import pg from 'pg';

/** The NOTIFY channel every instance on one database shares. */
export const EVENTS_CHANNEL = 'haltstate_events';

/** What one instance tells the others: who (instance id), what happened, to which approval. */
export interface StoreNotice {
  instance: string;
  type: 'created' | 'decided';
  approvalId: string;
}

/** Options of {@link PostgresListener}. */
export interface ListenerOptions {
  /** Called for every well-formed notice on the channel (the listener does not filter). */
  onNotice: (notice: StoreNotice) => void;
  /** Called when the connection is back after it was lost (or after a first connect that failed): notices may have been missed. */
  onGap: () => void;
  /** First reconnect delay, doubled up to `maxRetryMs`. @unit milliseconds @default 50 */
  retryMs?: number;
  /** @unit milliseconds @default 2000 */
  maxRetryMs?: number;
}

/** Parses a notification payload; anything else on the channel is ignored. */
export function parseNotice(payload: string | undefined): StoreNotice | undefined {
  try {
    const value = JSON.parse(payload ?? '') as Partial<StoreNotice>;
    if (typeof value.instance === 'string' && (value.type === 'created' || value.type === 'decided') && typeof value.approvalId === 'string') return value as StoreNotice;
  } catch {
    // not ours
  }
  return undefined;
}

/**
 * One dedicated connection (not from the pool: a pooled client goes back and is reused) that
 * LISTENs on {@link EVENTS_CHANNEL}. It reconnects by itself with backoff whenever it is lost,
 * and says so with `onGap` once it listens again, so the server can make its streams replay
 * from their cursors. Driver errors never escape (an unhandled `error` event would crash).
 *
 * @example
 * const listener = new PostgresListener(url, { onNotice: (notice) => …, onGap: () => hub.endAll() });
 * await listener.close();
 */
export class PostgresListener {
  readonly #url: string;
  readonly #options: Required<ListenerOptions>;
  #client: pg.Client | undefined;
  #closed = false;
  /** True after a loss (or a first connect that failed) until the connection listens again. */
  #missed = false;
  #delay: number;
  #timer: NodeJS.Timeout | undefined;
  #listening: Promise<void>;
  #resolveListening!: () => void;

  constructor(url: string, options: ListenerOptions) {
    this.#url = url;
    this.#options = { retryMs: 50, maxRetryMs: 2000, ...options };
    this.#delay = this.#options.retryMs;
    this.#listening = new Promise((resolve) => (this.#resolveListening = resolve));
    void this.#connect();
  }

  /** Resolves once the connection listens (the first time); for tests and readiness. */
  listening(): Promise<void> {
    return this.#listening;
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: 5000, keepAlive: true });
    this.#client = client;
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.#client === client) this.#client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.#closed) return;
      this.#missed = true;
      this.#timer = setTimeout(() => void this.#connect(), this.#delay);
      this.#timer.unref();
      this.#delay = Math.min(this.#delay * 2, this.#options.maxRetryMs);
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL) return;
      const notice = parseNotice(message.payload);
      if (notice) this.#options.onNotice(notice);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch {
      onLost();
      return;
    }
    if (lost || this.#closed) {
      if (this.#closed) await client.end().catch(() => undefined);
      return;
    }
    this.#delay = this.#options.retryMs;
    this.#resolveListening();
    if (this.#missed) {
      this.#missed = false;
      this.#options.onGap();
    }
  }

  /** Stops listening and reconnecting; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.end().catch(() => undefined);
  }
}
