// The self-hosted server (issue 19): `haltstate serve` on PostgreSQL, one instance and three on
// one database, beside one instance on a SQLite file (the baseline). Two measures each:
// - guard throughput: allowed guard calls, each with a new key, 32 in flight, spread over the
//   instances by the client (as a load balancer would);
// - approval to execution: an agent waits (SSE) on one instance, the approver decides on
//   another, the time from the decision's answer to the guarded code running.
// Each server runs in its own process; a database of its own per run, dropped after.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { HaltStateClient } from '@haltstate/core';
import { fmt, summarise, throughput } from './lib.mjs';

const BIN = fileURLToPath(new URL('../packages/local/bin/haltstate.cjs', import.meta.url));
const ADMIN_URL = process.env.HALTSTATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TENANT = 'bench';
const KEY = 'hs_bench_api_key';
const APPROVER_KEY = `hs_bench_approver_${randomBytes(12).toString('hex')}`;
const LIMITS = ['requestsPerKey=1000000000', 'requestsPerIp=1000000000', 'pendingPerTenant=1000000', 'pendingPerAgent=1000000'].flatMap((limit) => ['--limit', limit]);

const policy = {
  version: 1,
  default: 'DENY',
  tenants: [{ id: TENANT, apiKey: KEY, adminKey: 'hs_bench_admin_key', approvers: [{ id: 'bench-approver', keySha256: createHash('sha256').update(APPROVER_KEY).digest('hex') }] }],
  rules: [
    { id: 'allow-bench', match: { action: 'bench.check' }, decision: 'ALLOW' },
    { id: 'approve-bench', match: { action: 'bench.approve*' }, decision: 'APPROVAL_REQUIRED' },
  ],
};

/** Why PostgreSQL cannot be used, or undefined. */
async function unreachable() {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (error) {
    return error.message;
  }
}

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function startServe(dir, db) {
  const env = { ...process.env, HALTSTATE_DB_URL: db, HALTSTATE_SESSION_SECRET: randomBytes(32).toString('hex') };
  const child = spawn(process.execPath, [BIN, 'serve', '--policy', join(dir, 'policy.json'), '--port', '0', '--log-level', 'info', ...LIMITS], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // The request lines are written (a production server logs them) and discarded here.
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const entry = JSON.parse(line);
      if (entry.event !== 'listening') return;
      lines.close();
      child.stdout.resume();
      resolve({ url: entry.url, stop: () => (child.kill('SIGTERM'), exited) });
    });
    exited.then((code) => reject(new Error(`haltstate serve exited with ${code}: ${stderr}`)));
  });
}

/** Guard throughput and approval-to-execution latency against `instances` (urls). */
async function measure(urls) {
  const clients = urls.map((url) => new HaltStateClient({ baseUrl: url, tenantId: TENANT, apiKey: KEY, agentId: 'bench-bot', onReportError: () => undefined }));
  let next = 0;
  const guard = () => {
    const n = next++;
    return clients[n % clients.length].guard({ action: 'bench.check', idempotencyKey: `tput-${process.pid}-${n}` }, () => n);
  };
  const tput = await throughput(guard, { concurrency: 32, time: 2000, rounds: 3 });
  const samples = [];
  for (let i = 0; i < 25; i++) {
    const waiter = clients[(i + 1) % clients.length];
    const decider = urls[(i + 2) % urls.length];
    let announce;
    const requested = new Promise((resolve) => (announce = resolve));
    let ranAt = 0;
    const waiting = waiter.guard({ action: 'bench.approve', idempotencyKey: `lat-${process.pid}-${i}`, wait: { timeoutMs: 30_000, onApprovalRequested: (notice) => announce(notice.approvalId) } }, () => (ranAt = performance.now()));
    const approvalId = await requested;
    // Let the waiter's stream come up (it replays from its cursor either way).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const response = await fetch(`${decider}/local/approvals/${approvalId}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-approver-key': APPROVER_KEY, 'x-tenant-id': TENANT }, body: '{}' });
    if (response.status !== 200) throw new Error(`approve answered ${response.status}: ${await response.text()}`);
    const approvedAt = performance.now();
    await waiting;
    samples.push(ranAt - approvedAt);
  }
  for (const client of clients) await client.close();
  return { guardsPerSecond: tput.median, spread: tput.spread, approvalToExecution: summarise(samples) };
}

async function run(dir, db, count) {
  const instances = await Promise.all(Array.from({ length: count }, () => startServe(dir, db)));
  try {
    return await measure(instances.map((instance) => instance.url));
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
  }
}

/**
 * The figure: PostgreSQL with three instances against SQLite with one (guards per second), with
 * one PostgreSQL instance and the approval-to-execution latencies beside them.
 */
export async function selfHosted() {
  const reason = await unreachable();
  if (reason) return { unit: 'guards/s', median: null, p99: null, baselineMedian: null, ratio: null, skipped: `no PostgreSQL at ${ADMIN_URL.replace(/\/\/[^@/]*@/, '//')}: ${reason}` };
  const dir = mkdtempSync(join(tmpdir(), 'haltstate-bench-serve-'));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));
  const results = {};
  try {
    results.sqlite1 = await run(dir, join(dir, 'bench.db'), 1);
    for (const count of [1, 3]) {
      const name = `hs_bench_${randomBytes(4).toString('hex')}`;
      await adminQuery(`CREATE DATABASE ${name}`);
      try {
        const url = new URL(ADMIN_URL);
        url.pathname = `/${name}`;
        results[`postgres${count}`] = await run(dir, url.toString(), count);
      } finally {
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const latency = (result) => ({ median: fmt(result.approvalToExecution.median), p99: fmt(result.approvalToExecution.p99) });
  return {
    unit: 'guards/s',
    median: fmt(results.postgres3.guardsPerSecond, 4),
    p99: null,
    baselineMedian: fmt(results.sqlite1.guardsPerSecond, 4),
    ratio: fmt(results.postgres3.guardsPerSecond / results.sqlite1.guardsPerSecond),
    guardsPerSecond: { sqlite1: fmt(results.sqlite1.guardsPerSecond, 4), postgres1: fmt(results.postgres1.guardsPerSecond, 4), postgres3: fmt(results.postgres3.guardsPerSecond, 4) },
    approvalToExecutionMs: { sqlite1: latency(results.sqlite1), postgres1: latency(results.postgres1), postgres3: latency(results.postgres3) },
    call: 'median: guard() of an allowed action, new key each, 32 in flight, round-robin over 3 serve instances on PostgreSQL; baseline: one serve instance on a SQLite file; latency: decision on one instance to the guarded code running on a client waiting on another',
  };
}
