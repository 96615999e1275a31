// node bench/profile-check.mjs [--calls N] [--steps-only]: where the time of check() goes, next to a bare ky
// post of the same request (ky set up as the SDK's transport sets it up), at concurrency 1 and
// 32, against the local server in its own process. Prints, per call:
//  1. wall time of each, interleaved rounds, and the ratio (the issue's goal: within 5 %);
//  2. a CPU profile of each (node:inspector): self time by owner (the SDK, ky, zod, Node's
//     fetch, GC, …), and the SDK's own functions by inclusive time;
//  3. each per-call step of the SDK alone, timed in a loop (params hygiene, redaction, request
//     id, identifier validation, the response schema).
// Needs a build (npm run build). Not part of npm test; numbers go to docs/performance.md.
import { randomUUID } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { Bench } from 'tinybench';
import { toJsonObject } from '../packages/core/dist/esm/json.js';
import { redact } from '../packages/core/dist/esm/redaction.js';
import { identifier } from '../packages/core/dist/esm/schemas/common.js';
import { checkResponse } from '../packages/core/dist/esm/schemas/check.js';
import { checkAgainstKy, startServerProcess } from './lib.mjs';

const argv = process.argv.slice(2);
const calls = Number(argv[argv.indexOf('--calls') + 1] || 0) || 4000;
const params = { amount: 10, currency: 'USD' };
const us = (value) => (Math.round(value * 10) / 10).toFixed(1);

const server = await startServerProcess();
const { client, tasks } = checkAgainstKy(server.url);

/** A copy of readCapped in packages/core/src/internal/transport.ts (not exported), to time it alone. */
async function readCappedCopy(response, limit, deadline) {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  let expired = false;
  const remaining = deadline - performance.now();
  const timer = setTimeout(() => {
    expired = true;
    void reader.cancel().catch(() => undefined);
  }, Math.max(0, remaining));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (expired) throw new Error('deadline');
      if (done) return text + decoder.decode();
      size += value.byteLength;
      if (size > limit) throw new Error('too large');
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
  }
}

/** `count` calls with `concurrency` in flight; µs per call. */
async function timed(fn, concurrency, count) {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < count) await fn();
  }));
  return ((performance.now() - started) * 1000) / count;
}

/** Self time by owner and inclusive time of the SDK's functions, µs per call. */
function analyse(profile, count) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const owner = ({ url, functionName }) => {
    if (url.includes('/packages/core/dist/')) return 'SDK (@haltstate/core)';
    if (url.includes('/node_modules/ky/')) return 'ky';
    if (url.includes('/node_modules/zod/')) return 'zod';
    if (url.includes('undici')) return "Node's fetch (undici)";
    if (url.startsWith('node:') || url === '' && functionName !== '(garbage collector)' && functionName !== '(program)' && functionName !== '(idle)') return 'Node internals and natives';
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle (waiting for the server)';
    if (functionName === '(program)') return 'V8 (program)';
    return 'other';
  };
  const self = new Map();
  const inclusive = new Map();
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const leaf = byId.get(id);
    const group = owner(leaf.callFrame);
    self.set(group, (self.get(group) ?? 0) + delta);
    const seen = new Set();
    for (let current = id; current !== undefined; current = parent.get(current)) {
      const { callFrame } = byId.get(current);
      if (!callFrame.url.includes('/packages/core/dist/')) continue;
      const key = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*\/packages\/core\/dist\/esm\//, '')}:${callFrame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
    }
  });
  const perCall = (map) => [...map].sort((a, b) => b[1] - a[1]).map(([name, micros]) => [name, micros / count]);
  return { self: perCall(self), inclusive: perCall(inclusive) };
}

async function profiled(fn, concurrency, count) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  await timed(fn, concurrency, count);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  return analyse(profile, count);
}

try {
  console.log(`check() vs bare ky on Node ${process.version} (server on Node ${server.node}), ${calls} calls per round\n`);
  for (const fn of Object.values(tasks)) await timed(fn, 8, 1000); // warm up the JIT and the connections
  for (const concurrency of argv.includes('--steps-only') ? [] : [1, 32]) {
    const rounds = { check: [], ky: [] };
    for (let round = 0; round < 6; round++) {
      const order = round % 2 === 0 ? ['check', 'ky'] : ['ky', 'check'];
      for (const name of order) rounds[name].push(await timed(tasks[name], concurrency, calls));
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const [check, kyTime] = [median(rounds.check), median(rounds.ky)];
    console.log(`c=${concurrency}: check ${us(check)} µs/call, bare ky ${us(kyTime)} µs/call, ratio ${(check / kyTime).toFixed(3)} (rounds: check ${rounds.check.map(us).join(' ')}; ky ${rounds.ky.map(us).join(' ')})`);
    for (const name of ['check', 'ky']) {
      const { self, inclusive } = await profiled(tasks[name], concurrency, calls);
      console.log(`  ${name} CPU profile, self time per call: ${self.slice(0, 7).map(([group, micros]) => `${group} ${us(micros)} µs`).join(' · ')}`);
      if (name === 'check') for (const [fn, micros] of inclusive.slice(0, 14)) console.log(`    ${us(micros).padStart(6)} µs  ${fn}`);
    }
  }

  // The SDK's per-call steps alone (what check() adds to the request ky sends).
  const answer = { decision: 'ALLOW', reason: 'Matched allow-bench', policy_id: 'allow-bench', latency_ms: 0.05 };
  const answerText = JSON.stringify(answer);
  const jsonHeaders = { headers: { 'content-type': 'application/json' } };
  const bench = new Bench({ time: 700, warmupTime: 200 });
  bench
    .add('params hygiene: toJsonObject(params)', () => toJsonObject(params, 'params'))
    .add('redaction: redact(params) with the default keys', () => redact(params, undefined))
    .add('request id: randomUUID()', () => randomUUID())
    .add('validation: identifier.safeParse(action) + (agentId)', () => (identifier.safeParse('bench.check'), identifier.safeParse('bench-bot')))
    .add('response schema: checkResponse.safeParse(body)', () => checkResponse.safeParse(answer))
    .add('for scale: JSON.stringify(body)', () => JSON.stringify({ agent_id: 'bench-bot', action: 'bench.check', params }))
    // The body read: the SDK streams it (internal/transport.ts readCapped: reader loop, TextDecoder,
    // a deadline timer) where ky's .json() lets undici consume it whole. Same Response each side.
    .add('body read, as the SDK does (a copy of readCapped) + JSON.parse', async () => JSON.parse(await readCappedCopy(new Response(answerText, jsonHeaders), 1024 * 1024, performance.now() + 5000)))
    .add('body read, as ky .json() does: response.json()', async () => new Response(answerText, jsonHeaders).json());
  await bench.run();
  console.log('\nthe SDK\'s per-call steps alone (median):');
  for (const task of bench.tasks) console.log(`  ${us(task.result.latency.p50 * 1000).padStart(6)} µs  ${task.name}`);
} finally {
  await client.close();
  await server.stop();
}
