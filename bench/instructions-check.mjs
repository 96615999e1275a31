// The client side alone, for `valgrind --tool=callgrind` (instruction counts do not depend on
// what else the machine runs): node bench/instructions-check.mjs <check|ky> <calls> <concurrency> <url>.
// bench/instructions.mjs starts the server and runs this under callgrind for each task.
import { checkAgainstKy, stubFetch } from './lib.mjs';

const [mode, callsText, concurrencyText, url] = process.argv.slice(2);
const calls = Number(callsText);
// Valgrind runs Node some 50 times slower: a generous deadline keeps every call on its normal path.
// `stub`: no server and no network, every call answered by stubFetch (bench/lib.mjs).
const stub = url === 'stub';
const { client, tasks } = checkAgainstKy(stub ? 'http://127.0.0.1:9' : url, { timeoutMs: 120_000, ...(stub ? { fetch: stubFetch() } : {}) });
const task = tasks[mode];
let next = 0;
const worker = async () => {
  while (next < calls) {
    next++;
    await task();
  }
};
await Promise.all(Array.from({ length: Number(concurrencyText) }, worker));
await client.close();
