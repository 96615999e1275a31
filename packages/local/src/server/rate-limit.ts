/**
 * Token buckets, one per caller: each holds up to `capacity` requests and refills at `capacity`
 * per `windowMs`, so a caller may burst up to the limit and then runs at its average rate. The
 * map never grows without bound: a full bucket says nothing a new one would not, so buckets are
 * dropped once full, and at `maxBuckets` the fullest are dropped first.
 *
 * @example
 * const limiter = new RateLimiter(1200, 60_000);
 * const verdict = limiter.take('key:acme', Date.now());
 * if (!verdict.ok) reply.header('retry-after', String(verdict.retryAfterSeconds));
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #maxBuckets: number;

  constructor(capacity: number, windowMs: number, maxBuckets = 10_000) {
    this.#capacity = capacity;
    this.#perMs = capacity / windowMs;
    this.#maxBuckets = maxBuckets;
  }

  /** Takes one request from `id`'s bucket; when empty, says how long until one is back. */
  take(id: string, now: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const bucket = this.#buckets.get(id) ?? { tokens: this.#capacity, at: now };
    const tokens = Math.min(this.#capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
    if (tokens < 1) {
      this.#buckets.set(id, { tokens, at: now });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.#perMs / 1000)) };
    }
    this.#buckets.delete(id); // re-inserted last: the map's order is least recently used first
    this.#buckets.set(id, { tokens: tokens - 1, at: now });
    if (this.#buckets.size > this.#maxBuckets) this.#prune(now);
    return { ok: true };
  }

  /** Drops full buckets, then the least recently used, until a tenth of the room is free. */
  #prune(now: number): void {
    for (const [id, bucket] of this.#buckets) if (bucket.tokens + (now - bucket.at) * this.#perMs >= this.#capacity) this.#buckets.delete(id);
    for (const id of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#maxBuckets * 0.9) break;
      this.#buckets.delete(id);
    }
  }
}
