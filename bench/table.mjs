// node bench/table.mjs: the runs in bench/results.json (one per Node major) side by side, as the
// Markdown table in docs/performance.md.
import { readFileSync } from 'node:fs';

const { runs } = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8'));
const majors = Object.keys(runs ?? {});
if (majors.length === 0) throw new Error('bench/results.json has no runs: npm run bench first');
const num = (value) => (typeof value === 'number' ? value.toLocaleString('en-US').replace(/,/g, ' ') : '–');

const rows = [
  ['`checkVsFetch` c=1: `check()` median', (f) => `${num(f.checkVsFetch?.median)} ms`],
  ['… ratio to bare `fetch` (goal ≤ 1.10)', (f) => num(f.checkVsFetch?.ratio)],
  ['… ratio to bare ky (goal ≤ 1.05)', (f) => num(f.checkVsFetch?.ratioToKy)],
  ['`checkVsFetch` c=32: checks/s', (f) => num(f.checkVsFetch?.throughput?.checkPerSecond)],
  ['… bare `fetch` / `check()` (goal ≤ 1.10)', (f) => num(f.checkVsFetch?.throughput?.ratio)],
  ['… bare ky / `check()` (goal ≤ 1.05)', (f) => num(f.checkVsFetch?.throughput?.ratioToKy)],
  ['`guardOverhead`: `@HaltStateGuard` added', (f) => `${num(f.guardOverhead?.decoratorAddedMicros)} µs`],
  ['… `haltstateGuard` added', (f) => `${num(f.guardOverhead?.haltstateGuardAddedMicros)} µs`],
  ['`reportCost`: `report()` on the action\'s path', (f) => `${num(f.reportCost?.median)} µs`],
  ['… delivery, reports/s (bare fetch ratio)', (f) => `${num(f.reportCost?.delivery?.reportsPerSecond)} (${num(f.reportCost?.delivery?.ratio)})`],
  ['`approvalToExecution` SSE p99 (goal ≤ 50 ms)', (f) => `${num(f.approvalToExecution?.p99)} ms`],
  ['`policyEvaluation`, 100 rules: decisions/s', (f) => num(f.policyEvaluation?.decisionsPerSecond)],
  ['`memory`: heap growth after 100 000 checks', (f) => `${num(f.memory?.heapGrowthAfter100kChecksMiB)} MiB`],
  ['`tracingOverhead`: guard, tracing on / off', (f) => num(f.tracingOverhead?.ratio)],
  ['… added by tracing', (f) => `${num(f.tracingOverhead?.addedMicros)} µs`],
  ['the run took', (f, run) => `${num(run.seconds)} s`],
];

console.log(`| figure | ${majors.map((major) => `Node ${runs[major].node.slice(1)}`).join(' | ')} |`);
console.log(`| --- | ${majors.map(() => '---').join(' | ')} |`);
for (const [label, cell] of rows) console.log(`| ${label} | ${majors.map((major) => cell(runs[major].figures, runs[major])).join(' | ')} |`);
