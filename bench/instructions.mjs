// node bench/instructions.mjs [--calls N]: instructions per call of check() against a bare ky post
// of the same request, at concurrency 1 and 32, counted by `valgrind --tool=callgrind` in the
// client process only (the server runs in its own, uncounted process). Unlike wall or CPU time,
// an instruction count does not move with what else the machine runs, so the ratio can be read
// on a busy 2-core machine. Each task runs twice (a short and a long run) and the difference is
// divided by the extra calls, which cancels Node's start-up and the warm-up.
// Needs valgrind (Debian's package) and a build. Not part of npm test or npm run bench (slow:
// callgrind runs Node about 50 times slower).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from './lib.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) || fallback : fallback);
const extra = option('--calls', 500);
const repeat = option('--repeat', 1);
// V8's predictable mode: one thread, a fixed random seed and a fixed GC schedule, so two runs of
// one build tier up and collect alike (with only --single-threaded, the same build moved 9 points).
const nodeFlags = ['--predictable', '--predictable-gc-schedule', '--random-seed=1'];
const base = 100;
const script = fileURLToPath(new URL('instructions-check.mjs', import.meta.url));

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('bench/instructions.mjs needs valgrind (apt-get install valgrind)');
  process.exit(2);
}
const server = await startServerProcess();
const count = (task, calls, concurrency) => {
  const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...nodeFlags, script, task, String(calls), String(concurrency), server.url], { encoding: 'utf8' });
  const match = /Collected : (\d+)/.exec(run.stderr);
  if (run.status !== 0 || !match) throw new Error(`callgrind ${task} ${calls}: exit ${run.status}\n${run.stderr.slice(-2000)}`);
  return Number(match[1]);
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
try {
  const ratios = { 1: [], 32: [] };
  for (let round = 1; round <= repeat; round++) {
    for (const concurrency of [1, 32]) {
      const perCall = {};
      for (const task of ['check', 'ky']) perCall[task] = (count(task, base + extra, concurrency) - count(task, base, concurrency)) / extra;
      ratios[concurrency].push(perCall.check / perCall.ky);
      console.log(`run ${round}/${repeat} c=${concurrency}: check() ${(perCall.check / 1e6).toFixed(3)} M instructions/call, bare ky ${(perCall.ky / 1e6).toFixed(3)} M, ratio ${(perCall.check / perCall.ky).toFixed(3)} (Node ${process.version})`);
    }
  }
  if (repeat > 1) for (const concurrency of [1, 32]) console.log(`c=${concurrency}: median ratio of ${repeat} runs ${median(ratios[concurrency]).toFixed(3)} (runs: ${ratios[concurrency].map((ratio) => ratio.toFixed(3)).join(', ')})`);
} finally {
  await server.stop();
}
