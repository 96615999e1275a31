#!/usr/bin/env node
// Runs a NestJS app's test setup, as `nest new` generates it (jest + ts-jest compiling to
// CommonJS, Nest's jest config unchanged), against @haltstate/core as npm would install it: the
// tarball of `npm pack`, unpacked into the app's node_modules. Two flavours of Nest's generated
// tsconfig: Nest 11 (module nodenext, isolatedModules: transpile only) and Nest 10 (module
// commonjs: ts-jest type-checks the spec against the package's .d.ts too).
//
// Usage: node test-support/packaging/run-nest-jest.mjs   (after `npm run build -w @haltstate/core`)
// Exit code 0 when every flavour's jest run passes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const core = join(repo, 'packages/core');
const fixture = join(here, 'nest-app');
const FLAVOURS = ['nest11', 'nest10'];

if (!existsSync(join(core, 'dist/cjs/index.js'))) {
  console.error('packages/core/dist is missing: run `npm run build -w @haltstate/core` first');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'haltstate-nest-jest-'));
let failed = false;
try {
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: core, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  const tarball = join(work, filename);
  for (const flavour of FLAVOURS) {
    const app = join(work, flavour);
    cpSync(fixture, app, { recursive: true, filter: (source) => !/tsconfig\.\w+\.json$/.test(source) });
    copyFileSync(join(fixture, `tsconfig.${flavour}.json`), join(app, 'tsconfig.json'));
    // The app's node_modules: every package of the repository's (jest, ts-jest, typescript, zod,
    // ky, @types/…) linked in, and @haltstate/core unpacked from the tarball, not the workspace.
    const modules = join(app, 'node_modules');
    mkdirSync(modules);
    for (const entry of readdirSync(join(repo, 'node_modules'))) {
      if (entry === '@haltstate' || entry.startsWith('.')) continue;
      symlinkSync(join(repo, 'node_modules', entry), join(modules, entry));
    }
    const installed = join(modules, '@haltstate/core');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
    const env = { ...process.env };
    delete env.JEST_WORKER_ID;
    try {
      execFileSync(process.execPath, [join(repo, 'node_modules/jest/bin/jest.js'), '--ci', '--colors=false'], { cwd: app, env, stdio: 'inherit' });
      console.log(`nest-jest (${flavour}): passed`);
    } catch {
      console.error(`nest-jest (${flavour}): FAILED`);
      failed = true;
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
