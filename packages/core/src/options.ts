import { z } from 'zod';
import { HaltStateValidationError } from './errors.js';
import { PREFIXES, type Namespace } from './routes.js';
import type { Redactor } from './redaction.js';
import type { QueuedReportInfo } from './report-types.js';
import type { ApprovalRequestedHook, DecisionHook, HaltStateMode, RequestOptions } from './types.js';
import { assertKnownKeys } from './internal/option-names.js';

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
  /**
   * A fetch implementation (tests, proxies). It is called as `fetch(url, init)`: a URL string and a
   * plain `RequestInit` of `method`, `headers`, `body` (JSON text or undefined), `signal` and
   * `redirect: 'manual'`. @default globalThis.fetch
   */
  fetch?: typeof fetch | undefined;
  /**
   * Called once when a guard or execute starts to wait for a human decision (`wait`), so
   * someone can be told at once (chat, e-mail, a page). Not awaited; a hook that throws or
   * rejects changes nothing (a `HALTSTATE_HOOK_FAILED` process warning says so). A call's own
   * `wait.onApprovalRequested` is called after this one.
   */
  onApprovalRequested?: ApprovalRequestedHook | undefined;
  /**
   * Where a human decides, as `url` of {@link ApprovalRequest} and in the log line: a template
   * with `{approvalId}` (e.g. `https://approvals.example/#/{approvalId}`) or a function.
   */
  approvalUrl?: string | ((approvalId: string) => string) | undefined;
  /**
   * Receives the SDK's debug lines (an approval requested, a hook that failed): `console`,
   * pino, winston, anything with `debug(message)`. Without it, `HALTSTATE_LOG=debug` writes
   * them to stderr. @default none (silent)
   */
  logger?: HaltStateLogger | undefined;
  /**
   * Called for every answer of the policy service (each check, each guard ask, fail-open and
   * shadow ones included) with a {@link DecisionEvent}, for logs and custom metrics. Not
   * awaited; a hook that throws or rejects changes nothing (a `HALTSTATE_HOOK_FAILED` process
   * warning says so).
   */
  onDecision?: DecisionHook | undefined;
  /**
   * `'enforce'`: an action runs only when allowed or approved. `'shadow'`: every decision is
   * still asked and recorded, but the action runs whatever the answer and nothing waits for a
   * human (docs/shadow-mode.md). A call's own `mode` wins. Env: `HALTSTATE_MODE`. @default 'enforce'
   */
  mode?: HaltStateMode | undefined;
}

/**
 * Where the SDK's debug lines go: any object with a `debug(message)` method.
 *
 * @example
 * new HaltStateClient({ logger: console });
 */
export interface HaltStateLogger {
  debug(message: string): void;
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
  log: 'HALTSTATE_LOG',
  mode: 'HALTSTATE_MODE',
} as const;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'off'] as const;

/** Every key of {@link ClientOptions}; any other key is refused with a suggestion. */
export const CLIENT_OPTION_NAMES = [
  'tenantId',
  'apiKey',
  'baseUrl',
  'agentId',
  'failOpen',
  'timeoutMs',
  'retries',
  'namespace',
  'allowInsecureHttp',
  'redact',
  'digestSecret',
  'maxQueuedReports',
  'onReportError',
  'fetch',
  'onApprovalRequested',
  'approvalUrl',
  'logger',
  'onDecision',
  'mode',
] as const satisfies ReadonlyArray<keyof ClientOptions>;
// Compile-time check of the other direction: every option of ClientOptions is listed.
const _everyOptionListed: Exclude<keyof ClientOptions, (typeof CLIENT_OPTION_NAMES)[number]> extends never ? true : never = true;
void _everyOptionListed;

/** Every key of {@link RequestOptions}. */
export const REQUEST_OPTION_NAMES = ['signal', 'timeoutMs', 'retries'] as const satisfies ReadonlyArray<keyof RequestOptions>;

/** The longest `timeoutMs` (and `HALTSTATE_TIMEOUT`): ten minutes. @unit milliseconds */
export const MAX_TIMEOUT_MS = 600_000;
const MAX_RETRIES = 10;

const required = (option: string, variable: string) =>
  z.string({ error: `${option} is required: pass { ${option} } to the client or set ${variable}` }).trim().min(1, `${option} must not be empty: pass { ${option} } to the client or set ${variable}`);

const resolvedStrings = z.object({
  tenantId: required('tenantId', ENV.tenantId),
  apiKey: required('apiKey', ENV.apiKey),
  baseUrl: z.url({ protocol: /^https?$/, error: `baseUrl must be an http(s) URL (option baseUrl or ${ENV.baseUrl})` }).transform((url) => url.replace(/\/+$/, '')),
  agentId: z.string({ error: `agentId must be a string (option agentId or ${ENV.agentId})` }).trim().min(1, `agentId must not be empty (option agentId or ${ENV.agentId})`),
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
  onApprovalRequested: ApprovalRequestedHook | undefined;
  approvalUrl: ((approvalId: string) => string) | undefined;
  /** The `logger` option, or a stderr logger when `HALTSTATE_LOG=debug`, or none. */
  logger: HaltStateLogger | undefined;
  onDecision: DecisionHook | undefined;
  mode: HaltStateMode;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

const invalid = (message: string, path: string) => new HaltStateValidationError(`Invalid HaltState client options: ${message}`, { path });

/** A value as a message shows it: strings quoted and named, so `"5000"` is not read as 5000. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value)} (a string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function envBoolean(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw invalid(`${name} must be true or false (or 1/0, yes/no, on/off), got "${value}"`, name);
}

/** HALTSTATE_TIMEOUT is in seconds (as the Python SDK's); a value that looks like milliseconds says so. */
function envTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const name = ENV.timeout;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw invalid(`${name} must be a positive number of seconds (e.g. 5), got "${value}"`, name);
  const maxSeconds = MAX_TIMEOUT_MS / 1000;
  if (seconds > maxSeconds) {
    const asMs = seconds / 1000;
    const hint = asMs <= maxSeconds ? `; for ${seconds} ms set ${name}=${asMs}` : '';
    throw invalid(`${name} is in seconds; ${seconds} s is over the maximum of ${maxSeconds} s (10 minutes)${hint}`, name);
  }
  return Math.max(1, Math.round(seconds * 1000));
}

function booleanOption(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(`${name} must be true or false, got ${shown(value)}`, name);
  return value;
}

function timeoutOption(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw invalid(`timeoutMs must be a positive whole number of milliseconds, got ${shown(value)}`, 'timeoutMs');
  }
  if (value > MAX_TIMEOUT_MS) throw invalid(`timeoutMs is in milliseconds; ${value} ms is over the maximum of ${MAX_TIMEOUT_MS} ms (10 minutes)`, 'timeoutMs');
  return value;
}

function retriesOption(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_RETRIES) {
    throw invalid(`retries must be a whole number from 0 to ${MAX_RETRIES}, got ${shown(value)}`, 'retries');
  }
  return value;
}

function positiveWholeOption(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw invalid(`${name} must be a positive whole number, got ${shown(value)}`, name);
  return value;
}

function namespaceOption(value: unknown): Namespace {
  const names = Object.keys(PREFIXES) as Namespace[];
  if (!names.includes(value as Namespace)) throw invalid(`namespace must be ${names.map((name) => `"${name}"`).join(' or ')}, got ${typeof value === 'string' ? JSON.stringify(value) : shown(value)}`, 'namespace');
  return value as Namespace;
}

function functionOption<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw invalid(`${name} must be a function, got ${shown(value)}`, name);
  return value;
}

/** The modes; anything else (a typo included) is refused, never read as shadow. */
export const MODES = ['enforce', 'shadow'] as const satisfies readonly HaltStateMode[];

/** A mode as given (option, variable or call input), checked; `where` names it in the message. */
export function modeValue(value: unknown, where: string, path: string): HaltStateMode {
  if ((MODES as readonly unknown[]).includes(value)) return value as HaltStateMode;
  throw new HaltStateValidationError(`${where} must be "enforce" or "shadow", got ${typeof value === 'string' ? JSON.stringify(value) : shown(value)}`, { path });
}

function modeOption(option: unknown, variable: string | undefined): HaltStateMode {
  if (option !== undefined) return modeValue(option, 'Invalid HaltState client options: mode', 'mode');
  if (variable === undefined || variable === '') return 'enforce';
  return modeValue(variable.trim().toLowerCase(), `Invalid HaltState client options: ${ENV.mode} (option mode)`, ENV.mode);
}

/** Writes debug lines to stderr (stdout may carry a protocol, e.g. an MCP server's). */
const stderrLogger: HaltStateLogger = { debug: (message) => void process.stderr.write(`[haltstate] debug ${message}\n`) };

function loggerOption(logger: HaltStateLogger | undefined, level: string | undefined): HaltStateLogger | undefined {
  if (logger !== undefined) {
    if (typeof logger !== 'object' || logger === null || typeof logger.debug !== 'function') throw invalid(`logger must have a debug(message) method (console, pino, winston…), got ${shown(logger)}`, 'logger');
    return logger;
  }
  if (level === undefined || level === '') return undefined;
  const normal = level.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(normal)) throw invalid(`${ENV.log} must be one of ${LOG_LEVELS.join(', ')}; got "${level}"`, ENV.log);
  return normal === 'debug' ? stderrLogger : undefined;
}

function approvalUrlOption(value: ClientOptions['approvalUrl']): ((approvalId: string) => string) | undefined {
  if (value === undefined || typeof value === 'function') return value;
  if (typeof value !== 'string' || !value.includes('{approvalId}')) {
    throw invalid(`approvalUrl must be a function or a string with {approvalId} in it (e.g. "https://approvals.example/#/{approvalId}"), got ${shown(value)}`, 'approvalUrl');
  }
  return (approvalId) => value.split('{approvalId}').join(encodeURIComponent(approvalId));
}

/**
 * Options, then `HALTSTATE_*` variables, then defaults; validated. Throws
 * `HaltStateValidationError` naming the option (and the variable, with its unit), and refuses an
 * unknown option with the name it probably meant.
 *
 * @example
 * resolveOptions({ tenantId: 'acme', apiKey: process.env.HALTSTATE_API_KEY, timeoutMs: 2_000 });
 */
export function resolveOptions(options: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalid(`expected an options object, got ${shown(options)}`, 'options');
  assertKnownKeys(options, CLIENT_OPTION_NAMES, 'HaltState client option');
  const strings = resolvedStrings.safeParse({
    tenantId: options.tenantId ?? env[ENV.tenantId],
    apiKey: options.apiKey ?? env[ENV.apiKey],
    baseUrl: options.baseUrl ?? env[ENV.baseUrl] ?? env[ENV.baseUrlAlias] ?? 'https://haltstate.ai',
    agentId: options.agentId ?? env[ENV.agentId] ?? 'default',
    digestSecret: options.digestSecret ?? (env[ENV.digestSecret] || undefined),
  });
  if (!strings.success) {
    const issue = strings.error.issues[0]!;
    const path = issue.path.join('.');
    // zod's own message could quote the input; for the secrets it must not.
    const message =
      path === 'apiKey' && issue.code !== 'invalid_type' && !issue.message.includes(ENV.apiKey)
        ? `apiKey is invalid: pass { apiKey } or set ${ENV.apiKey}`
        : path === 'digestSecret' && !issue.message.includes(ENV.digestSecret)
          ? `digestSecret is invalid: pass { digestSecret } or set ${ENV.digestSecret}`
          : issue.message;
    throw invalid(message, path);
  }
  const resolved: ResolvedOptions = {
    ...strings.data,
    failOpen: options.failOpen === undefined ? (envBoolean(ENV.failOpen, env[ENV.failOpen]) ?? false) : booleanOption('failOpen', options.failOpen),
    timeoutMs: options.timeoutMs === undefined ? (envTimeoutMs(env[ENV.timeout]) ?? 5_000) : timeoutOption(options.timeoutMs),
    retries: options.retries === undefined ? 2 : retriesOption(options.retries),
    namespace: options.namespace === undefined ? 'legacy' : namespaceOption(options.namespace),
    allowInsecureHttp: options.allowInsecureHttp === undefined ? false : booleanOption('allowInsecureHttp', options.allowInsecureHttp),
    maxQueuedReports: options.maxQueuedReports === undefined ? 1000 : positiveWholeOption('maxQueuedReports', options.maxQueuedReports),
    redact: options.redact,
    onReportError: functionOption('onReportError', options.onReportError),
    fetch: functionOption('fetch', options.fetch) ?? ((input, init) => globalThis.fetch(input, init)),
    onApprovalRequested: functionOption('onApprovalRequested', options.onApprovalRequested),
    approvalUrl: approvalUrlOption(options.approvalUrl),
    logger: loggerOption(options.logger, env[ENV.log]),
    onDecision: functionOption('onDecision', options.onDecision),
    mode: modeOption(options.mode, env[ENV.mode]),
  };
  const url = new URL(resolved.baseUrl);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !resolved.allowInsecureHttp) {
    throw invalid(
      `baseUrl ${url.origin} uses plain http:// to a non-loopback host, which would send the API key in clear text. Use https://, or pass { allowInsecureHttp: true } if you really mean it.`,
      'baseUrl',
    );
  }
  return resolved;
}
