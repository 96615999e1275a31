// A Nest app needs no tsyringe: the packed packages, installed in a folder without it, boot a Nest
// app with HaltStateModule and a guarded provider that is called over HTTP against the local
// server, from CommonJS and from ESM; its TypeScript compiles against their declarations. Using
// the tsyringe path there says what to install.
import { execFile } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalServer } from '@haltstate/local';
import { installPacked, type PackedInstall } from '../../decorators/test/packed';
import { startServer, tenant } from './helpers';

const run = promisify(execFile);
let server: LocalServer;
let install: PackedInstall;

beforeAll(async () => {
  server = await startServer();
  install = installPacked({ packages: ['core', 'decorators', 'nestjs'], also: ['@nestjs/platform-express', '@types/node'], without: ['tsyringe'] });
  install.add(...['define-app.cjs', 'run-app.cjs', 'app.cjs', 'app.mjs'].map((file) => join(__dirname, 'without-tsyringe', file)));
}, 60_000);
afterAll(async () => {
  install?.remove();
  await server?.close();
});

it.each(['app.cjs', 'app.mjs'])('%s: a Nest app with a guarded provider runs without tsyringe installed', async (app) => {
  const { stdout } = await run(process.execPath, [app], { cwd: install.dir, env: { PATH: process.env.PATH, HS_URL: server.url, HS_TENANT: tenant.id, HS_KEY: tenant.apiKey } });
  const output = JSON.parse(stdout);
  expect(output.answers).toEqual({
    small: { status: 201, body: { paid: 'INV-1', amount: 10 } },
    large: { status: 202, body: { code: 'HALTSTATE_APPROVAL_PENDING' } },
  });
  expect(output.tsyringeLoaded).toBe(false);
  expect(output.registered.name).toBe('HaltStateValidationError');
  expect(output.registered.message).toContain('registerHaltState needs tsyringe, which is not installed');
  expect(output.registered.message).toContain('npm install tsyringe');
}, 60_000);

// Nest's generated tsconfig (CommonJS, legacy decorators with metadata) with skipLibCheck off, so a
// declaration that imports tsyringe would be an error; the ESM build's declarations are searched
// (compiling them too would double a slow compile).
it('a Nest app in TypeScript compiles without tsyringe installed (skipLibCheck off); no declaration imports it', async () => {
  const declarations = ['decorators', 'nestjs'].flatMap((name) => {
    const folder = join(install.dir, 'node_modules/@haltstate', name, 'dist');
    return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((file) => /\.d\.c?ts$/.test(file)).map((file) => join(folder, file));
  });
  expect(declarations.length).toBeGreaterThan(10);
  expect(declarations.filter((file) => /^\s*(import|export)\b.*from ['"]tsyringe['"]|import\(['"]tsyringe['"]\)/m.test(readFileSync(file, 'utf8')))).toEqual([]);

  copyFileSync(join(__dirname, 'without-tsyringe/typed-app.ts'), join(install.dir, 'app.ts'));
  const compilerOptions = { module: 'commonjs', target: 'es2021', esModuleInterop: true, strict: true, experimentalDecorators: true, emitDecoratorMetadata: true, skipLibCheck: false, noEmit: true, types: ['node'] };
  writeFileSync(join(install.dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['app.ts'] }));
  const compiled = await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: install.dir }).then(
    () => 'compiled',
    (error: { stdout: string }) => error.stdout,
  );
  expect(compiled).toBe('compiled');
}, 120_000);
