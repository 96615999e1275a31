// What every part of the client shares: its options and the services made from them, and the
// two moments of its end. `HaltStateClient` makes one; each concern's module takes it.
import { HaltStateClosedError } from './errors.js';
import { callerSignal } from './internal/abort.js';
import { KillSwitch } from './internal/kill-switch.js';
import { watchReportQueue } from './internal/metrics.js';
import { ReportQueue } from './internal/report-queue.js';
import { inSpan } from './internal/tracing.js';
import { Transport } from './internal/transport.js';
import { ParamsDigest } from './idempotency.js';
import { requestOptions } from './call-input.js';
import type { ResolvedOptions } from './options.js';
import { PREFIXES } from './routes.js';
import { reportAcknowledgement } from './schemas/report.js';
import type { RequestOptions } from './types.js';
import { SDK_VERSION } from './version.js';

export interface ClientContext {
  readonly options: ResolvedOptions;
  readonly transport: Transport;
  readonly reports: ReportQueue;
  readonly killSwitch: KillSwitch;
  readonly digest: ParamsDigest;
  /** Aborted when `close()` starts: ends streams, subscriptions and waits at once. */
  readonly closing: AbortSignal;
  /** Aborted when `close()` has flushed: ends report delivery and the kill switch's polls. */
  readonly lifetime: AbortSignal;
}

/** The transport, report queue, kill switch and digest of a client with these options. */
export function createContext(options: ResolvedOptions, closing: AbortSignal, lifetime: AbortSignal): ClientContext {
  const transport = new Transport({
    baseUrl: options.baseUrl,
    prefix: PREFIXES[options.namespace],
    tenantId: options.tenantId,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    userAgent: `haltstate-sdk-ts/${SDK_VERSION} node/${process.versions.node}`,
    fetch: options.fetch,
  });
  const onReportError =
    options.onReportError ?? ((error: Error) => process.emitWarning(transport.scrub(error.message), { code: 'HALTSTATE_REPORT_NOT_DELIVERED' }));
  const reports = new ReportQueue({
    maxSize: options.maxQueuedReports,
    onError: onReportError,
    send: async (report) => {
      const { kind, action, agentId } = report.info;
      const attributes = { 'haltstate.report.kind': kind === 'report' ? 'report' : 'guard_report', 'haltstate.action': action, 'haltstate.agent.id': agentId, 'haltstate.report.attempt': report.attempts };
      await inSpan('haltstate.report', attributes, async (span) => {
        // The answer's body is not used, but it must be the server's: a 200 that is not JSON came
        // from something in between, and the report may not have landed.
        await transport.request({ method: 'POST', path: report.path, body: report.body, bodyName: kind === 'report' ? 'result' : 'error', schema: reportAcknowledgement, requestId: report.requestId, trace: span.context }, { signal: lifetime });
      }, report.trace);
    },
  });
  // The queue gauge forgets this client once it has closed, read or not (no meter provider reads it).
  const unwatch = watchReportQueue(options.tenantId, reports);
  lifetime.addEventListener('abort', unwatch, { once: true });
  return { options, transport, reports, killSwitch: new KillSwitch(options.agentId), digest: new ParamsDigest(options.digestSecret ?? options.apiKey), closing, lifetime };
}

/**
 * Runs a public call: its options checked, refused once the client is closed, and the caller's
 * signal passed on with a typed abort (see `callerSignal`).
 */
export async function runCall<O extends RequestOptions, T>(ctx: ClientContext, given: O | undefined, what: () => string, call: (options: O) => Promise<T>, known?: readonly string[]): Promise<T> {
  const options = requestOptions(given, known) as O;
  if (ctx.closing.aborted) throw new HaltStateClosedError(`The HaltState client is closed (client.close() was called): ${what()} was not sent. Use an open client`);
  const caller = callerSignal(options.signal, what);
  if (caller === undefined) return call(options);
  try {
    return await call({ ...options, signal: caller.signal });
  } finally {
    caller.dispose();
  }
}
