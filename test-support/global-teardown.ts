// Fails the run if any error or warning produced by the suite holds an API key used in a test.
// Every test key contains TEST_SECRET_MARKER (see test-support/keys.ts).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_SECRET_MARKER } from './keys';

export default function globalTeardown(): void {
  const dir = process.env.HALTSTATE_TEST_ERROR_DIR;
  if (!dir) return;
  let seen = 0;
  const leaks: string[] = [];
  for (const name of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      seen++;
      if (line.includes(TEST_SECRET_MARKER)) leaks.push(line.slice(0, 400));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (leaks.length > 0) throw new Error(`API key leaked into ${leaks.length} of ${seen} errors, warnings and log lines:\n${leaks.join('\n')}`);
  // Only say so on a full run: a filtered run may produce few errors.
  process.stdout.write(`\nsecret scan: ${seen} errors, warnings and log lines checked, no API key found\n`);
}
