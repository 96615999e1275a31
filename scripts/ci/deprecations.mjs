// The dependency audit (`npm audit` cannot reach its endpoint here): asks the registry, with
// `npm view NAME@VERSION deprecated`, about every production dependency and peer dependency of
// our published packages, at the version the lockfile installs, and fails on a deprecated one.
// The lockfile's own `deprecated` marks (recorded by npm at install) are checked for the whole
// production tree, offline.
//
// A canary that its author deprecated (request@2.88.2) is asked first: a registry (or mirror)
// that serves no deprecation data would otherwise make this check pass without checking
// anything. Then the audit says so and fails under DEPRECATIONS_STRICT=1, warns otherwise.
//
//   node scripts/ci/deprecations.mjs
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { root, secondsSince, section } from './lib.mjs';

const CANARY = 'request@2.88.2';
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
const execFileAsync = promisify(execFile);

/** Where Node would find `name` from the folder `from` (a lockfile key like packages/local). */
function installed(name, from) {
  for (let dir = from; ; ) {
    const key = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock[key]) return { key, ...lock[key] };
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    // Up one node_modules level; from a top-level package or a workspace folder, to the root.
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

/** Our published packages: packages/* that are not private. */
const published = readdirSync(join(root, 'packages'))
  .map((folder) => ({ folder: `packages/${folder}`, manifest: JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);
const ours = new Set(published.map(({ manifest }) => manifest.name));

/** Direct production and peer dependencies, resolved to the versions the lockfile installs. */
const direct = new Map();
for (const { folder, manifest } of published) {
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    if (ours.has(name)) continue;
    const entry = installed(name, folder);
    if (!entry) throw new Error(`${manifest.name} depends on ${name}, which the lockfile does not install`);
    const spec = `${name}@${entry.version}`;
    direct.set(spec, [...(direct.get(spec) ?? []), manifest.name]);
  }
}

/** The production tree below them (offline), for the lockfile's recorded marks. */
function tree() {
  const seen = new Map();
  const visit = (name, from) => {
    const entry = installed(name, from);
    if (!entry || seen.has(entry.key)) return;
    seen.set(entry.key, entry);
    for (const child of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) visit(child, entry.key);
  };
  for (const { folder, manifest } of published) for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) if (!ours.has(name)) visit(name, folder);
  return [...seen.values()];
}

async function deprecation(spec) {
  const { stdout } = await execFileAsync('npm', ['view', spec, 'deprecated', '--json'], { cwd: root, encoding: 'utf8' });
  const text = stdout.trim();
  return text ? JSON.parse(text) : '';
}

const started = performance.now();
section(`Dependency audit: ${direct.size} production/peer dependencies of ${[...ours].join(', ')}`);
const problems = [];
const production = tree();
for (const entry of production) if (entry.deprecated) problems.push(`${entry.key.replace(/^.*node_modules\//, '')}@${entry.version} (in the lockfile): ${entry.deprecated}`);
console.log(`lockfile: ${production.length} production packages, ${problems.length} marked deprecated`);

const specs = [...direct.keys()];
const answers = await Promise.all([CANARY, ...specs].map(async (spec) => [spec, await deprecation(spec)]));
const [, canary] = answers[0];
for (const [spec, message] of answers.slice(1)) {
  console.log(`${message ? 'DEPRECATED' : 'ok        '} ${spec} (${direct.get(spec).join(', ')})${message ? `: ${message}` : ''}`);
  if (message) problems.push(`${spec}: ${message}`);
}

let blind = false;
if (!canary) {
  blind = true;
  console.log(`\nWARNING: the registry reports no deprecation for ${CANARY}, which its author deprecated: this registry (or mirror) serves no deprecation data, so the answers above prove nothing.`);
}
for (const problem of problems) console.log(`deprecated: ${problem}`);
const strictFail = blind && process.env.DEPRECATIONS_STRICT === '1';
console.log(`deprecations: ${specs.length - problems.length} passed, ${problems.length + (strictFail ? 1 : 0)} failed (${secondsSince(started)} s${blind ? '; registry serves no deprecation data' : ''})`);
process.exitCode = problems.length > 0 || strictFail ? 1 : 0;
