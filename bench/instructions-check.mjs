// The client side alone, for `valgrind --tool=callgrind` (instruction counts do not depend on
// what else the machine runs): node bench/instructions-check.mjs <check|ky> <calls> <concurrency> <url>.
// bench/instructions.mjs starts the server and runs this under callgrind for each task.
import { checkAgainstKy } from './lib.mjs';

const [mode, callsText, concurrencyText, url] = process.argv.slice(2);
const calls = Number(callsText);
// Valgrind runs Node some 50 times slower: a generous deadline keeps every call on its normal path.
const { client, tasks } = checkAgainstKy(url, { timeoutMs: 120_000 });
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
