// The keyed params digest (wire decision 5). Derived idempotency keys and redaction tags are
// HMAC-SHA256 under a secret derived from the API key (or the pinned `digestSecret`): they stay
// stable for one client, differ whenever a secret in the params differs, and give nothing away to
// a reader of the server's audit trail who does not hold the key (a 4-digit PIN was brute-forced
// from a plain SHA-256 in milliseconds).
import { createHmac } from 'node:crypto';
import { HaltStateValidationError } from './errors.js';
import { canonicalJson, toJsonObject, type JsonObject, type JsonValue } from './json.js';

const LABEL = 'haltstate/params-digest/v1';

/** Where a value sits in the params: keys and array indices from the root. */
export type ValuePath = ReadonlyArray<string | number>;

export class ParamsDigest {
  readonly #key: Buffer;

  /** @param secret the API key, or the client's `digestSecret` when it pins one */
  constructor(secret: string) {
    this.#key = createHmac('sha256', secret).update(LABEL).digest();
  }

  /** `hs_auto_<40 hex>`: the same tenant, agent, action and (unredacted) params give the same key. */
  idempotencyKey(tenantId: string, agentId: string, action: string, params: JsonObject): string {
    return `hs_auto_${this.#hex(canonicalJson([tenantId, agentId, action, params])).slice(0, 40)}`;
  }

  /** `[REDACTED:<12 hex>]` for the value at `path`: what goes on the wire instead of it. */
  tag(path: ValuePath, value: JsonValue): string {
    return `[REDACTED:${this.#hex(canonicalJson([[...path], value])).slice(0, 12)}]`;
  }

  #hex(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('hex');
  }

  // The key is derived, not the secret itself, but it stays out of logs all the same.
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'ParamsDigest [REDACTED]';
  }

  toJSON(): string {
    return '[REDACTED]';
  }
}

/** What {@link deriveIdempotencyKey} needs. */
export interface DeriveKeyInput {
  /** The client's `digestSecret` if it sets one, otherwise its API key. */
  secret: string;
  tenantId: string;
  agentId: string;
  action: string;
  /** The unredacted params. */
  params: Record<string, unknown>;
}

/**
 * The idempotency key a client derives when a guard names none: an HMAC (keyed by `secret`) over
 * tenant, agent, action and the canonical JSON of the unredacted params, so a restarted process
 * asks for the same approval, and a secret in the params cannot be recovered from the key by
 * whoever reads it without the secret. Adapters with a client call `client.idempotencyKey()`.
 *
 * @example
 * deriveIdempotencyKey({ secret: process.env.HALTSTATE_API_KEY!, tenantId: 'acme', agentId: 'bot', action: 'payment.process', params: { amount: 5 } })
 */
export function deriveIdempotencyKey(input: DeriveKeyInput): string {
  if (typeof input !== 'object' || input === null) {
    throw new HaltStateValidationError(
      'deriveIdempotencyKey takes { secret, tenantId, agentId, action, params } (the key is an HMAC under the API key or digestSecret); with a client, call client.idempotencyKey({ action, agentId, params })',
      { path: 'input' },
    );
  }
  if (typeof input.secret !== 'string' || input.secret.length === 0) {
    throw new HaltStateValidationError('deriveIdempotencyKey needs secret: the API key, or the digestSecret the client uses', { path: 'secret' });
  }
  return new ParamsDigest(input.secret).idempotencyKey(input.tenantId, input.agentId, input.action, toJsonObject(input.params, 'params'));
}
