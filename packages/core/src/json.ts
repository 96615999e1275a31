// Values as they go on the wire: plain JSON, or a validation error naming the path of what is not.
import { HaltStateValidationError } from './errors.js';

/** A JSON value as it goes on the wire. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

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

/** JSON with object keys sorted at every depth, so equal values always give equal text. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
