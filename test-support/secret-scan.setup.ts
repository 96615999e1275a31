// Runs in every test file: records every HaltState error (through the SDK's diagnostics channel),
// every process warning and every console line, so the global teardown can prove no API key ever
// leaked into one.
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { join } from 'node:path';

const dir = process.env.HALTSTATE_TEST_ERROR_DIR;
if (dir) {
  const file = join(dir, `errors-${process.pid}.jsonl`);
  const record = (kind: string, text: string) => {
    try {
      appendFileSync(file, JSON.stringify({ kind, text }) + '\n');
    } catch {
      // The run is over and the folder is gone: a straggler after the last test.
    }
  };
  subscribe('haltstate:error', (error) => {
    // Cause and all: the whole error as a user would see it printed or serialised.
    record('error', `${String(error)}\n${inspect(error, { depth: 5 })}\n${JSON.stringify(error)}`);
  });
  process.on('warning', (warning) => record('warning', `${warning.name}: ${warning.message}`));
  // Logs too: anything a test, the SDK or a framework prints.
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      record('log', args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 5 }))).join(' '));
      original(...args);
    };
  }
}
