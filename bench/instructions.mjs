// node bench/instructions.mjs [--stub] [--warmup N] [--calls N] [--repeat N] [--concurrency 1|32]: instructions per call of check() against a bare ky post
// of the same request, at concurrency 1 and 32, counted by `valgrind --tool=callgrind` in the
// client process only (the server runs in its own, uncounted process). Unlike wall or CPU time,
// an instruction count does not move with what else the machine runs, so the ratio can be read
// on a busy 2-core machine. Each task runs twice (after --warmup calls, and after --warmup +
// --calls) and the difference is divided by the extra calls, which cancels Node's start-up and
// the warm-up. The warm-up is long because predictable mode compiles on the main thread, and V8
// is still optimizing functions for the first time well into the run (with --trace-opt: some
// 440 optimizations in the first 4000 checks, 41 in the next 4000): a window that starts at
// call 100 counts mostly that one-time compile work, which a normal Node does on background
// threads (measured 2026-12-02: c=1 ratio 1.09 after 100 calls, 1.014 after 3000). The window is
// 5000 calls: 1000 hold only three to five of predictable mode's full collections, and one more or
// less moved a ratio by up to 18 points (c=32, same build: 1.004 over 1000 calls, 1.183 over 5000).
// --stub: no server and no network (stubFetch in bench/lib.mjs answers every call), one call at a
// time, 6000 calls of warm-up and 6000 counted by default: nothing depends on network timing, and
// a change to the SDK's own per-call work shows in about ten minutes.
// Needs valgrind (Debian's package) and a build. Not part of npm test or npm run bench (slow:
// callgrind runs Node about 50 times slower: about 30 minutes per concurrency with the defaults).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from './lib.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) || fallback : fallback);
const stub = argv.includes('--stub');
const extra = option('--calls', stub ? 6000 : 5000);
const repeat = option('--repeat', 1);
const concurrencies = stub ? [1] : argv.includes('--concurrency') ? [option('--concurrency', 1)] : [1, 32];
// V8's predictable mode: one thread, a fixed random seed and a fixed GC schedule, so two runs of
// one build tier up and collect alike (with only --single-threaded, the same build moved 9 points).
const nodeFlags = ['--predictable', '--predictable-gc-schedule', '--random-seed=1'];
const base = option('--warmup', stub ? 6000 : 3000);
const script = fileURLToPath(new URL('instructions-check.mjs', import.meta.url));

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('bench/instructions.mjs needs valgrind (apt-get install valgrind)');
  process.exit(2);
}
const server = stub ? { url: 'stub', stop: async () => undefined } : await startServerProcess();
const count = (task, calls, concurrency) => {
  const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...nodeFlags, script, task, String(calls), String(concurrency), server.url], { encoding: 'utf8' });
  const match = /Collected : (\d+)/.exec(run.stderr);
  if (run.status !== 0 || !match) throw new Error(`callgrind ${task} ${calls}: exit ${run.status}\n${run.stderr.slice(-2000)}`);
  return Number(match[1]);
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
try {
  const ratios = Object.fromEntries(concurrencies.map((concurrency) => [concurrency, []]));
  for (let round = 1; round <= repeat; round++) {
    for (const concurrency of concurrencies) {
      const perCall = {};
      for (const task of ['check', 'ky']) perCall[task] = (count(task, base + extra, concurrency) - count(task, base, concurrency)) / extra;
      ratios[concurrency].push(perCall.check / perCall.ky);
      console.log(`run ${round}/${repeat} c=${concurrency}: check() ${(perCall.check / 1e6).toFixed(3)} M instructions/call, bare ky ${(perCall.ky / 1e6).toFixed(3)} M, ratio ${(perCall.check / perCall.ky).toFixed(3)} (Node ${process.version}${stub ? ', stub fetch' : ''})`);
    }
  }
  if (repeat > 1) for (const concurrency of concurrencies) console.log(`c=${concurrency}: median ratio of ${repeat} runs ${median(ratios[concurrency]).toFixed(3)} (runs: ${ratios[concurrency].map((ratio) => ratio.toFixed(3)).join(', ')})`);
} finally {
  await server.stop();
}
