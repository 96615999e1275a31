// What npm publishes for the adapter packages (decorators, nestjs, langchain): the registry's
// links (repository, homepage, bugs), READMEs whose links work on the registry's page, and
// source maps that point only at files in the tarball.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { assertBuilt } from './built';

const root = join(__dirname, '../../..');
const names = ['decorators', 'nestjs', 'langchain'];
const repository = 'https://github.com/haltstate/haltstate-sdk-ts';

describe.each(names)('@haltstate/%s', (name) => {
  const folder = join(root, 'packages', name);

  it('names its repository, homepage and issue tracker', () => {
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    expect(manifest.repository).toEqual({ type: 'git', url: `git+${repository}.git`, directory: `packages/${name}` });
    expect(manifest.homepage).toBe(`${repository}#readme`);
    expect(manifest.bugs).toBe(`${repository}/issues`);
  });

  it('README links are absolute (relative ones break on the registry page)', () => {
    const readme = readFileSync(join(folder, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !link.startsWith(`${repository}/`) && !link.startsWith('#'))).toEqual([]);
  });
});

it('every source map in the tarballs points only at files in the same tarball', () => {
  assertBuilt(...names);
  const workspaces = names.flatMap((name) => ['-w', `packages/${name}`]);
  const packs = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', ...workspaces], { cwd: root, encoding: 'utf8' })) as Array<{ name: string; files: Array<{ path: string }> }>;
  expect(packs.map((pack) => pack.name).sort()).toEqual(names.map((name) => `@haltstate/${name}`).sort());
  const missing: string[] = [];
  let maps = 0;
  for (const pack of packs) {
    const shipped = new Set(pack.files.map((file) => file.path));
    const folder = join(root, 'packages', pack.name.replace('@haltstate/', ''));
    for (const file of shipped) {
      if (!file.endsWith('.map')) continue;
      maps++;
      const map = JSON.parse(readFileSync(join(folder, file), 'utf8')) as { sources: string[]; sourceRoot?: string };
      for (const source of map.sources) {
        const path = posix.normalize(posix.join(dirname(file), map.sourceRoot ?? '', source));
        if (!shipped.has(path)) missing.push(`${pack.name}: ${file} → ${path}`);
      }
    }
  }
  expect(maps).toBeGreaterThan(30);
  expect(missing).toEqual([]);
}, 60_000);
