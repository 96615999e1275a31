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

/**
 * What a redacted value in metadata or a report result is replaced with, and the prefix of the
 * tag a redacted param becomes: `[REDACTED:<12 hex>]`, a keyed digest of the value and its path.
 */
export const REDACTED = '[REDACTED]';

/**
 * Matches the tag a redacted param is sent as, `[REDACTED:<12 hex>]`.
 *
 * @example
 * REDACTED_TAG.test(body.params.password) // true
 */
export const REDACTED_TAG = /^\[REDACTED:[0-9a-f]{12}\]$/;

/** Key fragments redacted by default, normalised (lower case, no `-`/`_`). */
export const DEFAULT_REDACTED_KEYS = ['password', 'passwd', 'secret', 'token', 'apikey', 'authorization', 'cvv', 'cvc', 'cardnumber', 'ccnumber', 'pan'] as const;

const normalise = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '');

const defaultVerdicts = new Map<string, boolean>();

function isSensitive(key: string, fragments: readonly string[]): boolean {
  if (fragments === DEFAULT_REDACTED_KEYS) {
    let verdict = defaultVerdicts.get(key);
    if (verdict === undefined) {
      verdict = matchesFragment(key, fragments);
      if (defaultVerdicts.size < 10_000) defaultVerdicts.set(key, verdict);
    }
    return verdict;
  }
  return matchesFragment(key, fragments);
}

function matchesFragment(key: string, fragments: readonly string[]): boolean {
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
  // The path is only spelled out when something fails: building it for every value is the
  // single biggest cost of this function on the hot path.
  const path: Array<string | number> = [];
  const where = () => path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : `${text}.${part}`), label);
  const fail = (what: string): never => {
    const at = where();
    throw new HaltStateValidationError(`${at} is ${what}; HaltState sends ${label} as JSON`, { path: at });
  };
  const visit = (current: unknown): JsonValue => {
    if (current === null || typeof current === 'string' || typeof current === 'boolean') return current;
    if (typeof current === 'number' && Number.isFinite(current)) return current;
    if (current instanceof Date) {
      if (Number.isNaN(current.getTime())) return fail('an invalid Date');
      return current.toISOString();
    }
    if (typeof current === 'object' && !(current instanceof Map) && !(current instanceof Set)) {
      if (seen.has(current)) return lenient ? '[Circular]' : fail('a circular reference');
      const withToJson = current as { toJSON?: unknown };
      if (typeof withToJson.toJSON === 'function') return visit((withToJson.toJSON as () => unknown).call(current));
      seen.add(current);
      try {
        if (Array.isArray(current)) {
          const out: JsonValue[] = new Array(current.length);
          for (let index = 0; index < current.length; index++) {
            path.push(index);
            out[index] = current[index] === undefined ? null : visit(current[index]);
            path.pop();
          }
          return out;
        }
        const out: JsonObject = {};
        for (const key of Object.keys(current)) {
          const item = (current as Record<string, unknown>)[key];
          if (item === undefined) continue;
          path.push(key);
          const json = visit(item);
          path.pop();
          // "__proto__" must stay an ordinary own key instead of changing the prototype.
          if (key === '__proto__') Object.defineProperty(out, key, { value: json, enumerable: true, writable: true, configurable: true });
          else out[key] = json;
        }
        return out;
      } finally {
        seen.delete(current);
      }
    }
    return lenient ? String(typeof current === 'symbol' ? current.description : current) : fail(describe(current));
  };
  return visit(value);
}

/** {@link toJson} for a value that must be a JSON object (params, metadata). */
export function toJsonObject(value: unknown, label: string): JsonObject {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HaltStateValidationError(`${label} must be a plain object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`, { path: label });
  }
  return toJson(value, label) as JsonObject;
}

/** What a sensitive value becomes: by default {@link REDACTED}; for params, a keyed tag. */
export type Replacement = (path: ReadonlyArray<string | number>, value: JsonValue) => JsonValue;

const plain: Replacement = () => REDACTED;

/** Replaces sensitive values (default key list, extra keys, or a function) in a copy. */
export function redact(value: JsonObject, redactor: Redactor | undefined, replace: Replacement = plain): JsonObject {
  if (redactor === false) return value;
  const fragments = Array.isArray(redactor) ? [...DEFAULT_REDACTED_KEYS, ...redactor.map(normalise)] : DEFAULT_REDACTED_KEYS;
  // The path is only read when a value is replaced; keeping it is a push and a pop per level.
  const path: Array<string | number> = [];
  const walk = (current: JsonValue): JsonValue => {
    if (Array.isArray(current)) {
      return current.map((item, index) => {
        path.push(index);
        const out = walk(item);
        path.pop();
        return out;
      });
    }
    if (current === null || typeof current !== 'object') return current;
    const out: JsonObject = {};
    for (const key of Object.keys(current)) {
      path.push(key);
      const value = isSensitive(key, fragments) ? replace(path, current[key]!) : walk(current[key]!);
      path.pop();
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
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
