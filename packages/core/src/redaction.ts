// Redaction: which values never leave the process as they are, and what they become.
import { toJsonObject, type JsonObject, type JsonValue } from './json.js';

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
