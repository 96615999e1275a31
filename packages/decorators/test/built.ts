import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const packages = join(__dirname, '../..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Tests that run a package's built dist in a child process must not pass on a stale build:
 * throws, saying what to run, when a package's dist is missing or older than its src.
 */
export function assertBuilt(...names: string[]): void {
  for (const name of names) {
    const built = (() => {
      try {
        return Math.min(statSync(join(packages, name, 'dist/cjs/index.js')).mtimeMs, statSync(join(packages, name, 'dist/esm/index.js')).mtimeMs);
      } catch {
        return 0;
      }
    })();
    if (built < newestSource(join(packages, name, 'src'))) {
      throw new Error(`packages/${name}/dist is missing or older than its src: run \`npm run build\` first (npm test does)`);
    }
  }
}
