// One figure of the benchmark, in its own process: `node --expose-gc bench/figures.mjs <name>`
// with BENCH_SERVER_URL set (bench/run.mjs starts the server and runs each figure this way, on
// BENCH_NODE when set). Prints the figure as one `BENCH_RESULT {…}` line, with the Node it ran on.
import 'reflect-metadata';
import autocannon from 'autocannon';
import ky from 'ky';
import { Bench } from 'tinybench';
import { HaltStateClient, haltstateGuard } from '@haltstate/core';
import { HaltStateGuard, setClientResolver } from '@haltstate/decorators';
import { AdminClient, evaluate, parsePolicy } from '@haltstate/local';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { fmt, latency, summarise, throughput } from './lib.mjs';
import { selfHosted } from './self-hosted.mjs';

const KEY = 'hs_bench_api_key';
const TENANT = 'bench';
const server = { url: process.env.BENCH_SERVER_URL };
const clientFor = (extra = {}) => new HaltStateClient({ baseUrl: server.url, tenantId: TENANT, apiKey: KEY, agentId: 'bench-bot', onReportError: () => undefined, ...extra });

/** Each figure: a baseline measured in the same run, and the ratio. */
const FIGURES = {
  // ── 1. check() round trip vs a bare fetch of the same request ─────────────
  async checkVsFetch() {
    const client = clientFor();
    const body = JSON.stringify({ agent_id: 'bench-bot', action: 'bench.check', params: { amount: 10, currency: 'USD' } });
    const headers = { 'content-type': 'application/json', 'x-tenant-id': TENANT, 'x-api-key': KEY, authorization: `Bearer ${KEY}` };
    const url = `${server.url}/api/sentinel/action/check`;
    const bareFetch = async () => {
      const response = await fetch(url, { method: 'POST', headers, body });
      await response.json();
    };
    const check = () => client.check({ action: 'bench.check', params: { amount: 10, currency: 'USD' } });
    // The same request through a bare ky instance: the HTTP library the SDK is built on, with
    // the SDK's settings (no retries, a timeout). Separates ky's cost from the SDK's own.
    const bareKy = ky.create({ prefixUrl: `${server.url}/api/sentinel`, headers, retry: 0, throwHttpErrors: false, timeout: 5000 });
    const kyPost = async () => (await bareKy.post('action/check', { body })).json();
    const lat = await latency({ fetch: bareFetch, ky: kyPost, check });
    const tputFetch = await throughput(bareFetch);
    const tputKy = await throughput(kyPost);
    const tputCheck = await throughput(check);
    const cannon = await autocannon({ url, method: 'POST', headers, body, connections: 32, duration: 3 });
    const figure = {
      unit: 'ms',
      median: fmt(lat.check.median),
      p99: fmt(lat.check.p99),
      spread: lat.check.spread.map((v) => fmt(v)),
      baselineMedian: fmt(lat.fetch.median),
      baselineP99: fmt(lat.fetch.p99),
      ratio: fmt(lat.check.median / lat.fetch.median),
      goal: 1.1,
      kyMedian: fmt(lat.ky.median),
      ratioToKy: fmt(lat.check.median / lat.ky.median),
      throughput: {
        concurrency: 32,
        checkPerSecond: fmt(tputCheck.median, 4),
        fetchPerSecond: fmt(tputFetch.median, 4),
        ratio: fmt(tputFetch.median / tputCheck.median),
        kyPerSecond: fmt(tputKy.median, 4),
        ratioToKy: fmt(tputKy.median / tputCheck.median),
        spread: { check: tputCheck.spread.map((v) => fmt(v, 4)), fetch: tputFetch.spread.map((v) => fmt(v, 4)) },
        autocannonPerSecond: fmt(cannon.requests.average, 4),
        goal: 1.1,
      },
    };
    await client.close();
    return figure;
  },

  // ── 2. decorator and wrapper overhead, in-process transport ───────────────
  async guardOverhead() {
    const answer = JSON.stringify({ decision: 'ALLOW', reason: 'ok', policy_id: 'p', latency_ms: 0 });
    const inProcessFetch = async () => new Response(answer, { status: 200, headers: { 'content-type': 'application/json' } });
    const client = new HaltStateClient({ baseUrl: 'http://127.0.0.1:1', tenantId: TENANT, apiKey: KEY, agentId: 'bench-bot', fetch: inProcessFetch, onReportError: () => undefined });
    setClientResolver(() => client);
    const work = (invoiceId, amount) => ({ invoiceId, amount });
    class Service {
      async pay(invoiceId, amount) {
        return work(invoiceId, amount);
      }
    }
    // What `@HaltStateGuard('bench.check')` does to the method (a legacy decorator applied by hand).
    const descriptor = Object.getOwnPropertyDescriptor(Service.prototype, 'pay');
    HaltStateGuard('bench.check')(Service.prototype, 'pay', descriptor);
    Object.defineProperty(Service.prototype, 'pay', descriptor);
    const service = new Service();
    const wrapped = haltstateGuard(client, { action: 'bench.check' })(work);
    const direct = async () => {
      const decision = await client.check({ action: 'bench.check', params: { invoiceId: 'INV-1', amount: 10 } });
      const result = work('INV-1', 10);
      await client.report(decision, { status: 'success', result });
      return result;
    };
    // The difference is a few µs on a ~0.3 ms in-process round trip, far below the run-to-run
    // drift of separate runs (GC, JIT). So: paired samples, the three calls back to back in
    // rotating order, each call's report delivered before the next starts, and the median of the
    // per-iteration differences.
    const lat = await latency({ direct, decorator: () => service.pay('INV-1', 10), haltstateGuard: () => wrapped('INV-1', 10) }, { time: 1000, rounds: 2 });
    const paired = { decorator: [], haltstateGuard: [] };
    const calls = [['direct', direct], ['decorator', () => service.pay('INV-1', 10)], ['haltstateGuard', () => wrapped('INV-1', 10)]];
    for (let i = 0; i < 20_000; i++) {
      const took = {};
      for (let k = 0; k < 3; k++) {
        const [name, fn] = calls[(i + k) % 3];
        const start = performance.now();
        await fn();
        took[name] = performance.now() - start;
        // Deliver the call's report outside the timed region, so it does not land in the next call's time.
        await client.flush();
      }
      paired.decorator.push((took.decorator - took.direct) * 1000);
      paired.haltstateGuard.push((took.haltstateGuard - took.direct) * 1000);
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const decoratorAdded = summarise(paired.decorator);
    const wrapperAdded = summarise(paired.haltstateGuard);
    const figure = {
      unit: 'µs',
      median: fmt(lat.decorator.median * 1000),
      p99: fmt(lat.decorator.p99 * 1000),
      baselineMedian: fmt(lat.direct.median * 1000),
      ratio: fmt(lat.decorator.median / lat.direct.median),
      decoratorAddedMicros: fmt(decoratorAdded.median),
      haltstateGuardMedian: fmt(lat.haltstateGuard.median * 1000),
      haltstateGuardAddedMicros: fmt(wrapperAdded.median),
      pairedSamples: decoratorAdded.n,
      goalAddedMicros: 5,
    };
    await client.close();
    return figure;
  },

  // ── 3. report() on the action's path, and delivery rate ───────────────────
  async reportCost() {
    const client = clientFor({ maxQueuedReports: 100_000 });
    const decision = await client.check({ action: 'bench.check' });
    const noop = async () => undefined;
    const report = () => client.report(decision, { status: 'success', result: { transactionId: 'tx_1', amount: 10 } });
    const lat = await latency({ noop, report }, { time: 500 });
    await client.close({ timeoutMs: 120_000 });
    // Delivery: N reports through the queue vs N bare POSTs with the same concurrency (4).
    const count = 3000;
    const reportBody = JSON.stringify({ request_id: decision.requestId, agent_id: 'bench-bot', action: 'bench.check', status: 'success', decision: 'ALLOW', policy_id: 'allow-bench', result: { transactionId: 'tx_1', amount: 10 } });
    const headers = { 'content-type': 'application/json', 'x-tenant-id': TENANT, 'x-api-key': KEY };
    let started = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next++ < count) await (await fetch(`${server.url}/api/sentinel/action/report`, { method: 'POST', headers, body: reportBody })).arrayBuffer();
    }));
    const bareRate = (count / (performance.now() - started)) * 1000;
    // A fresh client, so nothing queued by the latency runs above is counted.
    const delivering = clientFor({ maxQueuedReports: 100_000 });
    started = performance.now();
    for (let i = 0; i < count; i++) await delivering.report(decision, { status: 'success', result: { transactionId: 'tx_1', amount: 10 } });
    const flushed = await delivering.flush({ timeoutMs: 120_000 });
    const queueRate = (flushed.delivered / (performance.now() - started)) * 1000;
    await delivering.close();
    const figure = {
      unit: 'µs',
      median: fmt(lat.report.median * 1000),
      p99: fmt(lat.report.p99 * 1000),
      baselineMedian: fmt(lat.noop.median * 1000),
      ratio: fmt(lat.report.median / lat.noop.median),
      delivery: { reportsPerSecond: fmt(queueRate, 4), bareFetchPerSecond: fmt(bareRate, 4), ratio: fmt(bareRate / queueRate), delivered: flushed.delivered, of: count },
    };
    return figure;
  },

  // ── 4. approval → execution latency: SSE vs polling fallback ──────────────
  async approvalToExecution() {
    const admin = new AdminClient({ url: server.url, tenantId: TENANT, adminKey: 'hs_bench_admin_key' });
    const noStream = async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.includes('/approvals/stream')) return new Response('{"detail":"Not Found"}', { status: 404, headers: { 'content-type': 'application/json' } });
      return fetch(input, init);
    };
    const measure = async (client, pollIntervalMs, runs) => {
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const key = `bench-approve-${pollIntervalMs}-${i}-${Date.now()}`;
        const input = { action: 'bench.approve', idempotencyKey: key, wait: { timeoutMs: 30_000, pollIntervalMs } };
        const pending = await client.guard({ ...input, wait: undefined }, () => undefined).catch((error) => error);
        let ranAt = 0;
        const waiting = client.guard(input, () => (ranAt = performance.now()));
        // Let the waiter reach its steady state (stream live, or between polls).
        await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * pollIntervalMs));
        const approvedAt = performance.now();
        await admin.approve(pending.approvalId, { approver: 'bench' });
        await waiting;
        samples.push(ranAt - approvedAt);
      }
      return summarise(samples);
    };
    const sseClient = clientFor();
    const pollClient = clientFor({ fetch: noStream });
    const sse = await measure(sseClient, 250, 40);
    const polling = await measure(pollClient, 250, 15);
    const figure = {
      unit: 'ms',
      median: fmt(sse.median),
      p99: fmt(sse.p99),
      baselineMedian: fmt(polling.median),
      baselineP99: fmt(polling.p99),
      ratio: fmt(sse.median / polling.median),
      pollIntervalMs: 250,
      goalP99: 50,
      runs: { sse: sse.n, polling: polling.n },
    };
    await sseClient.close();
    await pollClient.close();
    return figure;
  },

  // ── 5. policy evaluation, in-process ──────────────────────────────────────
  async policyEvaluation() {
    const rules = Array.from({ length: 99 }, (_, i) => ({ id: `r${i}`, match: { action: `service${i}.*`, agent: 'bot-*' }, when: { 'params.amount': { lte: i * 10 }, 'params.currency': { in: ['USD', 'EUR'] } }, decision: 'ALLOW' }));
    const last = { id: 'last', match: { action: 'payment.*' }, when: { 'params.amount': { gt: 100 }, 'params.note': { matches: '^inv-' } }, decision: 'APPROVAL_REQUIRED' };
    const big = parsePolicy({ rules: [...rules, last] });
    const one = parsePolicy({ rules: [last] });
    const request = { agentId: 'bot-7', action: 'payment.process', params: { amount: 500, currency: 'USD', note: 'inv-42' } };
    if (evaluate(big, request).policyId !== 'last') throw new Error('the 100-rule policy must reach its last rule');
    const bench = new Bench({ time: 1500 });
    bench.add('oneRule', () => evaluate(one, request));
    bench.add('hundredRules', () => evaluate(big, request));
    await bench.run();
    const [oneRule, hundred] = bench.tasks.map((task) => task.result);
    const figure = {
      unit: 'µs',
      median: fmt(hundred.latency.p50 * 1000),
      p99: fmt(hundred.latency.p99 * 1000),
      baselineMedian: fmt(oneRule.latency.p50 * 1000),
      ratio: fmt(hundred.latency.p50 / oneRule.latency.p50),
      decisionsPerSecond: fmt(1000 / hundred.latency.mean, 4),
      note: 'worst case: the match is the 100th rule',
    };
    return figure;
  },

  // ── 6. memory: 100k checks, 10k queued reports ────────────────────────────
  async memory() {
    if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc (npm run bench does)');
    const gc = () => {
      globalThis.gc();
      globalThis.gc();
      return process.memoryUsage().heapUsed;
    };
    const answer = JSON.stringify({ decision: 'ALLOW' });
    let release;
    let blocked = false;
    const inProcessFetch = async () => {
      if (blocked) await new Promise((resolve) => (release = resolve));
      return new Response(answer, { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const client = new HaltStateClient({ baseUrl: 'http://127.0.0.1:1', tenantId: TENANT, apiKey: KEY, agentId: 'bench-bot', fetch: inProcessFetch, maxQueuedReports: 20_000, onReportError: () => undefined });
    // Real I/O yields to the event loop between requests, and Node 20 frees a fetch Request's
    // signal bookkeeping only then (FinalizationRegistry callbacks are tasks): yield like I/O would.
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const settle = async () => {
      gc();
      await turn();
      return gc();
    };
    for (let i = 0; i < 2000; i++) {
      await client.check({ action: 'bench.check', params: { i } });
      if (i % 100 === 0) await turn();
    }
    const before = await settle();
    for (let i = 0; i < 100_000; i++) {
      await client.check({ action: 'bench.check', params: { i } });
      if (i % 100 === 0) await turn();
    }
    const afterChecks = await settle();
    const decision = await client.check({ action: 'bench.check' });
    blocked = true;
    for (let i = 0; i < 10_000; i++) await client.report(decision, { status: 'success', result: { i, note: 'x'.repeat(64) } });
    const whileQueued = await settle();
    blocked = false;
    while (release) {
      const next = release;
      release = undefined;
      next();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await client.flush({ timeoutMs: 60_000 });
    const afterFlush = await settle();
    const figure = {
      unit: 'MiB',
      median: fmt((afterChecks - before) / 2 ** 20),
      p99: null,
      baselineMedian: fmt(before / 2 ** 20),
      ratio: fmt(afterChecks / before),
      checks: 100_000,
      heapGrowthAfter100kChecksMiB: fmt((afterChecks - before) / 2 ** 20),
      heapWhile10kReportsQueuedMiB: fmt((whileQueued - afterChecks) / 2 ** 20),
      heapGrowthAfterReportsFlushedMiB: fmt((afterFlush - afterChecks) / 2 ** 20),
    };
    await client.close();
    return figure;
  },

  // ── 7. tracing on vs off: the same guarded call, an in-process transport ──
  async tracingOverhead() {
    const answer = JSON.stringify({ status: 'allowed', policy_id: 'p' });
    const inProcessFetch = async () => new Response(answer, { status: 200, headers: { 'content-type': 'application/json' } });
    const client = new HaltStateClient({ baseUrl: 'http://127.0.0.1:1', tenantId: TENANT, apiKey: KEY, agentId: 'bench-bot', fetch: inProcessFetch, onReportError: () => undefined });
    // On: what an app's SDK setup registers (context manager, W3C propagator, tracer and meter
    // providers), with an exporter that drops spans (the figure is the client's cost, not an
    // exporter's). Off: @opentelemetry/api installed, nothing registered (any app without an SDK).
    const dropSpans = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropSpans)] });
    const meterProvider = new MeterProvider({ readers: [new (class extends MetricReader { async onShutdown() {} async onForceFlush() {} })()] });
    const contextManager = new AsyncLocalStorageContextManager();
    const tracing = (on) => {
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
      if (!on) return;
      context.setGlobalContextManager(contextManager.enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(tracerProvider);
      metrics.setGlobalMeterProvider(meterProvider);
    };
    let n = 0;
    const guarded = async () => {
      await client.guard({ action: 'bench.guard', params: { amount: 10 }, idempotencyKey: `k-${++n}` }, () => n);
      await client.flush();
    };
    // Paired samples: the difference (a few µs) is far below the drift between separate runs, so
    // each iteration times one call off and one on, in alternating order, and the figure is the
    // median of the per-iteration differences. Switching is not timed.
    const timed = async (on) => {
      tracing(on);
      const start = performance.now();
      await guarded();
      return performance.now() - start;
    };
    for (let i = 0; i < 300; i++) await timed(i % 2 === 0); // warm both paths
    const took = { off: [], on: [] };
    const added = [];
    for (let i = 0; i < 5_000; i++) {
      const first = i % 2 === 0;
      const a = await timed(first);
      const b = await timed(!first);
      const [on, off] = first ? [a, b] : [b, a];
      took.on.push(on);
      took.off.push(off);
      added.push((on - off) * 1000);
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    tracing(false);
    const off = summarise(took.off);
    const on = summarise(took.on);
    const figure = {
      unit: 'µs',
      median: fmt(on.median * 1000),
      p99: fmt(on.p99 * 1000),
      baselineMedian: fmt(off.median * 1000),
      baselineP99: fmt(off.p99 * 1000),
      ratio: fmt(on.median / off.median),
      addedMicros: fmt(summarise(added).median),
      pairedSamples: added.length,
      call: 'guard() + flush() of its report, in-process transport; on: guard and report spans, traceparent, metrics',
    };
    await client.close();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    return figure;
  },

  // ── 8. the self-hosted server: PostgreSQL, one and three instances, beside SQLite ──
  selfHosted,
};

const name = process.argv[2];
if (!(name in FIGURES)) throw new Error(`unknown figure "${name}"; one of: ${Object.keys(FIGURES).join(', ')}`);
if (!server.url) throw new Error('BENCH_SERVER_URL is not set: run figures through bench/run.mjs');
const figure = await FIGURES[name]();
process.stdout.write(`BENCH_RESULT ${JSON.stringify({ node: process.version, figure })}\n`);
