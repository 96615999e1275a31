// Builds the package in the current directory twice with plain tsc (tsc keeps decorator
// metadata, which esbuild-based bundlers drop): CommonJS into dist/cjs and ESM into dist/esm,
// each with a package.json that tells Node which module system the folder uses.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });

const run = (args) => execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', ...args], { stdio: 'inherit' });
run(['--outDir', 'dist/cjs']);
run(['--outDir', 'dist/esm', '--module', 'es2022', '--moduleResolution', 'bundler']);

for (const [dir, type] of [['dist/cjs', 'commonjs'], ['dist/esm', 'module']]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + '\n');
}
