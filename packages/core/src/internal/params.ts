import { createHash } from 'node:crypto';
import { HaltStateValidationError } from '../errors.js';

/** A JSON value as it goes on the wire. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * How to hide values before they leave the process: extra key names (matched case-insensitively,
 * ignoring `-` and `_`, on top of the defaults), a function applied after the defaults, or
 * `false` to send everything as is.
 */
export type Redactor = readonly string[] | ((params: JsonObject) => JsonObject) | false;

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Key fragments redacted by default, normalised (lower case, no `-`/`_`). */
export const DEFAULT_REDACTED_KEYS = ['password', 'passwd', 'secret', 'token', 'apikey', 'authorization', 'cvv', 'cvc', 'cardnumber', 'ccnumber', 'pan'] as const;

const normalise = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '');

function isSensitive(key: string, fragments: readonly string[]): boolean {
  const name = normalise(key);
  // `pan` alone is too short to match inside other words ("company"); match it whole.
  return fragments.some((fragment) => (fragment === 'pan' ? name === 'pan' : name.includes(fragment)));
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return 'a BigInt (convert it to a string or number)';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'number') return `${value} (not representable in JSON)`;
  if (value instanceof Map) return 'a Map (convert it with Object.fromEntries)';
  if (value instanceof Set) return 'a Set (convert it with Array.from)';
  return typeof value;
}

/**
 * Turns params into plain JSON or throws: Dates become ISO strings, objects with `toJSON` use it;
 * BigInt, functions, symbols, NaN/Infinity, Maps, Sets and cycles are a `HaltStateValidationError`
 * naming the path, so nothing is silently dropped. With `lenient`, such values become strings
 * instead (used for report results, which must never break the action).
 */
export function toJson(value: unknown, label: string, lenient = false): JsonValue {
  const seen = new Set<object>();
  const visit = (current: unknown, path: string): JsonValue => {
    if (current === null || typeof current === 'string' || typeof current === 'boolean') return current;
    if (typeof current === 'number' && Number.isFinite(current)) return current;
    if (current instanceof Date) {
      if (Number.isNaN(current.getTime())) return fail(path, 'an invalid Date');
      return current.toISOString();
    }
    if (typeof current === 'object' && !(current instanceof Map) && !(current instanceof Set)) {
      if (seen.has(current)) return lenient ? '[Circular]' : fail(path, 'a circular reference');
      const withToJson = current as { toJSON?: unknown };
      if (typeof withToJson.toJSON === 'function') return visit((withToJson.toJSON as () => unknown).call(current), path);
      seen.add(current);
      try {
        if (Array.isArray(current)) return current.map((item, index) => (item === undefined ? null : visit(item, `${path}[${index}]`)));
        const out: JsonObject = {};
        for (const [key, item] of Object.entries(current)) {
          if (item === undefined) continue;
          // defineProperty keeps "__proto__" an ordinary own key instead of changing the prototype.
          Object.defineProperty(out, key, { value: visit(item, `${path}.${key}`), enumerable: true, writable: true, configurable: true });
        }
        return out;
      } finally {
        seen.delete(current);
      }
    }
    return lenient ? String(typeof current === 'symbol' ? current.description : current) : fail(path, describe(current));
  };
  const fail = (path: string, what: string): never => {
    throw new HaltStateValidationError(`${path} is ${what}; HaltState sends ${label} as JSON`, { path });
  };
  return visit(value, label);
}

/** {@link toJson} for a value that must be a JSON object (params, metadata). */
export function toJsonObject(value: unknown, label: string): JsonObject {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HaltStateValidationError(`${label} must be a plain object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`, { path: label });
  }
  return toJson(value, label) as JsonObject;
}

/** Replaces sensitive values (default key list, extra keys, or a function) in a copy. */
export function redact(value: JsonObject, redactor: Redactor | undefined): JsonObject {
  if (redactor === false) return value;
  const fragments = Array.isArray(redactor) ? [...DEFAULT_REDACTED_KEYS, ...redactor.map(normalise)] : DEFAULT_REDACTED_KEYS;
  const walk = (current: JsonValue): JsonValue => {
    if (Array.isArray(current)) return current.map(walk);
    if (current === null || typeof current !== 'object') return current;
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(current)) {
      Object.defineProperty(out, key, { value: isSensitive(key, fragments) ? REDACTED : walk(item), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  const byKey = walk(value) as JsonObject;
  if (typeof redactor !== 'function') return byKey;
  const custom = redactor(byKey);
  return toJsonObject(custom, 'redact(params)');
}

/** JSON with object keys sorted at every depth, so equal values always give equal text. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A deterministic idempotency key from tenant, agent, action and params, so a restarted process
 * asks for the same approval instead of a new one.
 */
export function deriveIdempotencyKey(tenantId: string, agentId: string, action: string, params: JsonObject): string {
  const digest = createHash('sha256').update(canonicalJson([tenantId, agentId, action, params])).digest('hex');
  return `hs_auto_${digest.slice(0, 40)}`;
}
