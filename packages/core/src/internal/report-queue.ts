import { randomUUID } from 'node:crypto';
import { HaltStateConnectionError, HaltStateError, isHaltStateError } from '../errors.js';
import type { FlushResult, QueuedReportInfo, ReportFailure, ReportStats } from '../report-types.js';
import { recordDroppedReport, type DropReason } from './metrics.js';
import { sleep } from './retry.js';
import { activeContext, type TraceContext } from './tracing.js';

export interface QueuedReport {
  info: QueuedReportInfo;
  path: string;
  body: unknown;
  /** The trace the report belongs to: the caller's active context when it was queued. */
  trace?: TraceContext | undefined;
}

interface Entry extends QueuedReport {
  attempts: number;
  /** `X-Request-Id` of every delivery attempt of this report. */
  requestId: string;
  timer?: NodeJS.Timeout;
}

const CONCURRENCY = 4;
const MAX_ATTEMPTS = 8;
const backoffMs = (attempts: number) => Math.min(1_000 * 2 ** (attempts - 1), 30_000);

/**
 * A bounded queue of reports delivered in the background, so reporting never blocks or breaks
 * the action. Connection errors, 429s and garbled answers are retried with backoff (8 attempts,
 * then the report is given up); other errors (auth, 4xx) are final. Overflow and final failures go to `onError` and are counted.
 */
export class ReportQueue {
  readonly #send: (report: QueuedReport & { requestId: string; attempts: number }) => Promise<void>;
  readonly #maxSize: number;
  readonly #onError: (error: Error, report: QueuedReportInfo) => void;
  readonly #ready: Entry[] = [];
  readonly #delayed = new Set<Entry>();
  #inFlight = 0;
  #idle: Array<() => void> = [];
  #failedSinceFlush: ReportFailure[] = [];
  #deliveredSinceFlush = 0;
  #closed = false;
  /** Set by abandon(): a send still in flight then fails for good instead of being retried. */
  #abandoned: string | false = false;
  readonly #stats = { queued: 0, delivered: 0, failed: 0, dropped: 0 };

  constructor(options: { send: (report: QueuedReport & { requestId: string; attempts: number }) => Promise<void>; maxSize: number; onError: (error: Error, report: QueuedReportInfo) => void }) {
    this.#send = options.send;
    this.#maxSize = options.maxSize;
    this.#onError = options.onError;
  }

  get size(): number {
    return this.#ready.length + this.#delayed.size + this.#inFlight;
  }

  get stats(): ReportStats {
    return { ...this.#stats, pending: this.size };
  }

  /** Queues a report; false (and `onError`) when the queue is full or closed. */
  enqueue(report: QueuedReport): boolean {
    if (this.#closed || this.size >= this.#maxSize) {
      this.#stats.dropped++;
      const why = this.#closed ? 'the client is closed' : `the report queue is full (${this.#maxSize} waiting; raise maxQueuedReports or check the service)`;
      this.#fail({ ...report, attempts: 0, requestId: '' }, new HaltStateError(`Report for "${report.info.action}" was not queued: ${why}`), this.#closed ? 'closed' : 'queue_full');
      return false;
    }
    this.#stats.queued++;
    this.#ready.push({ ...report, trace: report.trace ?? activeContext(), attempts: 0, requestId: randomUUID() });
    this.#pump();
    return true;
  }

  /** Sends what waits for a backoff right away, then resolves when the queue is empty or at the deadline. */
  async flush(timeoutMs: number): Promise<FlushResult> {
    for (const entry of this.#delayed) {
      clearTimeout(entry.timer);
      this.#ready.push(entry);
    }
    this.#delayed.clear();
    this.#pump();
    if (this.size > 0) {
      const deadline = new AbortController();
      await Promise.race([new Promise<void>((resolve) => this.#idle.push(resolve)), sleep(timeoutMs, deadline.signal).catch(() => undefined)]);
      deadline.abort();
    }
    const result: FlushResult = { ok: false, delivered: this.#deliveredSinceFlush, failed: this.#failedSinceFlush, pending: this.size };
    result.ok = result.pending === 0 && result.failed.length === 0;
    this.#failedSinceFlush = [];
    this.#deliveredSinceFlush = 0;
    return result;
  }

  /** Refuses new reports from now on; what is queued keeps going until `flush` gives up. */
  close(): void {
    this.#closed = true;
  }

  /** Gives up on whatever is still queued, reporting each to `onError`. */
  abandon(reason: string): void {
    this.#abandoned = reason;
    const left = [...this.#ready, ...this.#delayed];
    this.#ready.length = 0;
    for (const entry of this.#delayed) clearTimeout(entry.timer);
    this.#delayed.clear();
    for (const entry of left) this.#fail(entry, new HaltStateConnectionError(`Report for "${entry.info.action}" was not delivered: ${reason}`), 'abandoned');
    this.#checkIdle();
  }

  #pump(): void {
    while (this.#inFlight < CONCURRENCY && this.#ready.length > 0) {
      const entry = this.#ready.shift()!;
      this.#inFlight++;
      void this.#deliver(entry);
    }
  }

  async #deliver(entry: Entry): Promise<void> {
    try {
      entry.attempts++;
      await this.#send(entry);
      this.#stats.delivered++;
      this.#deliveredSinceFlush++;
    } catch (error) {
      // A garbled answer (protocol error) leaves it unknown whether the report landed; the server
      // keeps one report per check or guard key, so sending it again is safe.
      const retryable = isHaltStateError(error, 'HALTSTATE_CONNECTION') || isHaltStateError(error, 'HALTSTATE_RATE_LIMITED') || isHaltStateError(error, 'HALTSTATE_PROTOCOL');
      if (this.#abandoned) {
        this.#fail(entry, new HaltStateConnectionError(`Report for "${entry.info.action}" was not delivered: ${this.#abandoned}`), 'abandoned');
      } else if (retryable && entry.attempts < MAX_ATTEMPTS) {
        entry.timer = setTimeout(() => {
          this.#delayed.delete(entry);
          this.#ready.push(entry);
          this.#pump();
        }, backoffMs(entry.attempts));
        entry.timer.unref();
        this.#delayed.add(entry);
      } else {
        this.#fail(entry, error instanceof Error ? error : new Error(String(error)), 'delivery_failed');
      }
    } finally {
      this.#inFlight--;
      this.#pump();
      this.#checkIdle();
    }
  }

  #fail(entry: Entry, error: Error, reason: DropReason): void {
    this.#stats.failed += entry.attempts > 0 ? 1 : 0;
    recordDroppedReport(reason);
    this.#failedSinceFlush.push({ report: entry.info, error });
    try {
      this.#onError(error, entry.info);
    } catch {
      // A throwing hook must not break delivery of the other reports.
    }
  }

  #checkIdle(): void {
    if (this.size > 0) return;
    const waiters = this.#idle;
    this.#idle = [];
    for (const resolve of waiters) resolve();
  }
}
