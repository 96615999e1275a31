import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function globalSetup(): void {
  process.env.HALTSTATE_TEST_ERROR_DIR = mkdtempSync(join(tmpdir(), 'haltstate-errors-'));
}
