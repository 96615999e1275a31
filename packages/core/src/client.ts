import { approvalsSince, getApproval } from './approval-reads.js';
import { approvalEvents, waitForApproval } from './approval-wait.js';
import { describeAction, prepareInput, refuseKeys, WAIT_CALL_KEYS } from './call-input.js';
import { check } from './check.js';
import { createContext, runCall, type ClientContext } from './client-context.js';
import { HaltStateClosedError } from './errors.js';
import { execute, guard, guardState } from './guard-flow.js';
import { heartbeat, startKillSwitch } from './heartbeat.js';
import { log } from './internal/hooks.js';
import { REQUEST_OPTION_NAMES, resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import { queueReport } from './reporting.js';
import type { FlushResult, ReportStats } from './report-types.js';
import type { AgentStatus } from './statuses.js';
import type { ApprovalEvent, ApprovalState, CheckInput, Decision, ExecuteInput, GuardInput, GuardState, GuardStateInput, HaltStateMode, Permit, ReportInput, RequestOptions, WaitCallOptions } from './types.js';

const DEFAULT_CLOSE_MS = 5_000;

const CLIENT_BRAND = Symbol.for('haltstate.client');

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

/** Said once per client: in shadow mode nothing the service answers stops an action. */
function warnShadow(options: ResolvedOptions): void {
  const message = `HaltState client for tenant "${options.tenantId}" is in shadow mode: decisions are asked and recorded, but actions run whatever they say and nothing waits for a human. It is not enforcing.`;
  process.emitWarning(message, { code: 'HALTSTATE_SHADOW_MODE' });
  log(options.logger, message);
}

/**
 * The HaltState client: policy checks before an agent acts, the guard pattern, human approvals,
 * reports after the act, and the kill switch. A front: each concern is a module of its own
 * (check.ts, guard-flow.ts, approval-wait.ts, approval-reads.ts, reporting.ts, heartbeat.ts,
 * call-input.ts), all sharing one `ClientContext`.
 *
 * @example
 * const client = new HaltStateClient({ tenantId: 'acme', apiKey: process.env.HALTSTATE_API_KEY });
 * const receipt = await client.guard({ action: 'payment.process', params: { amount: 5000 } },
 *   async (permit) => pay(5000));
 */
export class HaltStateClient {
  readonly [CLIENT_BRAND] = true;
  readonly #ctx: ClientContext;
  /** Aborted when `close()` starts: ends streams, subscriptions and waits at once. */
  readonly #closing = new AbortController();
  /** Aborted when `close()` has flushed: ends report delivery and the kill switch's polls. */
  readonly #lifetime = new AbortController();

  constructor(options: ClientOptions = {}) {
    this.#ctx = createContext(resolveOptions(options), this.#closing.signal, this.#lifetime.signal);
    if (this.#ctx.options.mode === 'shadow') warnShadow(this.#ctx.options);
  }

  /** Tenant this client acts for. */
  get tenantId(): string {
    return this.#ctx.options.tenantId;
  }

  /** Agent id used when a call names none. */
  get agentId(): string {
    return this.#ctx.options.agentId;
  }

  /**
   * This client's mode (`HALTSTATE_MODE`): `shadow` runs actions whatever the answer. Adapters
   * whose framework asks "does this call need approval?" read it to never pause in shadow.
   *
   * @example
   * if (client.mode === 'shadow') console.log('HaltState is watching, not enforcing');
   */
  get mode(): HaltStateMode {
    return this.#ctx.options.mode;
  }

  /** Report delivery totals: queued, delivered, failed, dropped, pending. */
  get reportStats(): ReportStats {
    return this.#ctx.reports.stats;
  }

  /** The kill switch's last known status for this client. */
  get agentStatus(): AgentStatus {
    return this.#ctx.killSwitch.status;
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
    refuseKeys(input, ['mode'], 'check', 'a check runs nothing, so it answers the same in either mode (guard() and execute() take a mode)');
    return runCall(this.#ctx, given, () => `check of ${describeAction(input)}`, (options) => check(this.#ctx, input, options));
  }

  /**
   * Queues the outcome of a checked action. Never blocks or throws for delivery problems: those
   * go to `onReportError` and `reportStats`. Call `flush()` or `close()` before the process exits.
   *
   * @example
   * await client.report(decision, { status: 'success', result: { transactionId: 'tx_123' } });
   */
  async report(decision: Decision, outcome: ReportInput): Promise<void> {
    queueReport(this.#ctx, decision, outcome);
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
    const { agentId, action, params } = prepareInput(input, this.#ctx.options.agentId);
    return this.#ctx.digest.idempotencyKey(this.#ctx.options.tenantId, agentId, action, params);
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
    return runCall(this.#ctx, given, () => `guard of ${describeAction(input)}`, (options) => guard(this.#ctx, input, fn, options));
  }

  /**
   * Where a guarded call stands, without running, waiting or reporting anything: the same guard
   * request `guard` sends (creating the approval request on the first ask), answered as a
   * `GuardState` instead of an error. A stable lookup for frameworks that ask "does this call
   * need approval?" again and again (on every resume and replay); the one run an approval
   * authorizes still happens only inside `guard` or `execute` with the same key.
   *
   * @example
   * const state = await client.guardState({ action: 'file.delete', params: { path }, idempotencyKey: toolCallId });
   * if (state.status === 'pending') console.log(`waiting for a human on ${state.approvalId}`);
   */
  async guardState(input: GuardStateInput, given: RequestOptions = {}): Promise<GuardState> {
    return runCall(this.#ctx, given, () => `guardState of ${describeAction(input)}`, (options) => guardState(this.#ctx, input, options));
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
    return runCall(this.#ctx, given, what, (options) => execute(this.#ctx, input, fn, options));
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
    return runCall(this.#ctx, given, () => `waitForApproval(${JSON.stringify(approvalId)})`, (options) => waitForApproval(this.#ctx, approvalId, options), WAIT_CALL_KEYS);
  }

  /** One approval's current state. */
  async getApproval(approvalId: string, given?: RequestOptions): Promise<ApprovalState> {
    return runCall(this.#ctx, given, () => `getApproval(${JSON.stringify(approvalId)})`, (options) => getApproval(this.#ctx, approvalId, options));
  }

  /** Decisions made after `since`, oldest first (at most `limit`, 1–500). */
  async approvalsSince(since: Date | string, given: RequestOptions & { limit?: number | undefined } = {}): Promise<ApprovalEvent[]> {
    return runCall(this.#ctx, given, () => 'approvalsSince', (options) => approvalsSince(this.#ctx, since, options), [...REQUEST_OPTION_NAMES, 'limit']);
  }

  /**
   * Human decisions as they happen, over SSE. Reconnects after a dropped stream and resumes from
   * the last timestamp seen. Ends when `signal` aborts or the client closes; throws on auth errors.
   *
   * @example
   * for await (const event of client.approvals()) console.log(event.approvalId, event.status);
   */
  async *approvals(options: { lastSeen?: Date | string | undefined; signal?: AbortSignal | undefined } = {}): AsyncGenerator<ApprovalEvent, void, undefined> {
    yield* approvalEvents(this.#ctx, options.lastSeen, options.signal);
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
  async heartbeat(agentId: string = this.#ctx.options.agentId, given?: RequestOptions): Promise<AgentStatus> {
    return runCall(this.#ctx, given, () => 'heartbeat', (options) => heartbeat(this.#ctx, agentId, options));
  }

  /**
   * Polls the heartbeat now and every `intervalMs`. KILL stops this client for good; PAUSE holds
   * new guarded actions until the status is OK again. Resolves with the first status.
   */
  async startKillSwitch(options: { intervalMs?: number | undefined; agentId?: string | undefined; onError?: ((error: unknown) => void) | undefined } = {}): Promise<AgentStatus> {
    return startKillSwitch(this.#ctx, (agentId, given) => this.heartbeat(agentId, given), options);
  }

  /** Resolves once every queued report is delivered, or at `timeoutMs` with what was not. */
  flush(options: { timeoutMs?: number | undefined } = {}): Promise<FlushResult> {
    return this.#ctx.reports.flush(options.timeoutMs ?? DEFAULT_CLOSE_MS);
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
    this.#ctx.killSwitch.stop();
    this.#ctx.reports.close();
    const result = await this.#ctx.reports.flush(options.timeoutMs ?? DEFAULT_CLOSE_MS);
    if (!this.#lifetime.signal.aborted) this.#lifetime.abort(closed);
    this.#ctx.reports.abandon('the client was closed before delivery');
    return result;
  }

  /** `await using client = new HaltStateClient(…)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toJSON(): Record<string, string> {
    const { tenantId, baseUrl, agentId } = this.#ctx.options;
    return { tenantId, baseUrl, agentId, apiKey: '[REDACTED]' };
  }

  toString(): string {
    return `HaltStateClient(${this.#ctx.options.tenantId} @ ${this.#ctx.options.baseUrl})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `HaltStateClient ${JSON.stringify(this.toJSON())}`;
  }
}
