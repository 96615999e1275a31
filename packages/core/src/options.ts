import { z } from 'zod';
import { HaltStateValidationError } from './errors.js';
import { PREFIXES, type Namespace } from './routes.js';
import type { Redactor } from './internal/params.js';

/**
 * Options of {@link HaltStateClient}. Each falls back to a `HALTSTATE_*` variable, then a default.
 *
 * @example
 * new HaltStateClient({ tenantId: 'acme', apiKey: process.env.HS_KEY, agentId: 'payment-bot' })
 */
export interface ClientOptions {
  /** Tenant id. Env: `HALTSTATE_TENANT_ID`. Required. */
  tenantId?: string | undefined;
  /** API key (`hs_…` or `janus_…`). Env: `HALTSTATE_API_KEY`. Required; never logged. */
  apiKey?: string | undefined;
  /** Service URL. Env: `HALTSTATE_BASE_URL` or `HALTSTATE_API_BASE`. @default 'https://haltstate.ai' */
  baseUrl?: string | undefined;
  /** Agent id used when a call names none. Env: `HALTSTATE_AGENT_ID`. @default 'default' */
  agentId?: string | undefined;
  /**
   * `check()` only: when the service cannot be reached after retries (network, timeout, 5xx),
   * return a synthetic ALLOW marked `failOpen: true`. Never applies to auth errors or `guard`.
   * Env: `HALTSTATE_FAIL_OPEN` (`true`/`1`). @default false
   */
  failOpen?: boolean | undefined;
  /** Per-request timeout. Env: `HALTSTATE_TIMEOUT` (seconds). @unit milliseconds @default 5000 */
  timeoutMs?: number | undefined;
  /**
   * Retries after the first attempt. Guard, reports and reads: on network errors, timeouts,
   * 408, 429 and 5xx. `check()`: only when the request surely did not reach the server
   * (connection refused or similar, 429, 503), since a check may create an approval. @default 2
   */
  retries?: number | undefined;
  /** `'legacy'` = `/api/sentinel`, `'branded'` = `/api/haltstate/sentinel`. @default 'legacy' */
  namespace?: Namespace | undefined;
  /** Allow `http://` to a host that is not loopback. @default false */
  allowInsecureHttp?: boolean | undefined;
  /**
   * What to hide before params and results leave the process: extra key names (added to the
   * default list), a function run after the default list, or `false` for no redaction.
   * @default password, secret, token, apiKey/api_key, authorization, cvv, card number
   */
  redact?: Redactor | undefined;
  /**
   * Pins the secret of the params digest (derived idempotency keys and `[REDACTED:…]` tags),
   * which is otherwise derived from `apiKey`. Set it when one operation may be guarded under
   * several API keys (a key rotation while an approval is pending, one key per agent process):
   * every client with the same `digestSecret` derives the same keys and tags. At least 32
   * characters; never sent, never logged. Env: `HALTSTATE_DIGEST_SECRET`. @default derived from apiKey
   */
  digestSecret?: string | undefined;
  /** Most reports waiting for delivery; one more is refused and passed to `onReportError`. @default 1000 */
  maxQueuedReports?: number | undefined;
  /** Called once for each report that could not be delivered (queue overflow or final failure). */
  onReportError?: ((error: Error, report: QueuedReportInfo) => void) | undefined;
  /** A fetch implementation (tests, proxies). @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
}

/** What `onReportError` and `flush()` say about a report that was not delivered. */
export interface QueuedReportInfo {
  kind: 'report' | 'guardReport';
  action: string;
  agentId: string;
  /** The check's request id, or the guard's idempotency key. */
  id: string;
}

/** Options for one call; they override the client's. */
export interface RequestOptions {
  /** Abort the call. Aborting never lets a guarded action run. */
  signal?: AbortSignal | undefined;
  /** @unit milliseconds */
  timeoutMs?: number | undefined;
  retries?: number | undefined;
}

const ENV = {
  tenantId: 'HALTSTATE_TENANT_ID',
  apiKey: 'HALTSTATE_API_KEY',
  baseUrl: 'HALTSTATE_BASE_URL',
  baseUrlAlias: 'HALTSTATE_API_BASE',
  agentId: 'HALTSTATE_AGENT_ID',
  failOpen: 'HALTSTATE_FAIL_OPEN',
  timeout: 'HALTSTATE_TIMEOUT',
  digestSecret: 'HALTSTATE_DIGEST_SECRET',
} as const;

const required = (option: string, variable: string) =>
  z.string({ error: `${option} is required: pass { ${option} } to the client or set ${variable}` }).trim().min(1, `${option} must not be empty: pass { ${option} } to the client or set ${variable}`);

const resolvedOptions = z.object({
  tenantId: required('tenantId', ENV.tenantId),
  apiKey: required('apiKey', ENV.apiKey),
  baseUrl: z.url({ protocol: /^https?$/, error: `baseUrl must be an http(s) URL (option baseUrl or ${ENV.baseUrl})` }).transform((url) => url.replace(/\/+$/, '')),
  agentId: z.string().trim().min(1, `agentId must not be empty (option agentId or ${ENV.agentId})`),
  failOpen: z.boolean(),
  timeoutMs: z.number().int().positive().max(600_000, 'timeoutMs must be at most 600000 (10 minutes)'),
  retries: z.number().int().min(0).max(10),
  namespace: z.enum(Object.keys(PREFIXES) as [Namespace, ...Namespace[]]),
  allowInsecureHttp: z.boolean(),
  maxQueuedReports: z.number().int().positive(),
  digestSecret: z
    .string({ error: `digestSecret must be a string (option digestSecret or ${ENV.digestSecret})` })
    .min(32, `digestSecret must be at least 32 characters (e.g. \`openssl rand -hex 32\`; option digestSecret or ${ENV.digestSecret})`)
    .optional(),
});

/** Client options after env fallbacks, defaults and validation. */
export interface ResolvedOptions {
  tenantId: string;
  apiKey: string;
  baseUrl: string;
  agentId: string;
  failOpen: boolean;
  timeoutMs: number;
  retries: number;
  namespace: Namespace;
  allowInsecureHttp: boolean;
  maxQueuedReports: number;
  digestSecret?: string | undefined;
  redact: Redactor | undefined;
  onReportError: ((error: Error, report: QueuedReportInfo) => void) | undefined;
  fetch: typeof fetch;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

function envBoolean(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new HaltStateValidationError(`${name} must be true or false, got "${value}"`, { path: name });
}

function envSecondsToMs(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new HaltStateValidationError(`${name} must be a positive number of seconds, got "${value}"`, { path: name });
  }
  return Math.round(seconds * 1000);
}

/** Options, then `HALTSTATE_*` variables, then defaults; validated. Throws `HaltStateValidationError`. */
export function resolveOptions(options: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const candidate = {
    tenantId: options.tenantId ?? env[ENV.tenantId],
    apiKey: options.apiKey ?? env[ENV.apiKey],
    baseUrl: options.baseUrl ?? env[ENV.baseUrl] ?? env[ENV.baseUrlAlias] ?? 'https://haltstate.ai',
    agentId: options.agentId ?? env[ENV.agentId] ?? 'default',
    failOpen: options.failOpen ?? envBoolean(ENV.failOpen, env[ENV.failOpen]) ?? false,
    timeoutMs: options.timeoutMs ?? envSecondsToMs(ENV.timeout, env[ENV.timeout]) ?? 5_000,
    retries: options.retries ?? 2,
    namespace: options.namespace ?? 'legacy',
    allowInsecureHttp: options.allowInsecureHttp ?? false,
    maxQueuedReports: options.maxQueuedReports ?? 1000,
    digestSecret: options.digestSecret ?? (env[ENV.digestSecret] || undefined),
  };
  const parsed = resolvedOptions.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.');
    // zod's own message could quote the input; for the secrets it must not.
    const message =
      path === 'apiKey' && issue.code !== 'invalid_type' && !issue.message.includes(ENV.apiKey)
        ? `apiKey is invalid: pass { apiKey } or set ${ENV.apiKey}`
        : path === 'digestSecret' && !issue.message.includes(ENV.digestSecret)
          ? `digestSecret is invalid: pass { digestSecret } or set ${ENV.digestSecret}`
          : issue.message;
    throw new HaltStateValidationError(`Invalid HaltState client options: ${message}`, { path });
  }
  const url = new URL(parsed.data.baseUrl);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !parsed.data.allowInsecureHttp) {
    throw new HaltStateValidationError(
      `Invalid HaltState client options: baseUrl ${url.origin} uses plain http:// to a non-loopback host, which would send the API key in clear text. Use https://, or pass { allowInsecureHttp: true } if you really mean it.`,
      { path: 'baseUrl' },
    );
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new HaltStateValidationError('Invalid HaltState client options: fetch must be a function', { path: 'fetch' });
  }
  if (options.onReportError !== undefined && typeof options.onReportError !== 'function') {
    throw new HaltStateValidationError('Invalid HaltState client options: onReportError must be a function', { path: 'onReportError' });
  }
  return { ...parsed.data, redact: options.redact, onReportError: options.onReportError, fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)) };
}
