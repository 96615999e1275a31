import { randomUUID } from 'node:crypto';
import {
  ActionAlreadyExecuted,
  ActionDenied,
  ActionExpired,
  ApprovalPending,
  ApprovalTimeoutError,
  DecisionError,
  HaltStateClosedError,
  HaltStateConnectionError,
  HaltStateProtocolError,
  HaltStateValidationError,
  isHaltStateError,
  KillSwitchTriggered,
} from './errors.js';
import { Transport } from './internal/transport.js';
import { KillSwitch } from './internal/kill-switch.js';
import { ParamsDigest } from './idempotency.js';
import { toJson, toJsonObject, type JsonObject } from './json.js';
import { redact } from './redaction.js';
import { ReportQueue } from './internal/report-queue.js';
import type { FlushResult, ReportStats } from './report-types.js';
import { sleep } from './internal/retry.js';
import { SseLimitError, SseParser } from './internal/sse.js';
import { callerSignal, Deadline, linkSignals } from './internal/abort.js';
import { REQUEST_OPTION_NAMES, resolveOptions, shown, type ClientOptions, type ResolvedOptions } from './options.js';
import { assertKnownKeys } from './internal/option-names.js';
import { announceApprovalRequested } from './internal/approval-notice.js';
import { KILL_SWITCH_POLICY_ID, PREFIXES, ROUTES } from './routes.js';
import { approvalDecisionEvent, approvalResponse, approvalsSinceResponse, streamEventEnvelope } from './schemas/approval.js';
import { checkResponse, type CheckResponse } from './schemas/check.js';
import { identifier } from './schemas/common.js';
import { reportAcknowledgement } from './schemas/report.js';
import { guardResponse, type GuardResponse } from './schemas/guard.js';
import { heartbeatResponse } from './schemas/heartbeat.js';
import { toAgentStatus, type AgentStatus } from './statuses.js';
import type { ApprovalEvent, ApprovalRequest, ApprovalState, CheckInput, Decision, ExecuteInput, GuardInput, Permit, ReportInput, RequestOptions, WaitCallOptions, WaitOptions } from './types.js';
import { SDK_VERSION } from './version.js';

const DEFAULT_WAIT_MS = 3_600_000;
const DEFAULT_POLL_MS = 5_000;
const MAX_POLL_MS = 30_000;
const DEFAULT_CLOSE_MS = 5_000;
const MAX_REPORTED_ERROR_CHARS = 2_000;

const CLIENT_BRAND = Symbol.for('haltstate.client');

/** Keys of every call input (check, guard, execute); others are refused with a suggestion. */
const INPUT_KEYS = ['action', 'params', 'agentId', 'idempotencyKey', 'metadata', 'wait', 'report'] as const satisfies ReadonlyArray<keyof ExecuteInput>;
const WAIT_KEYS = ['timeoutMs', 'pollIntervalMs', 'onApprovalRequested'] as const satisfies ReadonlyArray<keyof WaitOptions>;
const WAIT_CALL_KEYS = [...REQUEST_OPTION_NAMES, 'pollIntervalMs'] as const satisfies ReadonlyArray<keyof WaitCallOptions>;

/**
 * True for a `HaltStateClient`, whichever copy of the package made it (the CommonJS and the ESM
 * build loaded in one process each have their own class, so `instanceof` would miss one).
 *
 * @example
 * const client = isHaltStateClient(option) ? option : resolveByName(option);
 */
export function isHaltStateClient(value: unknown): value is HaltStateClient {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CLIENT_BRAND] === true;
}

/**
 * Internal event of the approval stream: decisions, the moment the subscription is live, and the
 * moment it dropped (a reconnect follows, with backoff).
 */
type StreamItem = { type: 'connected' } | { type: 'dropped' } | { type: 'decision'; event: ApprovalEvent };

/**
 * The HaltState client: policy checks before an agent acts, the guard pattern, human approvals,
 * reports after the act, and the kill switch.
 *
 * @example
 * const client = new HaltStateClient({ tenantId: 'acme', apiKey: process.env.HALTSTATE_API_KEY });
 * const receipt = await client.guard({ action: 'payment.process', params: { amount: 5000 } },
 *   async (permit) => pay(5000));
 */
export class HaltStateClient {
  readonly [CLIENT_BRAND] = true;
  readonly #options: ResolvedOptions;
  readonly #transport: Transport;
  readonly #reports: ReportQueue;
  readonly #killSwitch: KillSwitch;
  readonly #digest: ParamsDigest;
  /** Aborted when `close()` starts: ends streams, subscriptions and waits at once. */
  readonly #closing = new AbortController();
  /** Aborted when `close()` has flushed: ends report delivery and the kill switch's polls. */
  readonly #lifetime = new AbortController();

  constructor(options: ClientOptions = {}) {
    this.#options = resolveOptions(options);
    this.#transport = new Transport({
      baseUrl: this.#options.baseUrl,
      prefix: PREFIXES[this.#options.namespace],
      tenantId: this.#options.tenantId,
      apiKey: this.#options.apiKey,
      timeoutMs: this.#options.timeoutMs,
      retries: this.#options.retries,
      userAgent: `haltstate-sdk-ts/${SDK_VERSION} node/${process.versions.node}`,
      fetch: this.#options.fetch,
    });
    const onReportError =
      this.#options.onReportError ??
      ((error: Error) => process.emitWarning(this.#transport.scrub(error.message), { code: 'HALTSTATE_REPORT_NOT_DELIVERED' }));
    this.#reports = new ReportQueue({
      maxSize: this.#options.maxQueuedReports,
      onError: onReportError,
      send: async (report) => {
        // The answer's body is not used, but it must be the server's: a 200 that is not JSON came
        // from something in between, and the report may not have landed.
        await this.#transport.request({ method: 'POST', path: report.path, body: report.body, bodyName: report.info.kind === 'report' ? 'result' : 'error', schema: reportAcknowledgement, requestId: report.requestId }, { signal: this.#lifetime.signal });
      },
    });
    this.#killSwitch = new KillSwitch(this.#options.agentId);
    this.#digest = new ParamsDigest(this.#options.digestSecret ?? this.#options.apiKey);
  }

  /** Tenant this client acts for. */
  get tenantId(): string {
    return this.#options.tenantId;
  }

  /** Agent id used when a call names none. */
  get agentId(): string {
    return this.#options.agentId;
  }

  /** Report delivery totals: queued, delivered, failed, dropped, pending. */
  get reportStats(): ReportStats {
    return this.#reports.stats;
  }

  /** The kill switch's last known status for this client. */
  get agentStatus(): AgentStatus {
    return this.#killSwitch.status;
  }

  /**
   * Asks the policy service whether an action may run. Does not run anything.
   *
   * @example
   * const decision = await client.check({ action: 'payment.process', params: { amount: 5000 } });
   * if (decision.allowed) { … }
   */
  check(input: CheckInput, options?: RequestOptions): Promise<Decision>;
  check(action: string, input?: Omit<CheckInput, 'action'>, options?: RequestOptions): Promise<Decision>;
  async check(first: CheckInput | string, second?: Omit<CheckInput, 'action'> | RequestOptions, third?: RequestOptions): Promise<Decision> {
    const [input, given] = typeof first === 'string' ? [{ ...(second as Omit<CheckInput, 'action'>), action: first }, third] : [first, second as RequestOptions | undefined];
    return this.#run(given, () => `check of ${describeAction(input)}`, (options) => this.#check(input, options));
  }

  async #check(input: CheckInput, options: RequestOptions): Promise<Decision> {
    this.#killSwitch.assertAlive();
    const { agentId, action, params } = this.#prepare(input);
    const requestId = randomUUID();
    let body: CheckResponse;
    try {
      ({ data: body } = await this.#transport.request(
        // The id makes a retry recognisable; `unsent` keeps a check that may have created an
        // approval from being sent again to a server that does not dedupe by it.
        { method: 'POST', path: ROUTES.check, body: { agent_id: agentId, action, params: this.#redactParams(params) }, bodyName: 'params', schema: checkResponse, retry: 'unsent', requestId },
        options,
      ));
    } catch (error) {
      if (this.#options.failOpen && isHaltStateError(error, 'HALTSTATE_CONNECTION')) {
        return { decision: 'ALLOW', allowed: true, denied: false, requiresApproval: false, reason: 'Fail-open: connection error', policyId: null, latencyMs: 0, approvalId: null, requestId, failOpen: true, action, agentId };
      }
      throw error;
    }
    return {
      decision: body.decision,
      allowed: body.decision === 'ALLOW',
      denied: body.decision === 'DENY',
      requiresApproval: body.decision === 'APPROVAL_REQUIRED',
      reason: body.reason ?? '',
      policyId: body.policy_id ?? null,
      latencyMs: body.latency_ms ?? 0,
      approvalId: body.approval_id ?? body.request_id ?? null,
      requestId,
      failOpen: false,
      action,
      agentId,
    };
  }

  /**
   * Queues the outcome of a checked action. Never blocks or throws for delivery problems: those
   * go to `onReportError` and `reportStats`. Call `flush()` or `close()` before the process exits.
   *
   * @example
   * await client.report(decision, { status: 'success', result: { transactionId: 'tx_123' } });
   */
  async report(decision: Decision, outcome: ReportInput): Promise<void> {
    if (!['success', 'error', 'failure'].includes(outcome?.status)) {
      throw new HaltStateValidationError(`report status must be "success", "error" or "failure", got ${JSON.stringify(outcome?.status)}`, { path: 'status' });
    }
    let result: JsonObject | null = null;
    if (outcome.result !== undefined && outcome.result !== null) {
      const json = toJson(outcome.result, 'result', true);
      const object = typeof json === 'object' && json !== null && !Array.isArray(json) ? json : { value: json };
      result = redact(decision.failOpen ? { ...object, fail_open: true } : object, this.#options.redact);
    } else if (decision.failOpen) {
      result = { fail_open: true };
    }
    this.#reports.enqueue({
      info: { kind: 'report', action: decision.action, agentId: decision.agentId, id: decision.requestId },
      path: ROUTES.report,
      body: { request_id: decision.requestId, agent_id: decision.agentId, action: decision.action, status: outcome.status, decision: decision.decision, policy_id: decision.policyId, result },
    });
  }

  /**
   * The idempotency key `guard` derives when a call names none: an HMAC, under this client's
   * digest secret, of tenant, agent, action and the unredacted params. Adapters use it to key a
   * call by its content (the same arguments find the same approval).
   *
   * @example
   * const key = client.idempotencyKey({ action: 'tool.refund', agentId: 'support-bot', params: { args } });
   */
  idempotencyKey(input: CheckInput): string {
    const { agentId, action, params } = this.#prepare(input);
    return this.#digest.idempotencyKey(this.#options.tenantId, agentId, action, params);
  }

  /**
   * Runs `fn` only when the service says `allowed` or `approved`, then reports its outcome and
   * returns its value. Denied (`KillSwitchTriggered` when the server's kill switch denied it),
   * pending (without `wait`), expired, already executed on its approval, a wait past its
   * `timeoutMs`, an unknown answer or an unreachable service all throw, and `fn` does not run,
   * whatever `failOpen` says.
   *
   * @example
   * await client.guard({ action: 'payment.process', params, idempotencyKey: `payment-${invoiceId}`, wait: true },
   *   async (permit) => pay(invoiceId));
   */
  async guard<T>(input: GuardInput, fn: (permit: Permit) => T | Promise<T>, given: RequestOptions = {}): Promise<Awaited<T>> {
    return this.#run(given, () => `guard of ${describeAction(input)}`, (options) => this.#guard(input, fn, options));
  }

  async #guard<T>(input: GuardInput, fn: (permit: Permit) => T | Promise<T>, options: RequestOptions): Promise<Awaited<T>> {
    if (typeof fn !== 'function') throw new HaltStateValidationError('guard needs a function to run as its second argument', { path: 'fn' });
    this.#killSwitch.assertAlive();
    const { agentId, action, params } = this.#prepare(input);
    const idempotencyKey = input.idempotencyKey ?? this.#digest.idempotencyKey(this.#options.tenantId, agentId, action, params);
    this.#validate(idempotencyKey, 'idempotencyKey');
    const body = {
      agent_id: agentId,
      action,
      params: this.#redactParams(params),
      idempotency_key: idempotencyKey,
      tenant_id: this.#options.tenantId,
      ...(input.metadata === undefined ? {} : { metadata: redact(toJsonObject(input.metadata, 'metadata'), this.#options.redact) }),
    };
    const { wait, waitMs } = waitSettings(input.wait);
    const ask = async (signal?: AbortSignal) =>
      (await this.#transport.request({ method: 'POST', path: ROUTES.guard, body, bodyName: 'params', schema: guardResponse }, signal ? { ...options, signal } : options)).data;

    let answer: GuardResponse = await ask();
    // Set when the guard starts to wait; the function never starts once it has passed.
    let deadline: Deadline | undefined;
    try {
      let decided = false;
      while (answer.status === 'pending') {
        const approvalId = answer.approval_id ?? idempotencyKey;
        if (!wait) throw new ApprovalPending({ approvalId, idempotencyKey, action });
        if (decided) throw new HaltStateProtocolError(`guard for "${action}" is still pending after approval ${approvalId} was decided`);
        this.#announce({ approvalId, action, agentId, idempotencyKey }, wait, waitMs);
        deadline = waitDeadline(approvalId, waitMs);
        await this.#awaitDecision(approvalId, deadline.signal, { ...options, pollIntervalMs: wait.pollIntervalMs });
        decided = true;
        // The server stays the source of truth: ask again with the same key, within the deadline.
        const link = linkSignals(options.signal, deadline.signal, this.#closing.signal);
        try {
          answer = await ask(link.signal);
        } finally {
          link.dispose();
        }
      }
      if (answer.status === 'denied') throw denial({ action, agentId, reason: answer.reason, policyId: answer.policy_id ?? null, approver: answer.approver ?? null });
      if (answer.status === 'expired') throw new ActionExpired({ action, approvalId: answer.approval_id ?? undefined });
      if (answer.status === 'executed') throw new ActionAlreadyExecuted({ action, approvalId: answer.approval_id ?? undefined, idempotencyKey, executedAt: answer.executed_at ?? null });
      await this.#readyToRun(waitMs, options.signal, deadline);
    } finally {
      deadline?.dispose();
    }

    const permit: Permit = {
      status: answer.status,
      approvalId: answer.approval_id ?? idempotencyKey,
      approvedAt: answer.approved_at ?? new Date().toISOString(),
      approver: answer.approver ?? null,
      idempotencyKey,
      action,
      agentId,
    };
    const reportOutcome = (outcome: 'success' | 'error', error: string | null) =>
      this.#reports.enqueue({
        info: { kind: 'guardReport', action, agentId, id: idempotencyKey },
        path: ROUTES.guardReport,
        body: { idempotency_key: idempotencyKey, action, agent_id: agentId, outcome, error },
      });
    try {
      const value = await fn(permit);
      reportOutcome('success', null);
      return value;
    } catch (error) {
      reportOutcome('error', describeError(error));
      throw error;
    }
  }

  /**
   * The flow adapters use: with an `idempotencyKey`, `guard`; without one, check → run → report.
   * Denied throws `ActionDenied` (`KillSwitchTriggered` for a DENY of the server's kill switch);
   * approval required throws `ApprovalPending` unless `wait`.
   *
   * @example
   * await client.execute({ action: 'email.send', params: { to } }, () => sendEmail(to));
   */
  async execute<T>(input: ExecuteInput, fn: (permit: Permit | null) => T | Promise<T>, given: RequestOptions = {}): Promise<Awaited<T>> {
    const what = () => `${input?.idempotencyKey === undefined ? 'execute' : 'guard'} of ${describeAction(input)}`;
    return this.#run(given, what, (options) => this.#execute(input, fn, options));
  }

  async #execute<T>(input: ExecuteInput, fn: (permit: Permit | null) => T | Promise<T>, options: RequestOptions): Promise<Awaited<T>> {
    if (input.idempotencyKey !== undefined) return this.#guard(input, fn, options);
    const decision = await this.#check(input, options);
    const { wait, waitMs } = waitSettings(input.wait);
    if (decision.denied) throw denial({ action: decision.action, agentId: decision.agentId, reason: decision.reason, policyId: decision.policyId, approver: null });
    let deadline: Deadline | undefined;
    try {
      if (decision.requiresApproval) {
        const approvalId = decision.approvalId!;
        if (!wait) throw new ApprovalPending({ approvalId, action: decision.action });
        this.#announce({ approvalId, action: decision.action, agentId: decision.agentId, idempotencyKey: null }, wait, waitMs);
        deadline = waitDeadline(approvalId, waitMs);
        const state = await this.#awaitDecision(approvalId, deadline.signal, { ...options, pollIntervalMs: wait.pollIntervalMs });
        throwUnlessApproved(state, decision.action, decision.policyId);
      }
      await this.#readyToRun(waitMs, options.signal, deadline);
    } finally {
      deadline?.dispose();
    }
    const report = input.report !== false;
    try {
      const value = await fn(null);
      if (report) await this.report(decision, { status: 'success', result: value });
      return value;
    } catch (error) {
      if (report) await this.report(decision, { status: 'error', result: { error: describeError(error) } });
      throw error;
    }
  }

  /**
   * Waits for a human decision on an approval: one GET first, then the SSE stream (polling with
   * backoff when the stream is unavailable). Resolves when approved; throws `ActionDenied` when
   * rejected, `ActionExpired` when expired, `ApprovalTimeoutError` after `timeoutMs`.
   *
   * @example
   * const state = await client.waitForApproval(error.approvalId, { timeoutMs: 60_000 });
   */
  async waitForApproval(approvalId: string, given: WaitCallOptions = {}): Promise<ApprovalState> {
    return this.#run(given, () => `waitForApproval(${JSON.stringify(approvalId)})`, (options) => this.#waitForApproval(approvalId, options), WAIT_CALL_KEYS);
  }

  async #waitForApproval(approvalId: string, options: WaitCallOptions): Promise<ApprovalState> {
    positiveMs(options.timeoutMs, 'timeoutMs');
    positiveMs(options.pollIntervalMs, 'pollIntervalMs');
    this.#validate(approvalId, 'approvalId');
    const deadline = waitDeadline(approvalId, options.timeoutMs ?? DEFAULT_WAIT_MS);
    try {
      const state = await this.#awaitDecision(approvalId, deadline.signal, options);
      throwUnlessApproved(state, state.action ?? 'action', null);
      return state;
    } finally {
      deadline.dispose();
    }
  }

  /** One approval's current state. */
  async getApproval(approvalId: string, given?: RequestOptions): Promise<ApprovalState> {
    return this.#run(given, () => `getApproval(${JSON.stringify(approvalId)})`, (options) => this.#getApproval(approvalId, options));
  }

  async #getApproval(approvalId: string, options: RequestOptions): Promise<ApprovalState> {
    this.#validate(approvalId, 'approvalId');
    const { data } = await this.#transport.request({ method: 'GET', path: ROUTES.approval(approvalId), schema: approvalResponse, adminToken: true }, options);
    return { approvalId, status: data.status, approver: data.approver ?? null, reason: data.reason ?? null, decidedAt: data.decided_at ?? null, agentId: data.agent_id ?? null, action: data.action ?? null };
  }

  /** Decisions made after `since`, oldest first (at most `limit`, 1–500). */
  async approvalsSince(since: Date | string, given: RequestOptions & { limit?: number | undefined } = {}): Promise<ApprovalEvent[]> {
    return this.#run(given, () => 'approvalsSince', (options) => this.#approvalsSince(since, options), [...REQUEST_OPTION_NAMES, 'limit']);
  }

  async #approvalsSince(since: Date | string, options: RequestOptions & { limit?: number | undefined }): Promise<ApprovalEvent[]> {
    const sinceIso = since instanceof Date ? since.toISOString() : since;
    if (Number.isNaN(Date.parse(sinceIso))) throw new HaltStateValidationError(`since must be a Date or an ISO-8601 string, got ${JSON.stringify(since)}`, { path: 'since' });
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new HaltStateValidationError(`limit must be an integer from 1 to 500, got ${limit}`, { path: 'limit' });
    const { data } = await this.#transport.request(
      { method: 'GET', path: ROUTES.approvalsSince, query: { tenant_id: this.#options.tenantId, since: sinceIso, limit: String(limit) }, schema: approvalsSinceResponse, adminToken: true },
      options,
    );
    return data.decisions.map((entry) => ({
      approvalId: entry.request_id,
      status: entry.status,
      approver: entry.approver ?? null,
      reason: entry.reason ?? null,
      agentId: entry.agent_id ?? null,
      action: entry.action ?? null,
      timestamp: entry.decided_at ?? null,
      catchup: false,
    }));
  }

  /**
   * Human decisions as they happen, over SSE. Reconnects after a dropped stream and resumes from
   * the last timestamp seen. Ends when `signal` aborts or the client closes; throws on auth errors.
   *
   * @example
   * for await (const event of client.approvals()) console.log(event.approvalId, event.status);
   */
  async *approvals(options: { lastSeen?: Date | string | undefined; signal?: AbortSignal | undefined } = {}): AsyncGenerator<ApprovalEvent, void, undefined> {
    for await (const item of this.#stream(options.lastSeen, options.signal)) {
      if (item.type === 'decision') yield item.event;
    }
  }

  /**
   * Calls `listener` for each human decision until the returned function is called.
   * Stream errors other than auth are retried; auth errors and listener errors go to `onError`.
   */
  onApproval(listener: (event: ApprovalEvent) => void, options: { lastSeen?: Date | string | undefined; onError?: ((error: unknown) => void) | undefined } = {}): () => void {
    const stop = new AbortController();
    void (async () => {
      try {
        for await (const event of this.approvals({ lastSeen: options.lastSeen, signal: stop.signal })) listener(event);
      } catch (error) {
        if (!stop.signal.aborted) options.onError?.(error);
      }
    })();
    return () => stop.abort();
  }

  /** Asks the kill switch route for an agent's status. */
  async heartbeat(agentId: string = this.#options.agentId, given?: RequestOptions): Promise<AgentStatus> {
    return this.#run(given, () => 'heartbeat', (options) => this.#heartbeat(agentId, options));
  }

  async #heartbeat(agentId: string, options: RequestOptions): Promise<AgentStatus> {
    this.#validate(agentId, 'agentId');
    const { data } = await this.#transport.request({ method: 'GET', path: ROUTES.heartbeat, query: { agent_id: agentId }, schema: heartbeatResponse }, options);
    return toAgentStatus(data.status);
  }

  /**
   * Polls the heartbeat now and every `intervalMs`. KILL stops this client for good; PAUSE holds
   * new guarded actions until the status is OK again. Resolves with the first status.
   */
  async startKillSwitch(options: { intervalMs?: number | undefined; agentId?: string | undefined; onError?: ((error: unknown) => void) | undefined } = {}): Promise<AgentStatus> {
    const intervalMs = options.intervalMs ?? 30_000;
    if (!Number.isFinite(intervalMs) || intervalMs < 100) throw new HaltStateValidationError(`intervalMs must be at least 100, got ${intervalMs}`, { path: 'intervalMs' });
    const agentId = options.agentId ?? this.#options.agentId;
    const poll = async () => {
      try {
        this.#killSwitch.update(await this.heartbeat(agentId, { signal: this.#lifetime.signal }));
      } catch (error) {
        if (!this.#lifetime.signal.aborted) options.onError?.(error);
      }
    };
    const first = await this.heartbeat(agentId);
    this.#killSwitch.update(first);
    if (first !== 'KILL') {
      const timer = setInterval(() => void poll(), intervalMs);
      timer.unref();
      this.#killSwitch.watch(agentId, timer);
    }
    return first;
  }

  /** Resolves once every queued report is delivered, or at `timeoutMs` with what was not. */
  flush(options: { timeoutMs?: number | undefined } = {}): Promise<FlushResult> {
    return this.#reports.flush(options.timeoutMs ?? DEFAULT_CLOSE_MS);
  }

  /**
   * Stops the kill switch, streams and waits, flushes reports (bounded by `timeoutMs`) and gives
   * up on what is left, reporting each to `onReportError`.
   */
  async close(options: { timeoutMs?: number | undefined } = {}): Promise<FlushResult> {
    const closed = new HaltStateClosedError(
      'The HaltState client was closed (client.close()) before this call finished; a guarded action that had not started did not run. An approval it waited for stays on the server: ask again with the same key from an open client',
    );
    if (!this.#closing.signal.aborted) this.#closing.abort(closed);
    this.#killSwitch.stop();
    this.#reports.close();
    const result = await this.#reports.flush(options.timeoutMs ?? DEFAULT_CLOSE_MS);
    if (!this.#lifetime.signal.aborted) this.#lifetime.abort(closed);
    this.#reports.abandon('the client was closed before delivery');
    return result;
  }

  /** `await using client = new HaltStateClient(…)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toJSON(): Record<string, string> {
    return { tenantId: this.#options.tenantId, baseUrl: this.#options.baseUrl, agentId: this.#options.agentId, apiKey: '[REDACTED]' };
  }

  toString(): string {
    return `HaltStateClient(${this.#options.tenantId} @ ${this.#options.baseUrl})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `HaltStateClient ${JSON.stringify(this.toJSON())}`;
  }

  /**
   * Runs a public call: its options checked, refused once the client is closed, and the caller's
   * signal passed on with a typed abort (see `callerSignal`).
   */
  async #run<O extends RequestOptions, T>(given: O | undefined, what: () => string, call: (options: O) => Promise<T>, known?: readonly string[]): Promise<T> {
    const options = requestOptions(given, known) as O;
    if (this.#closing.signal.aborted) throw new HaltStateClosedError(`The HaltState client is closed (client.close() was called): ${what()} was not sent. Use an open client`);
    const caller = callerSignal(options.signal, what);
    if (caller === undefined) return call(options);
    try {
      return await call({ ...options, signal: caller.signal });
    } finally {
      caller.dispose();
    }
  }

  /**
   * Just before a guarded function starts: never after KILL, held while PAUSE, not once the
   * caller aborted or the wait's deadline passed. Nothing is awaited after the last check.
   */
  async #readyToRun(waitMs: number, signal: AbortSignal | undefined, deadline: Deadline | undefined): Promise<void> {
    this.#killSwitch.assertAlive();
    if (this.#killSwitch.status === 'PAUSE') {
      const link = linkSignals(signal, deadline?.signal, this.#closing.signal);
      try {
        await this.#killSwitch.whenRunnable(waitMs, link.signal);
      } finally {
        link.dispose();
      }
    }
    this.#killSwitch.assertAlive();
    this.#closing.signal.throwIfAborted();
    signal?.throwIfAborted();
    deadline?.signal.throwIfAborted();
  }

  /** A wait for a human starts: the debug line, then the client's hook and the call's. */
  #announce(request: Omit<ApprovalRequest, 'url'>, wait: WaitOptions, waitMs: number): void {
    const url = this.#options.approvalUrl?.(request.approvalId);
    announceApprovalRequested({
      request: { ...request, url },
      hooks: [this.#options.onApprovalRequested, wait.onApprovalRequested],
      logger: this.#options.logger,
      waitMs,
      scrub: (text) => this.#transport.scrub(text),
    });
  }

  /** Params as sent: each redacted value is a keyed tag, so a different secret is a different call. */
  #redactParams(params: JsonObject): JsonObject {
    return redact(params, this.#options.redact, (path, value) => this.#digest.tag(path, value));
  }

  #prepare(input: CheckInput): { agentId: string; action: string; params: JsonObject } {
    if (typeof input !== 'object' || input === null) throw new HaltStateValidationError('Expected { action, params?, agentId? }', { path: 'input' });
    assertKnownKeys(input, INPUT_KEYS, 'call input key');
    const action = this.#validate(input.action, 'action');
    const agentId = this.#validate(input.agentId ?? this.#options.agentId, 'agentId');
    return { agentId, action, params: toJsonObject(input.params, 'params') };
  }

  #validate(value: unknown, name: string): string {
    const parsed = identifier.safeParse(value);
    if (!parsed.success) throw new HaltStateValidationError(`${name} ${typeof value === 'string' ? parsed.error.issues[0]!.message : `must be a string, got ${value === null ? 'null' : typeof value}`}`, { path: name });
    return parsed.data;
  }

  /**
   * Waits for any terminal state of an approval until `until` aborts. GET first; SSE (GET again
   * once live, and after each drop of the stream); polling as fallback. A read that fails with
   * 429 keeps waiting; one that cannot reach the server after its retries abandons the wait
   * (`HaltStateConnectionError` naming the approval) instead of spending the rest of the deadline.
   */
  async #awaitDecision(approvalId: string, until: AbortSignal, options: RequestOptions & { pollIntervalMs?: number | undefined }): Promise<ApprovalState> {
    const link = linkSignals(until, this.#killSwitch.signal, this.#closing.signal, options.signal);
    const signal = link.signal;
    const request = { signal, retries: options.retries };
    const read = async (): Promise<ApprovalState | undefined> => {
      try {
        return await this.#getApproval(approvalId, request);
      } catch (error) {
        if (signal.aborted) throw error;
        if (isHaltStateError(error, 'HALTSTATE_RATE_LIMITED')) return undefined;
        if (isHaltStateError(error, 'HALTSTATE_CONNECTION')) throw abandoned(approvalId, error);
        throw error;
      }
    };
    const decided = (state: ApprovalState | undefined) => state !== undefined && state.status !== 'pending';
    try {
      let state = await read();
      if (decided(state)) return state!;
      const items = this.#stream(undefined, signal);
      try {
        for (;;) {
          let next: IteratorResult<StreamItem>;
          try {
            next = await items.next();
          } catch (error) {
            if (signal.aborted || isHaltStateError(error, 'HALTSTATE_AUTH')) throw error;
            break; // The stream is unavailable here: poll instead.
          }
          if (next.done) break;
          const item = next.value;
          if (item.type === 'decision') {
            if (item.event.approvalId !== approvalId) continue;
            const { status, approver, reason, timestamp, agentId, action } = item.event;
            return { approvalId, status, approver, reason, decidedAt: timestamp, agentId, action };
          }
          // Live (a decision made before the subscription is only visible to a GET), or dropped
          // (is the server still there? a GET says, after its retries).
          state = await read();
          if (decided(state)) return state!;
        }
      } finally {
        await items.return(undefined);
      }
      let interval = options.pollIntervalMs ?? DEFAULT_POLL_MS;
      for (;;) {
        await sleep(interval, signal);
        interval = Math.min(interval * 1.5, MAX_POLL_MS);
        state = await read();
        if (decided(state)) return state!;
      }
    } catch (error) {
      throw signal.aborted ? signal.reason : error;
    } finally {
      link.dispose();
    }
  }


  /**
   * The approval stream with reconnects. Throws when the first connection fails (so callers can
   * fall back to polling) or on auth errors; later drops reconnect with backoff from the last timestamp.
   */
  async *#stream(lastSeen: Date | string | undefined, outer?: AbortSignal): AsyncGenerator<StreamItem, void, undefined> {
    const link = linkSignals(outer, this.#closing.signal);
    const signal = link.signal;
    const label = `GET ${PREFIXES[this.#options.namespace]}${ROUTES.approvalsStream}`;
    let since = lastSeen instanceof Date ? lastSeen.toISOString() : lastSeen;
    let connectedOnce = false;
    let backoff = 500;
    try {
      while (!signal.aborted) {
        let body: ReadableStream<Uint8Array>;
        try {
          body = await this.#transport.openStream(ROUTES.approvalsStream, { tenant_id: this.#options.tenantId, ...(since ? { last_seen: since } : {}) }, signal);
        } catch (error) {
          if (signal.aborted) return;
          if (!connectedOnce || isFatalStreamError(error)) throw error;
          yield { type: 'dropped' };
          await sleep(backoff, signal).catch(() => undefined);
          backoff = Math.min(backoff * 2, MAX_POLL_MS);
          continue;
        }
        const parser = new SseParser();
        const decoder = new TextDecoder();
        const reader = body.getReader();
        // Cancelling the reader ends a pending read at once, whatever became of fetch's own signal
        // (a chain of AbortSignal.any() links may have been collected). One microtask later, so
        // that a fetch that still hears the abort ends the body with its reason first.
        const cancel = () => queueMicrotask(() => void reader.cancel(signal.reason).catch(() => undefined));
        signal.addEventListener('abort', cancel, { once: true });
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done || signal.aborted) break;
            for (const message of parser.feed(decoder.decode(value, { stream: true }))) {
              const item = parseStreamMessage(message.data);
              if (item?.type === 'connected') {
                connectedOnce = true;
                backoff = 500;
              }
              if (item?.type === 'decision' && item.event.timestamp) since = item.event.timestamp;
              if (item) yield item;
            }
          }
        } catch (error) {
          if (error instanceof SseLimitError && !connectedOnce) {
            throw new HaltStateProtocolError(`${label} sent ${error.what} longer than 1 MiB before it connected; the stream was refused`);
          }
          // A dropped stream (or one that broke the parser's bounds): reconnect below.
        } finally {
          signal.removeEventListener('abort', cancel);
          await reader.cancel().catch(() => undefined);
        }
        if (signal.aborted) return;
        yield { type: 'dropped' };
        await sleep(backoff, signal).catch(() => undefined);
        backoff = Math.min(backoff * 2, MAX_POLL_MS);
      }
    } finally {
      link.dispose();
    }
  }
}

/** The end of a wait whose server could not be reached: not a decision, and not the deadline. */
function abandoned(approvalId: string, cause: HaltStateConnectionError): HaltStateConnectionError {
  return new HaltStateConnectionError(
    `Stopped waiting for approval ${approvalId}: ${cause.message}. The wait was abandoned, not decided: the approval stays on the server; ask again with the same idempotency key (or waitForApproval("${approvalId}")) once it can be reached`,
    { cause, approvalId, status: cause.status, requestId: cause.requestId },
  );
}

/** How a message names the action of a call, whatever the input was. */
function describeAction(input: unknown): string {
  const action = typeof input === 'object' && input !== null ? (input as { action?: unknown }).action : undefined;
  return typeof action === 'string' ? JSON.stringify(action.length > 100 ? `${action.slice(0, 100)}…` : action) : 'an action';
}

/** Failures a reconnect cannot fix: wrong credentials, or a redirect (which is never followed). */
function isFatalStreamError(error: unknown): boolean {
  if (isHaltStateError(error, 'HALTSTATE_AUTH')) return true;
  const status = isHaltStateError(error) ? error.status : undefined;
  return status !== undefined && status >= 300 && status < 400;
}

/** A wait's deadline, ending it with `ApprovalTimeoutError`. */
function waitDeadline(approvalId: string, timeoutMs: number): Deadline {
  return new Deadline(timeoutMs, () => new ApprovalTimeoutError({ approvalId, timeoutMs }));
}

/** Options of one call, their keys checked (a misspelt key would silently do nothing). */
function requestOptions<O extends object>(options: O | undefined, known: readonly string[] = REQUEST_OPTION_NAMES): O | Record<string, never> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw new HaltStateValidationError(`request options must be an object like { signal, timeoutMs, retries }, got ${shown(options)}`, { path: 'options' });
  assertKnownKeys(options, known, 'request option');
  const { timeoutMs, retries } = options as RequestOptions;
  positiveMs(timeoutMs, 'timeoutMs');
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 10)) {
    throw new HaltStateValidationError(`retries must be a whole number from 0 to 10, got ${shown(retries)}`, { path: 'retries' });
  }
  return options;
}

/** A duration in milliseconds a caller gave: absent, or a positive finite number. */
function positiveMs(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new HaltStateValidationError(`${name} must be a positive number of milliseconds, got ${shown(value)}`, { path: name });
  }
}

function parseStreamMessage(data: string): StreamItem | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const envelope = streamEventEnvelope.safeParse(json);
  if (!envelope.success) return undefined;
  if (envelope.data.type === 'CONNECTED') return { type: 'connected' };
  if (envelope.data.type !== 'APPROVAL_DECISION') return undefined;
  const parsed = approvalDecisionEvent.safeParse(json);
  if (!parsed.success) return undefined;
  const event = parsed.data;
  return {
    type: 'decision',
    event: { approvalId: event.request_id, status: event.status, approver: event.approver ?? null, reason: event.reason ?? null, agentId: event.agent_id ?? null, action: event.action ?? null, timestamp: event.timestamp, catchup: event.catchup ?? false },
  };
}

/** `wait: true` means the defaults; the bound also caps how long a PAUSE may hold the action. */
function waitSettings(wait: GuardInput['wait']): { wait: WaitOptions | undefined; waitMs: number } {
  if (wait !== undefined && typeof wait !== 'boolean' && (typeof wait !== 'object' || wait === null)) {
    throw new HaltStateValidationError(`wait must be true, false or { timeoutMs?, pollIntervalMs? }, got ${shown(wait)}`, { path: 'wait' });
  }
  if (typeof wait === 'object') {
    assertKnownKeys(wait, WAIT_KEYS, 'wait option', 'wait.');
    positiveMs(wait.timeoutMs, 'wait.timeoutMs');
    positiveMs(wait.pollIntervalMs, 'wait.pollIntervalMs');
    if (wait.onApprovalRequested !== undefined && typeof wait.onApprovalRequested !== 'function') {
      throw new HaltStateValidationError(`wait.onApprovalRequested must be a function, got ${shown(wait.onApprovalRequested)}`, { path: 'wait.onApprovalRequested' });
    }
  }
  const settings = wait === true ? {} : wait || undefined;
  return { wait: settings, waitMs: settings?.timeoutMs ?? DEFAULT_WAIT_MS };
}

/**
 * A DENY from the server's kill switch is `KillSwitchTriggered` for this call (the server lifts it
 * on resume, so the client is not stopped for good); any other DENY is `ActionDenied`.
 */
function denial(details: { action: string; agentId: string; reason: string | null | undefined; policyId: string | null; approver: string | null }): DecisionError {
  const { action, agentId, reason, policyId, approver } = details;
  if (policyId === KILL_SWITCH_POLICY_ID) {
    const message = `The kill switch stopped "${action}" for agent "${agentId}"${reason ? ` (${reason})` : ''}; it did not run. It runs again once an operator resumes the agent`;
    return new KillSwitchTriggered({ agentId, agentStatus: 'KILL', message });
  }
  return new ActionDenied({ action, reason: reason || 'Policy violation', policyId, approver });
}

function throwUnlessApproved(state: ApprovalState, action: string, policyId: string | null): void {
  if (state.status === 'approved') return;
  if (state.status === 'rejected') throw new ActionDenied({ action, reason: state.reason || 'Rejected by approver', policyId, approver: state.approver });
  throw new ActionExpired({ action, approvalId: state.approvalId });
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_REPORTED_ERROR_CHARS ? `${text.slice(0, MAX_REPORTED_ERROR_CHARS)}…` : text;
}
