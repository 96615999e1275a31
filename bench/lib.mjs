// Shared helpers for the benchmark: the server in a child process, statistics, printing.
import { spawn, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import ky from 'ky';
import { Bench } from 'tinybench';
import { HaltStateClient } from '@haltstate/core';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `haltstate dev` in its own process, so the server does not share the client's CPU and event loop. */
export async function startServerProcess() {
  // BENCH_SERVER_NODE runs the server on another Node (its native SQLite addon is built for the
  // Node that ran npm ci), so the client can be measured on a different Node version.
  const serverNode = process.env.BENCH_SERVER_NODE ?? process.execPath;
  // The figures measure the SDK, not the server's guards against a flood: one key sends far more
  // than a real agent would, and a client under valgrind sends its requests very slowly.
  const limits = ['requestsPerKey=1000000000', 'requestTimeoutMs=3600000', 'headersTimeoutMs=3600000', 'idleTimeoutMs=3600000'].flatMap((limit) => ['--limit', limit]);
  const child = spawn(serverNode, [`${root}packages/local/bin/haltstate.cjs`, 'dev', '--port', '0', '--db', ':memory:', '--policy', `${root}bench/policy.yaml`, ...limits], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  const node = spawnSync(serverNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { url, node, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

export function summarise(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), min: sorted[0], max: sorted.at(-1), n: sorted.length };
}

/** Latency of each task (ms), sequential, with warmup; tasks interleaved over `rounds` to share drift. */
export async function latency(tasks, { time = 1500, rounds = 3 } = {}) {
  const perTask = Object.fromEntries(Object.keys(tasks).map((name) => [name, { medians: [], p99s: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of Object.entries(tasks)) {
      const bench = new Bench({ time, warmupTime: 300, warmupIterations: 20 });
      bench.add(name, fn);
      await bench.run();
      const result = bench.tasks[0].result;
      if (result.state !== 'completed') throw new Error(`${name}: ${result.state} ${result.error?.stack ?? ''}`);
      perTask[name].medians.push(result.latency.p50);
      perTask[name].p99s.push(result.latency.p99);
    }
  }
  return Object.fromEntries(
    Object.entries(perTask).map(([name, { medians, p99s }]) => {
      const sorted = [...medians].sort((a, b) => a - b);
      return [name, { median: quantile(sorted, 0.5), p99: Math.max(...p99s), spread: [sorted[0], sorted.at(-1)] }];
    }),
  );
}

/** Operations per second with `concurrency` calls in flight, for `time` ms (after a warmup). */
export async function throughput(fn, { concurrency = 32, time = 2000, rounds = 3 } = {}) {
  const rates = [];
  for (let round = 0; round < rounds + 1; round++) {
    const bench = new Bench({ time, warmup: false, concurrency: 'task', threshold: concurrency, iterations: 0 });
    bench.add('throughput', fn);
    const started = performance.now();
    await bench.run();
    const elapsed = performance.now() - started;
    const result = bench.tasks[0].result;
    if (result.state !== 'completed') throw new Error(`throughput: ${result.state} ${result.error?.stack ?? ''}`);
    // The first round warms connections and the JIT; it is not counted.
    if (round > 0) rates.push((result.latency.samplesCount / elapsed) * 1000);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), spread: [sorted[0], sorted.at(-1)] };
}

export function machine() {
  const cores = cpus();
  return { cpus: cores.length, model: cores[0]?.model ?? 'unknown', totalMemGiB: Math.round(totalmem() / 2 ** 30), platform: process.platform, arch: process.arch, node: process.version };
}

export const fmt = (value, digits = 3) => (Number.isFinite(value) ? Number(value.toPrecision(digits)) : value);

/**
 * A fetch that answers every check with the server's ALLOW body and touches no network, for
 * counts that must not depend on timing (bench/instructions.mjs --stub). It reads the request's
 * body, as a server would.
 */
export function stubFetch() {
  const body = '{"decision":"ALLOW","reason":"Allowed by rule bench","policy_id":"bench-allow","latency_ms":1,"approval_id":null}';
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length), 'x-request-id': 'stub' };
  // What fetch does with its arguments before it sends: a Request of them, its body read.
  return async (input, init) => {
    await new Request(input, init).text();
    return new Response(body, { status: 200, headers });
  };
}

/**
 * `check()` and a bare ky post of the same request against `url`: ky with the transport's headers
 * and `retry: 0` (internal/transport.ts), posting as a user would (`json:`, a per-request
 * timeout). The transport hands its body to fetch beside ky rather than through it, which this
 * post does not (docs/performance.md). The client has no retries; close it when done.
 */
export function checkAgainstKy(url, { timeoutMs = 5000, fetch } = {}) {
  // Only a given fetch is passed on, so the real-server figures keep each library's own default.
  const fetchOption = fetch === undefined ? {} : { fetch };
  const key = 'hs_bench_api_key';
  const tenant = 'bench';
  const params = { amount: 10, currency: 'USD' };
  const client = new HaltStateClient({ baseUrl: url, tenantId: tenant, apiKey: key, agentId: 'bench-bot', retries: 0, timeoutMs, onReportError: () => undefined, ...fetchOption });
  const bare = ky.create({
    prefixUrl: `${url}/api/sentinel`,
    headers: { 'x-tenant-id': tenant, 'x-api-key': key, authorization: `Bearer ${key}`, 'user-agent': 'bench' },
    retry: 0,
    timeout: false,
    throwHttpErrors: false,
    ...fetchOption,
  });
  return {
    client,
    params,
    tasks: {
      check: () => client.check({ action: 'bench.check', params }),
      ky: async () => (await bare.post('action/check', { json: { agent_id: 'bench-bot', action: 'bench.check', params }, timeout: timeoutMs })).json(),
    },
  };
}
