// The client side alone, for `valgrind --tool=callgrind` (instruction counts do not depend on
// what else the machine runs): node bench/instructions-check.mjs <check|ky> <calls> <concurrency> <url | stub>.
// bench/instructions.mjs runs this under callgrind for each task, after starting the server (or,
// with --stub, passing `stub`: no server and no network, every call answered by stubFetch).
import { checkAgainstKy, stubFetch } from './lib.mjs';

const [mode, callsText, concurrencyText, url] = process.argv.slice(2);
const calls = Number(callsText);
// Valgrind runs Node some 50 times slower: a generous deadline keeps every call on its normal path.
const stub = url === 'stub';
// With the stub, the base URL only has to parse: nothing is sent to it.
const { client, tasks } = checkAgainstKy(stub ? 'http://127.0.0.1:9' : url, { timeoutMs: 120_000, fetch: stub ? stubFetch() : undefined });
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
