import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { assertBuilt } from './built';

const root = join(__dirname, '../../..');

/** A folder where an app sees our packages as a user installs them. */
export interface PackedInstall {
  /** The app's folder; its node_modules holds the packed packages and their dependencies. */
  dir: string;
  /** Copies files (the app's scripts) into the app's folder. */
  add(...files: string[]): void;
  remove(): void;
}

function manifest(dir: string): { dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/**
 * Packs `packages` (folder names under packages/) with `npm pack`, unpacks them into a fresh
 * temp app's node_modules, and links from the repository's node_modules what they depend on
 * (dependencies and required peers) plus `also`, except `without`. Links resolve from their real
 * place, but our packages are real copies: a module they require and the app does not have (say
 * tsyringe) fails to load there, as it does for a user who did not install it.
 */
export function installPacked({ packages, also = [], without = [] }: { packages: string[]; also?: string[]; without?: string[] }): PackedInstall {
  assertBuilt(...packages);
  const dir = mkdtempSync(join(tmpdir(), 'haltstate-packed-'));
  const modules = join(dir, 'node_modules');
  const workspaces = packages.flatMap((name) => ['-w', `packages/${name}`]);
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir, ...workspaces], { cwd: root, encoding: 'utf8' })) as Array<{ name: string; filename: string }>;
  const needed = new Set(also);
  for (const { name, filename } of packed) {
    const target = join(modules, name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, filename), '-C', target, '--strip-components=1']);
    const { dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = manifest(target);
    for (const dependency of Object.keys(dependencies)) needed.add(dependency);
    for (const peer of Object.keys(peerDependencies)) if (!peerDependenciesMeta[peer]?.optional) needed.add(peer);
  }
  for (const name of needed) {
    if (name.startsWith('@haltstate/') || without.includes(name) || existsSync(join(modules, name))) continue;
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  }
  for (const name of without) {
    const from = createRequire(join(dir, 'app.js'));
    let found: string | undefined;
    try {
      found = from.resolve(name);
    } catch {
      // What we want: the app cannot load it.
    }
    if (found) throw new Error(`${name} must not be installed for this test, but resolves to ${found} (NODE_PATH, or a node_modules above ${dir}?)`);
  }
  return {
    dir,
    add: (...files) => files.forEach((file) => cpSync(file, join(dir, file.split(/[\\/]/).pop()!))),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
