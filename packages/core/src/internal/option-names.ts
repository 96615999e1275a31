// Unknown keys in options are refused, with the likely intended name: a misspelt or
// Python-style option (`timeout`, `api_key`) would otherwise be ignored without a word, and
// the call would run with the default instead.
import { HaltStateValidationError } from '../errors.js';

const normalise = (name: string) => name.toLowerCase().replace(/[-_\s]/g, '');

/** Names people reach for, normalised, and the option each means (when that option exists). */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  timeout: ['timeoutMs'],
  timeoutseconds: ['timeoutMs'],
  url: ['baseUrl'],
  apiurl: ['baseUrl'],
  apibase: ['baseUrl'],
  endpoint: ['baseUrl'],
  host: ['baseUrl'],
  server: ['baseUrl'],
  tenant: ['tenantId'],
  key: ['apiKey', 'idempotencyKey'],
  token: ['apiKey'],
  apitoken: ['apiKey'],
  agent: ['agentId'],
  agentname: ['agentId'],
  maxretries: ['retries'],
  retry: ['retries'],
  attempts: ['retries'],
  insecure: ['allowInsecureHttp'],
  allowhttp: ['allowInsecureHttp'],
  redaction: ['redact'],
  redactkeys: ['redact'],
  secret: ['digestSecret'],
  queuesize: ['maxQueuedReports'],
  maxqueue: ['maxQueuedReports'],
  onerror: ['onReportError'],
  prefix: ['namespace'],
  interval: ['pollIntervalMs', 'intervalMs'],
  pollinterval: ['pollIntervalMs'],
  poll: ['pollIntervalMs'],
  abortsignal: ['signal'],
  args: ['params'],
  arguments: ['params'],
  payload: ['params'],
  data: ['params'],
  input: ['params'],
  meta: ['metadata'],
  context: ['metadata'],
  waitfor: ['wait'],
  waitforapproval: ['wait'],
};

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known name `name` most likely meant: the same name in another case or with `_`/`-`
 * (`api_key`), a common alias (`timeout` → `timeoutMs`), a known name with a unit suffix added
 * (`timeout` + `Ms`), or a typo within two edits.
 */
export function suggestName(name: string, known: readonly string[]): string | undefined {
  const wanted = normalise(name);
  const byNormal = new Map(known.map((option) => [normalise(option), option]));
  const exact = byNormal.get(wanted) ?? byNormal.get(`${wanted}ms`) ?? byNormal.get(`${wanted}id`);
  if (exact) return exact;
  const alias = ALIASES[wanted]?.find((option) => known.includes(option));
  if (alias) return alias;
  let best: { option: string; cost: number } | undefined;
  for (const [normal, option] of byNormal) {
    const cost = distance(wanted, normal);
    if (cost <= Math.min(2, Math.floor(normal.length / 3)) && (!best || cost < best.cost)) best = { option, cost };
  }
  return best?.option;
}

/** What a name ends in says its unit; the suggestion repeats it. */
const unitOf = (option: string) => (option.endsWith('Ms') ? ' (milliseconds)' : '');

/**
 * Throws `HaltStateValidationError` for the first own key of `value` that is not in `known`
 * (and is not set to `undefined`), naming the likely intended option or listing them all.
 * `what` reads as "Unknown <what> …" (e.g. `HaltState client option`); `prefix` is put before
 * the key in `path` (e.g. `wait.`).
 */
export function assertKnownKeys(value: object, known: readonly string[], what: string, prefix = ''): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key) || (value as Record<string, unknown>)[key] === undefined) continue;
    const suggestion = suggestName(key, known);
    const hint = suggestion ? `: did you mean "${suggestion}"${unitOf(suggestion)}?` : `; the options are ${known.join(', ')}`;
    throw new HaltStateValidationError(`Unknown ${what} "${prefix}${key}"${hint}`, { path: `${prefix}${key}` });
  }
}
