// A seeded randomized run of guarded calls through a fault-injecting proxy. `npm test` runs a
// short one; `npm run test:chaos` a long one (CHAOS_SEED, CHAOS_COUNT). A failure prints the
// seed: run `CHAOS_SEED=<seed> npm run test:chaos` to replay it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HaltStateClient, isHaltStateError } from '@haltstate/core';
import { AdminClient, type LocalServer } from '@haltstate/local';
import { startServer, TENANTS } from '../helpers/server';
import { prng, startFaultProxy, weightedPicker, type Fault, type FaultProxy } from './fault-proxy';

/** The V8 gc() function, whether or not the process was started with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const SEED = Number(process.env.CHAOS_SEED ?? 20261126);
const COUNT = Number(process.env.CHAOS_COUNT ?? 150);
// A long run's bound grows with its size (about 100 ms a call on a loaded 2-core machine).
const RUN_BOUND_MS = Math.max(300_000, COUNT * 100);
const CONCURRENCY = 8;
// Generous enough that a busy CI machine does not turn every answer into a timeout (seen at 250 ms:
// reports still in backoff when the recovery flush ended); injected timeouts still cost a deadline.
const TIMEOUT_MS = 1000;
const RETRIES = 2;
const WAIT_MS = 1500;
// Each attempt's deadline, plus the backoff between attempts (at most 300 + 600 ms), plus slack
// for a loaded machine. A call that takes longer has hung.
const CALL_BOUND_MS = (RETRIES + 1) * TIMEOUT_MS + 900 + 2500;

const FAULTS: Array<[Fault, number]> = [
  ['pass', 40],
  ['error-503', 8],
  ['error-500-after', 8],
  ['error-503-after', 6],
  ['timeout', 4],
  ['timeout-after', 4],
  ['reset', 6],
  ['reset-mid-body', 6],
  ['slow', 6],
  ['truncated-json', 5],
  ['malformed-json', 4],
  ['wrong-content-type', 4],
  ['huge-body', 3],
  ['stream-drop', 2],
];

let server: LocalServer;
let proxy: FaultProxy;
beforeAll(async () => {
  server = await startServer();
  proxy = await startFaultProxy(server.url, { slowMs: 60 });
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});

it(`never runs what was not allowed, reports each run exactly once, never hangs (seed ${SEED}, ${COUNT} calls)`, async () => {
  const random = prng(SEED);
  proxy.setPicker(weightedPicker(random, FAULTS));
  const acme = TENANTS[0]!;
  const undelivered: string[] = [];
  const client = new HaltStateClient({ baseUrl: proxy.url, tenantId: acme.id, apiKey: acme.apiKey, agentId: 'chaos-bot', timeoutMs: TIMEOUT_MS, retries: RETRIES, onReportError: (error) => undelivered.push(error.message) });
  const admin = new AdminClient({ url: server.url, tenantId: acme.id, adminKey: acme.adminKey });
  const gc = exposeGc();

  const executed = new Map<string, number>();
  const untyped: unknown[] = [];
  const slow: Array<[string, number]> = [];
  const plans = Array.from({ length: COUNT }, (_, index) => {
    const roll = random();
    const action = roll < 0.45 ? 'read.data' : roll < 0.7 ? 'database.drop' : 'payment.process';
    const wait = action === 'payment.process' && random() < 0.3;
    return { key: `chaos-${SEED}-${index}`, action, wait, params: { index, amount: 5000 } };
  });

  // A human who approves payments as they come in, straight on the server.
  let approving = true;
  const approver = (async () => {
    while (approving) {
      for (const approval of await admin.approvals('pending')) await admin.approve(approval.approval_id, { approver: 'chaos-human' }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  const run = async (plan: (typeof plans)[number]) => {
    const started = performance.now();
    try {
      await client.guard({ action: plan.action, params: plan.params, idempotencyKey: plan.key, ...(plan.wait ? { wait: { timeoutMs: WAIT_MS, pollIntervalMs: 200 } } : {}) }, () => {
        executed.set(plan.key, (executed.get(plan.key) ?? 0) + 1);
      });
    } catch (error) {
      if (!isHaltStateError(error)) untyped.push(error);
    }
    const took = performance.now() - started;
    if (took > CALL_BOUND_MS + (plan.wait ? WAIT_MS : 0)) slow.push([plan.key, Math.round(took)]);
  };
  let next = 0;
  const runUntil = (end: number) =>
    Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < end) await run(plans[next++]!);
    }));
  // The first calls warm up JIT, pools and caches: the heap is measured from after them.
  await runUntil(Math.min(50, Math.floor(COUNT / 5)));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  await runUntil(plans.length);
  approving = false;
  await approver;

  // Recovery: the faults stop, everything queued is delivered.
  proxy.setPicker(() => 'pass');
  const flushed = await client.flush({ timeoutMs: 30_000 });
  await client.close();

  const trail = await admin.audit();
  const permits = new Set(trail.filter((entry) => entry.kind === 'guard' && (entry.decision === 'allowed' || entry.decision === 'approved')).map((entry) => entry.idempotencyKey));
  const reports = new Map<string, number>();
  for (const entry of trail) if (entry.kind === 'guard_report') reports.set(entry.idempotencyKey!, (reports.get(entry.idempotencyKey!) ?? 0) + 1);

  const context = `seed ${SEED}; faults ${JSON.stringify(proxy.counts)}`;
  expect({ untyped: untyped.map(String), context }).toEqual({ untyped: [], context });
  expect({ slow, context }).toEqual({ slow: [], context });
  // Nothing ran without the server's permit, and nothing ran twice.
  expect([...executed.keys()].filter((key) => !permits.has(key))).toEqual([]);
  expect([...executed.entries()].filter(([, runs]) => runs !== 1)).toEqual([]);
  // Every run was reported exactly once, after recovery.
  expect({ flushed: flushed.ok, pending: flushed.pending, undelivered }).toEqual({ flushed: true, pending: 0, undelivered: [] });
  expect([...executed.keys()].filter((key) => reports.get(key) !== 1)).toEqual([]);
  // Denied actions never ran, whatever the faults.
  expect(plans.filter((plan) => plan.action === 'database.drop' && executed.has(plan.key))).toEqual([]);
  // The run exercised the faults and still let work through.
  expect(executed.size).toBeGreaterThan(0);
  expect(Object.keys(proxy.counts).length).toBeGreaterThan(8);

  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const growthMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  // The heap is bounded on the long run, which has its process to itself (`npm run test:chaos`),
  // where a leak of even a few KiB a call shows. In `npm test` this file shares a jest worker
  // with files whose leftovers (held sockets, timers) are collected or not during its window:
  // the number is printed, not judged (seen: +1.6 MiB alone, +180 MiB beside other files).
  if (COUNT >= 1000) expect(growthMiB).toBeLessThan(50);
  process.stdout.write(`chaos: seed ${SEED}, ${COUNT} calls, ${executed.size} ran, heap ${growthMiB >= 0 ? '+' : ''}${growthMiB.toFixed(1)} MiB, faults ${JSON.stringify(proxy.counts)}\n`);
}, RUN_BOUND_MS);
