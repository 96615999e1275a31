// The client's metrics, through `@opentelemetry/api` when it is installed (names, units and
// attributes in docs/observability.md). Durations are in seconds, as the OTel semantic
// conventions ask. The API has no proxy meter provider: a meter taken before the app registers
// its provider would stay a no-op, so the instruments are made again whenever the registered
// provider changes.
import type * as OtelApi from '@opentelemetry/api';
import type { DecisionEvent } from '../types.js';
import { SDK_VERSION } from '../version.js';
import { otel, type Otel } from './otel.js';

/** Why a report will never be delivered. */
export type DropReason = 'queue_full' | 'closed' | 'delivery_failed' | 'abandoned';

interface Instruments {
  provider: OtelApi.MeterProvider;
  decisions: OtelApi.Counter;
  checkDuration: OtelApi.Histogram;
  waitDuration: OtelApi.Histogram;
  dropped: OtelApi.Counter;
}

/** Report queues alive in this process, observed for `haltstate.report.queue.size`. */
const queues = new Set<{ tenantId: string; queue: WeakRef<{ readonly size: number }> }>();

/** Instruments per registered provider: an app (or a test) that swaps providers makes each once. */
const made = new WeakMap<OtelApi.MeterProvider, Instruments>();
let current: Instruments | undefined;

function instruments(api: Otel): Instruments {
  const provider = api.metrics.getMeterProvider();
  if (current?.provider === provider) return current;
  current = made.get(provider);
  if (current !== undefined) return current;
  const meter = provider.getMeter('@haltstate/core', SDK_VERSION);
  const queueSize = meter.createObservableUpDownCounter('haltstate.report.queue.size', { unit: '{report}', description: 'Reports queued or being delivered, per tenant' });
  queueSize.addCallback(observeQueues);
  current = {
    provider,
    decisions: meter.createCounter('haltstate.decisions', { unit: '{decision}', description: 'Answers of the policy service, by outcome' }),
    checkDuration: meter.createHistogram('haltstate.check.duration', {
      unit: 's',
      description: 'Time from a check or guard request until its answer, retries included',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] },
    }),
    waitDuration: meter.createHistogram('haltstate.approval.wait.duration', {
      unit: 's',
      description: 'Time a call waited for a human decision',
      advice: { explicitBucketBoundaries: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400] },
    }),
    dropped: meter.createCounter('haltstate.reports.dropped', { unit: '{report}', description: 'Reports that will never be delivered, by reason' }),
  };
  made.set(provider, current);
  return current;
}

function observeQueues(result: OtelApi.ObservableResult): void {
  const byTenant = new Map<string, number>();
  for (const entry of queues) {
    const queue = entry.queue.deref();
    if (queue === undefined) {
      queues.delete(entry);
      continue;
    }
    byTenant.set(entry.tenantId, (byTenant.get(entry.tenantId) ?? 0) + queue.size);
  }
  for (const [tenantId, size] of byTenant) result.observe(size, { 'haltstate.tenant.id': tenantId });
}

/** A decision (what `onDecision` is told): counted by outcome, its latency recorded. */
export function recordDecision(event: DecisionEvent): void {
  const api = otel();
  if (api === null) return;
  const { decisions, checkDuration } = instruments(api);
  const attributes = { 'haltstate.source': event.source, 'haltstate.action': event.action, 'haltstate.decision': event.decision, 'haltstate.mode': event.mode, 'haltstate.failed_open': event.failedOpen };
  decisions.add(1, attributes);
  checkDuration.record(event.latencyMs / 1000, { 'haltstate.source': event.source, 'haltstate.decision': event.decision });
}

/** The end of a wait for a human: how long, and how it ended. */
export function recordWait(seconds: number, outcome: string): void {
  const api = otel();
  if (api === null) return;
  instruments(api).waitDuration.record(seconds, { 'haltstate.approval.status': outcome });
}

/** A report that will never be delivered. */
export function recordDroppedReport(reason: DropReason): void {
  const api = otel();
  if (api === null) return;
  instruments(api).dropped.add(1, { 'haltstate.report.drop_reason': reason });
}

/** Observes a client's report queue until it is garbage collected or `unwatch` is called. */
export function watchReportQueue(tenantId: string, queue: { readonly size: number }): () => void {
  const entry = { tenantId, queue: new WeakRef(queue) };
  queues.add(entry);
  return () => void queues.delete(entry);
}
