// What report delivery tells the caller: `flush()`, `close()`, `reportStats`, `onReportError`.

/** What `onReportError` and `flush()` say about a report that was not delivered. */
export interface QueuedReportInfo {
  kind: 'report' | 'guardReport';
  action: string;
  agentId: string;
  /** The check's request id, or the guard's idempotency key. */
  id: string;
}

/** One report that was not delivered, and why. */
export interface ReportFailure {
  report: QueuedReportInfo;
  error: Error;
}

/** What `flush()` and `close()` resolve with. */
export interface FlushResult {
  /** True when nothing is pending and nothing failed since the previous flush. */
  ok: boolean;
  /** Reports delivered since the previous flush. */
  delivered: number;
  /** Reports given up on since the previous flush (also passed to `onReportError`). */
  failed: ReportFailure[];
  /** Reports still waiting when the flush deadline passed. */
  pending: number;
}

/** Running totals since the client was made. */
export interface ReportStats {
  queued: number;
  delivered: number;
  failed: number;
  dropped: number;
  pending: number;
}
