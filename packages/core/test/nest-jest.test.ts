// A NestJS app's own tests must load the published package with Nest's generated jest setup
// (ts-jest, CommonJS) unchanged. test-support/packaging/run-nest-jest.mjs packs core, installs the
// tarball into such an app and runs its jest; this runs that script.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const repo = join(__dirname, '../../..');

describe('a Nest app with its generated jest config', () => {
  beforeAll(() => {
    if (!existsSync(join(repo, 'packages/core/dist/cjs/index.js'))) throw new Error('packages/core/dist is missing: run `npm run build` first (npm test does)');
  });

  it('loads the packed @haltstate/core and checks an action against a local HTTP server', () => {
    const run = spawnSync(process.execPath, [join(repo, 'test-support/packaging/run-nest-jest.mjs')], { encoding: 'utf8', env: { ...process.env, JEST_WORKER_ID: '' } });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).not.toContain('Must use import to load ES Module');
    expect(output).toContain('nest-jest (nest11): passed');
    expect(output).toContain('nest-jest (nest10): passed');
    expect(run.status).toBe(0);
  }, 180_000);
});
