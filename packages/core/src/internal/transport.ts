// The only file that talks HTTP. Every request of the SDK goes through `Transport.request`
// (or `openStream` for SSE): headers, per-attempt deadline, retries with backoff, and the
// mapping of every failure onto the SDK's error classes. Users never see a ky error.
import { randomUUID } from 'node:crypto';
import ky, { type KyInstance, type Options as KyOptions } from './ky.js';
import type { ZodType } from 'zod';
import { errorFromStatus, HaltStateConnectionError, HaltStateProtocolError, HaltStateValidationError, isHaltStateError, type HaltStateError } from '../errors.js';
import { HEADERS, MAX_REQUEST_BODY_BYTES } from '../routes.js';
import type { RequestOptions } from '../types.js';
import { errorBody } from '../schemas/common.js';
import { raceAbort } from './abort.js';
import { isRetryableStatus, MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelay, sleep } from './retry.js';
import { activeContext, injectTraceContext, type TraceContext } from './tracing.js';
import { surelyNotSent } from './unsent.js';

export interface TransportConfig {
  baseUrl: string;
  prefix: string;
  tenantId: string;
  apiKey: string;
  timeoutMs: number;
  retries: number;
  userAgent: string;
  fetch: typeof fetch;
}

export interface Call<T> {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  query?: Record<string, string>;
  /** Schema of a 2xx body; omitted when the body is not used. */
  schema?: ZodType<T>;
  /** Also send the key as `X-Admin-Token` (the approval read routes want it). */
  adminToken?: boolean;
  /**
   * Which failures are retried. `transient` (default): network errors, timeouts, 408, 429, 5xx,
   * for calls the server treats idempotently. `unsent`: only when the request surely did not
   * reach the server (connection refused and similar, 429, 503), for a call that creates
   * something each time it lands (a check that requires an approval).
   */
  retry?: 'transient' | 'unsent';
  /** `X-Request-Id` of every attempt of this call. @default a new UUID */
  requestId?: string;
  /** What the body is made of, as the size error names it (`params`, `result`). @default 'body' */
  bodyName?: string;
  /** The trace context sent as `traceparent` with every attempt. @default the active context */
  trace?: TraceContext | undefined;
}

export interface Reply<T> {
  data: T;
  status: number;
  requestId: string | undefined;
}

/** Responses larger than this are refused rather than buffered. */
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_DETAIL_CHARS = 500;

/** Why a call that may have reached the server was not retried (checks only). */
const NOT_RETRIED = '; not retried: it may have reached the server, and a check is retried only when it surely did not';

class DeadlineExceeded extends Error {}

/** The option that carries {@link PerAttempt} through ky to the transport's fetch. */
const ATTEMPT = 'haltstateAttempt';

/**
 * What one attempt adds to the request ky built: headers and the body. ky hands an option it does
 * not know to fetch, so it travels as `ATTEMPT` to the transport's fetch, which sets it on the
 * request: per-request `headers` would make ky merge and copy its Headers three times on every
 * attempt, and a `beforeRequest` hook costs a copy of the options. The body goes straight to
 * fetch for the same reason: given to ky, it becomes a stream in ky's Request, which ky then
 * clones for retries it never makes here (a tee of the stream) and cancels twice when the call
 * ends (one of them rejects, with a stack trace, because fetch already read it).
 */
interface PerAttempt {
  requestId: string;
  /** JSON text, sent as `application/json`. */
  body: string | undefined;
  adminToken: boolean;
  accept?: string;
  trace: TraceContext | undefined;
}

export class Transport {
  readonly #config: TransportConfig;
  readonly #ky: KyInstance;

  constructor(config: TransportConfig) {
    this.#config = config;
    this.#ky = ky.create({
      prefixUrl: `${config.baseUrl}${config.prefix}`,
      headers: {
        [HEADERS.tenantId]: config.tenantId,
        [HEADERS.apiKey]: config.apiKey,
        [HEADERS.authorization]: `Bearer ${config.apiKey}`,
        'user-agent': config.userAgent,
      },
      // Never follow a redirect: fetch would send the key to whatever the Location names (even
      // another origin over http), and read that address's answer as a decision.
      redirect: 'manual',
      // Retries and deadlines are ours: they must cover the body too and map to our errors.
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      // Every call of this instance passes ATTEMPT (request and openStream).
      fetch: (input, init) => {
        const attempt = (init as { [ATTEMPT]: PerAttempt })[ATTEMPT];
        const request = input as Request;
        this.#addHeaders(request.headers, attempt);
        return config.fetch(request.url, { method: request.method, headers: request.headers, body: attempt.body, signal: request.signal, redirect: request.redirect });
      },
    });
  }

  #addHeaders(headers: Headers, attempt: PerAttempt): void {
    headers.set(HEADERS.requestId, attempt.requestId);
    // The body is a string, which fetch would send as text/plain.
    if (attempt.body !== undefined) headers.set('content-type', 'application/json');
    if (attempt.adminToken) headers.set(HEADERS.adminToken, this.#config.apiKey);
    if (attempt.accept !== undefined) headers.set('accept', attempt.accept);
    // Every attempt carries the call's trace context, so retries stay in one trace.
    injectTraceContext(headers, attempt.trace);
  }

  /** Removes the API key from any text that came from outside (server details, error causes). */
  scrub(text: string): string {
    return text.split(this.#config.apiKey).join('[REDACTED]');
  }

  /**
   * Sends a request with retries and returns the parsed body, or throws a HaltState error. Every
   * attempt carries the same `X-Request-Id`, so the server can tell a retry from a new call.
   */
  async request<T>(call: Call<T>, options: RequestOptions = {}): Promise<Reply<T>> {
    const retries = options.retries ?? this.#config.retries;
    const requestId = call.requestId ?? randomUUID();
    const label = `${call.method} ${this.#config.prefix}${call.path}`;
    const body = call.body === undefined ? undefined : serialise(call.body, label, call.bodyName ?? 'body');
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(call, body, options, label, requestId);
      if (outcome.kind === 'done') return outcome.reply;
      const retryAfterMs = outcome.retryAfterMs;
      const safe = call.retry !== 'unsent' || outcome.unsent;
      const canRetry = safe && attempt <= retries && (retryAfterMs === undefined || retryAfterMs <= MAX_RETRY_AFTER_MS);
      if (!canRetry) throw outcome.error(attempt, !safe && attempt <= retries ? NOT_RETRIED : '');
      await sleep(retryDelay(attempt, retryAfterMs), options.signal);
    }
  }

  /** Opens an SSE stream: the deadline covers the response headers only, not the stream's life. */
  async openStream(path: string, query: Record<string, string>, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const label = `GET ${this.#config.prefix}${path}`;
    const requestId = randomUUID();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DeadlineExceeded()), this.#config.timeoutMs);
    const options: KyOptions & { [ATTEMPT]: PerAttempt } = {
      searchParams: query,
      [ATTEMPT]: { requestId, body: undefined, adminToken: true, accept: 'text/event-stream', trace: activeContext() },
      signal: AbortSignal.any([signal, deadline.signal]),
    };
    const pending = this.#ky.get(path.slice(1), options);
    try {
      // Raced as well: the abort must end the wait even if it never reaches fetch.
      const response = await raceAbort(pending, signal);
      if (!response.ok) throw await this.#statusError(response, label, requestId);
      const type = response.headers.get('content-type') ?? '';
      if (!type.includes('text/event-stream') || response.body === null) {
        await response.body?.cancel();
        throw new HaltStateProtocolError(`${label} answered ${response.status} with content-type "${type}", not an event stream`, { status: response.status });
      }
      return response.body;
    } catch (error) {
      // A response that lands after the abort is released; cancelling a body something else has
      // locked rejects, and that rejection must not go unhandled (it would end the process).
      if (signal.aborted) void pending.then((late) => late.body?.cancel()).catch(() => undefined);
      throw this.#networkError(error, label, signal, this.#config.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  async #attempt<T>(call: Call<T>, body: string | undefined, options: RequestOptions, label: string, requestId: string): Promise<
    | { kind: 'done'; reply: Reply<T> }
    | { kind: 'retry'; retryAfterMs: number | undefined; unsent: boolean; error: (attempts: number, note: string) => HaltStateError }
  > {
    const userSignal = options.signal;
    const timeoutMs = options.timeoutMs ?? this.#config.timeoutMs;
    // ky's own timeout covers the wait for the response headers; the body read gets what is left
    // of the same deadline (readCapped). No AbortSignal of ours per request: on Node 20 each
    // signal, and AbortSignal.any above all, costs tens of microseconds and lingers until GC.
    const deadline = performance.now() + timeoutMs;
    try {
      const perAttempt: PerAttempt = { requestId, body, adminToken: call.adminToken === true, trace: call.trace ?? activeContext() };
      const request: KyOptions & { [ATTEMPT]: PerAttempt } = { method: call.method, timeout: timeoutMs, [ATTEMPT]: perAttempt };
      if (call.query !== undefined) request.searchParams = call.query;
      if (userSignal !== undefined) request.signal = userSignal;
      const response = await this.#ky(call.path.slice(1), request);
      const serverId = response.headers.get(HEADERS.requestId) ?? requestId;
      if (response.ok) {
        const data = call.schema ? await this.#parseBody(response, call.schema, label, serverId, deadline) : ((await response.body?.cancel(), undefined) as T);
        return { kind: 'done', reply: { data, status: response.status, requestId: serverId } };
      }
      if (isRetryableStatus(response.status)) {
        const status = response.status;
        const retryAfterMs = parseRetryAfter(response.headers.get(HEADERS.retryAfter));
        const detail = await this.#readDetail(response);
        return {
          kind: 'retry',
          retryAfterMs,
          // The server says it did not take the request: too many requests, or not available.
          unsent: status === 429 || status === 503,
          error: (attempts, note) => errorFromStatus(status, { label, requestId: serverId, detail, baseUrl: this.#config.baseUrl, attempts, note, retryAfterMs }),
        };
      }
      throw await this.#statusError(response, label, requestId);
    } catch (error) {
      if (isHaltStateError(error)) throw error;
      const mapped = this.#networkError(error, label, userSignal, timeoutMs);
      if (isHaltStateError(mapped, 'HALTSTATE_CONNECTION')) {
        return {
          kind: 'retry',
          retryAfterMs: undefined,
          unsent: surelyNotSent(error),
          error: (attempts, note) => new HaltStateConnectionError(`${mapped.message} (after ${attempts} attempt(s)${note})`, { cause: mapped.cause, requestId }),
        };
      }
      throw mapped;
    }
  }

  #networkError(error: unknown, label: string, userSignal: AbortSignal | undefined, timeoutMs: number): unknown {
    if (isHaltStateError(error)) return error;
    if (userSignal?.aborted) return userSignal.reason;
    if (error instanceof DeadlineExceeded || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) {
      return new HaltStateConnectionError(`${label} timed out after ${timeoutMs} ms`);
    }
    // Keep only the cause's name and (scrubbed) message: ky errors hold the request and its headers.
    const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
    const cause = new Error(this.scrub(reason));
    return new HaltStateConnectionError(`${label} could not reach ${this.#config.baseUrl}: ${this.scrub(reason)}`, { cause });
  }

  /** A status that is never retried (3xx, 4xx other than 408/429): one attempt, mapped to its error. */
  async #statusError(response: Response, label: string, ownId: string): Promise<HaltStateError> {
    const requestId = response.headers.get(HEADERS.requestId) ?? ownId;
    // A fetch in browser mode hides a manual redirect as status 0, type `opaqueredirect`.
    if ((response.status >= 300 && response.status < 400) || response.type === 'opaqueredirect') {
      await response.body?.cancel().catch(() => undefined);
      return errorFromStatus(response.status, { label, requestId, detail: undefined, baseUrl: this.#config.baseUrl, redirectTarget: redirectTarget(response) });
    }
    return errorFromStatus(response.status, { label, requestId, detail: await this.#readDetail(response), baseUrl: this.#config.baseUrl });
  }

  async #readDetail(response: Response): Promise<string | undefined> {
    let text: string;
    try {
      text = await readCapped(response, 64 * 1024);
    } catch {
      return undefined;
    }
    if (text.trim() === '') return undefined;
    let detail: unknown = text;
    try {
      const parsed = errorBody.safeParse(JSON.parse(text));
      if (parsed.success && parsed.data.detail !== undefined) detail = parsed.data.detail;
    } catch {
      // not JSON: keep the text
    }
    const flat = (typeof detail === 'string' ? detail : JSON.stringify(detail)).replace(/\s+/g, ' ').trim();
    const safe = this.scrub(flat);
    return safe.length > MAX_DETAIL_CHARS ? `${safe.slice(0, MAX_DETAIL_CHARS)}…` : safe;
  }

  async #parseBody<T>(response: Response, schema: ZodType<T>, label: string, requestId: string | undefined, deadline: number): Promise<T> {
    const type = response.headers.get('content-type') ?? '';
    const protocolError = (what: string, issues: string[] = []) =>
      new HaltStateProtocolError(`${label} answered ${response.status} with ${what}; refusing to treat it as a decision`, { status: response.status, requestId, issues });
    if (!/[/+]json\b/i.test(type)) {
      await response.body?.cancel();
      throw protocolError(`content-type "${type || 'none'}" instead of JSON`);
    }
    let text: string;
    try {
      text = await readCapped(response, MAX_BODY_BYTES, deadline);
    } catch (error) {
      if (isHaltStateError(error, 'HALTSTATE_PROTOCOL')) throw protocolError(error.message);
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw protocolError('a body that is not valid JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
      throw protocolError(`a body that breaks the contract (${issues.join('; ')})`, issues);
    }
    return parsed.data;
  }
}

/**
 * The JSON text of a request body, refused (before anything is sent) when it is larger than a
 * server accepts: the upload would only earn a 413 or a reset, with nothing saying what to shrink.
 */
function serialise(body: unknown, label: string, name: string): string {
  const text = JSON.stringify(body);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: a short text needs no counting.
  if (text.length * 3 <= MAX_REQUEST_BODY_BYTES) return text;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_REQUEST_BODY_BYTES) {
    throw new HaltStateValidationError(
      `${label}: the request body would be ${bytes} bytes, over the ${MAX_REQUEST_BODY_BYTES} bytes (${MAX_REQUEST_BODY_BYTES / 1024} KiB) a HaltState server accepts (MAX_REQUEST_BODY_BYTES); send smaller ${name} (an id or a digest instead of a whole document)`,
      { path: name },
    );
  }
  return text;
}

/** ` to <origin>` of a redirect's Location: no path, query or credentials, which may hold secrets. */
function redirectTarget(response: Response): string {
  const location = response.headers.get('location');
  if (!location) return '';
  try {
    const { origin } = new URL(location, response.url || undefined);
    return origin === 'null' ? '' : ` to ${origin}`;
  } catch {
    return '';
  }
}

/**
 * Reads a body as text, refusing more than `limit` bytes, and giving up (DeadlineExceeded) at
 * `deadline` (a performance.now() time) so a slow or stalled body cannot hang the caller.
 */
async function readCapped(response: Response, limit: number, deadline = Number.POSITIVE_INFINITY): Promise<string> {
  if (response.body === null) return '';
  // A declared length counts what arrives on the wire: with a content-encoding, fetch inflates
  // it, and a small compressed body could be any size once read, so only plain bodies take it.
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isSafeInteger(declared) && declared <= limit && !response.headers.has('content-encoding')) return readDeclared(response, deadline);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  let expired = false;
  const remaining = deadline - performance.now();
  const timer = Number.isFinite(remaining)
    ? setTimeout(() => {
        expired = true;
        // Cancelling settles the pending read with done: true; `expired` tells it apart.
        void reader.cancel().catch(() => undefined);
      }, Math.max(0, Math.ceil(remaining)))
    : undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (expired) throw new DeadlineExceeded();
      if (done) return text + decoder.decode();
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new HaltStateProtocolError(`a body larger than ${limit} bytes`);
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
  }
}

async function readDeclared(response: Response, deadline: number): Promise<string> {
  const remaining = deadline - performance.now();
  if (!Number.isFinite(remaining)) return response.text();
  return new Promise<string>((resolve, reject) => {
    // Whole milliseconds: Node keeps one timer list per duration, and a fractional one would
    // make a new list (and a priority-queue entry) for every call.
    const timer = setTimeout(() => reject(new DeadlineExceeded()), Math.max(0, Math.ceil(remaining)));
    response.text().then(
      (text) => {
        clearTimeout(timer);
        resolve(text);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
