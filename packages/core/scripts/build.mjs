// core's build: the shared two-format tsc build (scripts/build-package.mjs at the repository
// root), then ky bundled into the CommonJS build. ky is ESM-only; a CommonJS program whose loader
// cannot require() ES modules (jest with ts-jest, as a NestJS app's tests run) would fail on it.
// dist/cjs/internal/ky.js, which tsc wrote as `require("ky")`, becomes ky itself in CommonJS.
// dist/esm keeps `export { default } from 'ky'`. See docs/build.md.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
execFileSync(process.execPath, [require.resolve('../../../scripts/build-package.mjs')], { stdio: 'inherit' });

// ky's exports map hides its package.json: find the folder from its entry point.
let kyRoot = dirname(require.resolve('ky'));
while (!existsSync(join(kyRoot, 'package.json'))) kyRoot = dirname(kyRoot);
const { version } = JSON.parse(readFileSync(join(kyRoot, 'package.json'), 'utf8'));
const license = readFileSync(join(kyRoot, 'license'), 'utf8').trim();
const outfile = 'dist/cjs/internal/ky.js';
await build({
  entryPoints: ['src/internal/ky.ts'],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  legalComments: 'inline',
  logLevel: 'warning',
  banner: { js: `/*!\n * ky ${version} (https://github.com/sindresorhus/ky), bundled as CommonJS into @haltstate/core.\n *\n${license.split('\n').map((line) => ` * ${line}`.trimEnd()).join('\n')}\n */` },
});
// tsc's map described the one-line re-export, not the bundle; ky's own sources are not shipped.
rmSync(`${outfile}.map`, { force: true });

// The CommonJS build must not load the ky package anywhere, and the bundle must work.
const requiresKy = (dir) =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => /require\(["']ky["']\)/.test(readFileSync(file, 'utf8')));
const offenders = requiresKy('dist/cjs');
if (offenders.length > 0) throw new Error(`the CommonJS build still requires ky: ${offenders.join(', ')}`);
const bundled = require(join(process.cwd(), outfile));
if (typeof bundled.default?.create !== 'function') throw new Error(`${outfile} does not export ky`);
