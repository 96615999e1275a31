// The approval stream (SSE, with reconnects from the last timestamp) and the wait for a human
// decision built on it: GET first, the stream while it lives, polling when it does not.
import { DEFAULT_WAIT_MS, positiveMs, validIdentifier } from './call-input.js';
import { getApproval } from './approval-reads.js';
import type { ClientContext } from './client-context.js';
import { ActionDenied, ActionExpired, ApprovalTimeoutError, HaltStateConnectionError, HaltStateProtocolError, isHaltStateError } from './errors.js';
import { Deadline, linkSignals } from './internal/abort.js';
import { recordWait } from './internal/metrics.js';
import { sleep } from './internal/retry.js';
import { inSpan } from './internal/tracing.js';
import { SseLimitError, SseParser } from './internal/sse.js';
import { PREFIXES, ROUTES } from './routes.js';
import { approvalDecisionEvent, streamEventEnvelope, toApprovalEvent } from './schemas/approval.js';
import type { ApprovalEvent, ApprovalState, RequestOptions, WaitCallOptions } from './types.js';

const DEFAULT_POLL_MS = 5_000;
const MAX_POLL_MS = 30_000;

/**
 * Event of the approval stream: decisions, the moment the subscription is live, and the moment it
 * dropped (a reconnect follows, with backoff).
 */
export type StreamItem = { type: 'connected' } | { type: 'dropped' } | { type: 'decision'; event: ApprovalEvent };

/**
 * `waitForApproval`: resolves when approved; throws `ActionDenied` when rejected, `ActionExpired`
 * when expired, `ApprovalTimeoutError` after `timeoutMs`.
 */
export async function waitForApproval(ctx: ClientContext, approvalId: string, options: WaitCallOptions): Promise<ApprovalState> {
  positiveMs(options.timeoutMs, 'timeoutMs');
  positiveMs(options.pollIntervalMs, 'pollIntervalMs');
  validIdentifier(approvalId, 'approvalId');
  const deadline = waitDeadline(approvalId, options.timeoutMs ?? DEFAULT_WAIT_MS);
  try {
    const state = await awaitDecision(ctx, approvalId, deadline.signal, options);
    throwUnlessApproved(state, state.action ?? 'action', null);
    return state;
  } finally {
    deadline.dispose();
  }
}

/** Human decisions as they happen (see `client.approvals()`). */
export async function* approvalEvents(ctx: ClientContext, lastSeen: Date | string | undefined, signal: AbortSignal | undefined): AsyncGenerator<ApprovalEvent, void, undefined> {
  for await (const item of approvalStream(ctx, lastSeen, signal)) {
    if (item.type === 'decision') yield item.event;
  }
}

/**
 * Waits for any terminal state of an approval until `until` aborts. GET first; SSE (GET again
 * once live, and after each drop of the stream); polling as fallback. A read that fails with
 * 429 keeps waiting; one that cannot reach the server after its retries abandons the wait
 * (`HaltStateConnectionError` naming the approval) instead of spending the rest of the deadline.
 */
export async function awaitDecision(ctx: ClientContext, approvalId: string, until: AbortSignal, options: RequestOptions & { pollIntervalMs?: number | undefined }): Promise<ApprovalState> {
  return inSpan('haltstate.wait', { 'haltstate.approval.id': approvalId }, async (span) => {
    const startedAt = performance.now();
    const ended = (outcome: string) => {
      const seconds = (performance.now() - startedAt) / 1000;
      span.set({ 'haltstate.approval.status': outcome, 'haltstate.wait.duration': seconds });
      recordWait(seconds, outcome);
    };
    try {
      const state = await decisionOf(ctx, approvalId, until, options);
      ended(state.status);
      return state;
    } catch (error) {
      ended(isHaltStateError(error, 'HALTSTATE_APPROVAL_TIMEOUT') ? 'timeout' : 'error');
      throw error;
    }
  });
}

async function decisionOf(ctx: ClientContext, approvalId: string, until: AbortSignal, options: RequestOptions & { pollIntervalMs?: number | undefined }): Promise<ApprovalState> {
  const link = linkSignals(until, ctx.killSwitch.signal, ctx.closing, options.signal);
  const signal = link.signal;
  const request = { signal, retries: options.retries };
  const read = async (): Promise<ApprovalState | undefined> => {
    try {
      return await getApproval(ctx, approvalId, request);
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
    const items = approvalStream(ctx, undefined, signal);
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
export async function* approvalStream(ctx: ClientContext, lastSeen: Date | string | undefined, outer?: AbortSignal): AsyncGenerator<StreamItem, void, undefined> {
  const link = linkSignals(outer, ctx.closing);
  const signal = link.signal;
  const label = `GET ${PREFIXES[ctx.options.namespace]}${ROUTES.approvalsStream}`;
  let since = lastSeen instanceof Date ? lastSeen.toISOString() : lastSeen;
  let connectedOnce = false;
  let backoff = 500;
  try {
    while (!signal.aborted) {
      let body: ReadableStream<Uint8Array>;
      try {
        body = await ctx.transport.openStream(ROUTES.approvalsStream, { tenant_id: ctx.options.tenantId, ...(since ? { last_seen: since } : {}) }, signal);
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

/** The end of a wait whose server could not be reached: not a decision, and not the deadline. */
function abandoned(approvalId: string, cause: HaltStateConnectionError): HaltStateConnectionError {
  return new HaltStateConnectionError(
    `Stopped waiting for approval ${approvalId}: ${cause.message}. The wait was abandoned, not decided: the approval stays on the server; ask again with the same idempotency key (or waitForApproval("${approvalId}")) once it can be reached`,
    { cause, approvalId, status: cause.status, requestId: cause.requestId },
  );
}

/** Failures a reconnect cannot fix: wrong credentials, or a redirect (which is never followed). */
function isFatalStreamError(error: unknown): boolean {
  if (isHaltStateError(error, 'HALTSTATE_AUTH')) return true;
  const status = isHaltStateError(error) ? error.status : undefined;
  return status !== undefined && status >= 300 && status < 400;
}

/** One SSE message as a stream item; anything unknown or malformed is skipped. */
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
  return { type: 'decision', event: toApprovalEvent(parsed.data) };
}

/** A wait's deadline, ending it with `ApprovalTimeoutError`. */
export function waitDeadline(approvalId: string, timeoutMs: number): Deadline {
  return new Deadline(timeoutMs, () => new ApprovalTimeoutError({ approvalId, timeoutMs }));
}

/** A decided approval: returns when approved, throws the error of any other end. */
export function throwUnlessApproved(state: ApprovalState, action: string, policyId: string | null): void {
  if (state.status === 'approved') return;
  if (state.status === 'rejected') throw new ActionDenied({ action, reason: state.reason || 'Rejected by approver', policyId, approver: state.approver });
  throw new ActionExpired({ action, approvalId: state.approvalId });
}
