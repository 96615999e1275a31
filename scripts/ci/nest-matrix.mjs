// The NestJS suite against each supported Nest major, the way a user gets our packages: builds,
// `npm pack`s core, decorators and nestjs, installs the tarballs with @nestjs/* N.x from the
// registry into a temp app per major (peer ranges are checked by that install: no --force),
// compiles the fixture app (scripts/ci/fixtures/nest) with tsc as CommonJS and as ESM, and runs
// its node:test suite against a real @haltstate/local server on 127.0.0.1.
//
//   node scripts/ci/nest-matrix.mjs [--majors 10,11,12] [--no-build]
//   KEEP_CI_TMP=1 keeps the temp apps for a look after a failure.
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalServer } from '@haltstate/local';
import { root, run, runAsync, secondsSince, section, StepError, tempDir } from './lib.mjs';

const argv = process.argv.slice(2);
const option = (name) => {
  const index = argv.indexOf(`--${name}`);
  return index === -1 ? undefined : argv[index + 1];
};
const majors = (option('majors') ?? '10,11,12').split(',').map((major) => major.trim());
const modes = ['commonjs', 'module'];
const fixture = join(root, 'scripts/ci/fixtures/nest');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

const tenant = { id: 'acme', apiKey: 'hs_ci_nest_matrix_key', adminKey: 'hs_ci_nest_matrix_admin' };
const policy = {
  tenants: [tenant],
  rules: [
    { id: 'reads', match: { action: 'read.*' }, decision: 'ALLOW' },
    { id: 'no-drops', match: { action: 'database.*' }, decision: 'DENY', reason: 'Destructive operation' },
    { id: 'small', match: { action: 'payment.process' }, when: { 'params.amount': { lte: 1000 } }, decision: 'ALLOW' },
    { id: 'large', match: { action: 'payment.*' }, decision: 'APPROVAL_REQUIRED', reason: 'Over the limit', approval: { ttl: '1m' } },
  ],
};

function pack(into) {
  if (!argv.includes('--no-build')) run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', into, '-w', 'packages/core', '-w', 'packages/decorators', '-w', 'packages/nestjs'], { capture: true }));
  return Object.fromEntries(packed.map((entry) => [entry.name, join(into, entry.filename)]));
}

function installApp(dir, major, tarballs) {
  const dependencies = {
    ...Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`])),
    '@nestjs/common': `^${major}.0.0`,
    '@nestjs/core': `^${major}.0.0`,
    '@nestjs/platform-express': `^${major}.0.0`,
    'reflect-metadata': '~0.2.2',
    rxjs: '~7.8.2',
    '@types/node': '~20.19.0',
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `nest-${major}-fixture`, private: true, dependencies }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel', 'error'], { cwd: dir });
  return JSON.parse(readFileSync(join(dir, 'node_modules/@nestjs/core/package.json'), 'utf8')).version;
}

/** Compiles the fixture as `type` (commonjs or module) inside the app and runs its tests. */
async function compileAndTest(dir, type, server, agent) {
  const out = join(dir, type);
  mkdirSync(out, { recursive: true });
  cpSync(fixture, join(out, 'src'), { recursive: true, filter: (path) => !path.endsWith('tsconfig.json') });
  copyFileSync(join(fixture, 'tsconfig.json'), join(out, 'tsconfig.json'));
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type }) + '\n');
  // Our .d.ts against this major's types: checked once per major (libraries included), then
  // the second module system compiles without re-checking the libraries.
  run(process.execPath, [tsc, '-p', join(out, 'tsconfig.json'), ...(type === 'commonjs' ? [] : ['--skipLibCheck'])], { cwd: out });
  // Not run(): spawnSync would freeze this process, and the server it runs with it.
  return runAsync(process.execPath, ['--test', '--test-reporter=spec', '--test-timeout=60000', join(out, 'dist/app.test.js')], {
    cwd: out,
    timeoutMs: 180_000,
    env: { ...process.env, HS_URL: server.url, HS_TENANT: tenant.id, HS_KEY: tenant.apiKey, HS_ADMIN_KEY: tenant.adminKey, HS_AGENT: agent },
  });
}

const results = [];
const started = performance.now();
section(`NestJS matrix: majors ${majors.join(', ')} × ${modes.join(' and ')}, on Node ${process.version}`);
const tarballs = pack(tempDir('nest-tarballs'));
const server = await createLocalServer({ policy });
try {
  for (const major of majors) {
    const dir = tempDir(`nest-${major}`);
    const begin = performance.now();
    let version = '?';
    try {
      version = installApp(dir, major, tarballs);
      console.log(`Nest ${major}: installed @nestjs/core ${version} with our tarballs in ${secondsSince(begin)} s`);
      for (const type of modes) {
        section(`Nest ${version}, app as ${type}`);
        const step = performance.now();
        try {
          await compileAndTest(dir, type, server, `nest${major}-${type}-bot`);
          results.push({ major, version, type, ok: true, seconds: secondsSince(step) });
        } catch (error) {
          if (!(error instanceof StepError)) throw error;
          console.error(error.message);
          results.push({ major, version, type, ok: false, seconds: secondsSince(step) });
        }
      }
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      console.error(error.message);
      results.push({ major, version, type: 'install', ok: false, seconds: secondsSince(begin) });
    }
  }
} finally {
  await server.close();
}

section('NestJS matrix results');
for (const result of results) console.log(`${result.ok ? 'ok  ' : 'FAIL'} Nest ${result.version} (${result.major}.x) ${result.type}: ${result.seconds} s`);
const failed = results.filter((result) => !result.ok).length;
console.log(`nest-matrix: ${results.length - failed} passed, ${failed} failed (${secondsSince(started)} s)`);
process.exitCode = failed === 0 ? 0 : 1;
