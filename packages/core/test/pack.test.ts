// What npm would publish: metadata a registry page needs, source maps that resolve inside the
// package, and README links that work from npmjs.com (no `../../docs`).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const root = join(__dirname, '..');
const REPOSITORY = 'https://github.com/haltstate/haltstate-sdk-ts';
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;

/** The files `npm pack` would put in the tarball, relative to the package folder. */
function packedFiles(): Set<string> {
  const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Array<{ files: Array<{ path: string }> }>;
  return new Set(report!.files.map((file) => normalize(file.path)));
}

describe('the published package', () => {
  let files: Set<string>;
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/cjs/index.js'))) throw new Error('packages/core/dist is missing: run `npm run build` first (npm test does)');
    files = packedFiles();
  });

  it('names its repository (with the folder), homepage and issue tracker', () => {
    expect(manifest.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: 'packages/core' });
    expect(manifest.homepage).toBe(`${REPOSITORY}/tree/main/packages/core#readme`);
    expect(manifest.bugs).toEqual({ url: `${REPOSITORY}/issues` });
  });

  it('ships every file its source maps point to', () => {
    const maps = [...files].filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const target = normalize(join(dirname(map), source));
        if (!files.has(target)) missing.push(`${map} -> ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('ships no reference to a map without its file', () => {
    const dangling = [...files]
      .filter((file) => file.endsWith('.js') || file.endsWith('.d.ts'))
      .filter((file) => /\/\/# sourceMappingURL=(\S+)/.exec(readFileSync(join(root, file), 'utf8')) && !files.has(`${file}.map`));
    expect(dangling).toEqual([]);
  });

  it('links only to absolute addresses in its README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !link.startsWith('https://') && !link.startsWith('#'))).toEqual([]);
    for (const link of links.filter((l) => l.startsWith(`${REPOSITORY}/blob/main/`))) {
      const path = link.slice(`${REPOSITORY}/blob/main/`.length).split('#')[0]!;
      expect(existsSync(join(root, '../..', path))).toBe(true);
    }
  });
});
