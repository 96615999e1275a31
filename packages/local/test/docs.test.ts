// The local server's docs reference only what ships, and every CLI line in them names a real
// command and real options, run the way that never fetches a stranger's package.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { program } from '../src/cli/index';

const root = join(__dirname, '../../..');
const CLI_DOCS = ['docs/local-server.md', 'docs/quickstart.md', 'docs/self-hosting.md', 'packages/local/README.md'];
const DOCS = [...CLI_DOCS, 'docs/security.md', 'docs/mcp.md', 'docs/observability.md', 'docs/shadow-mode.md', 'packages/mcp/README.md', 'packages/core/README.md'];
const REPOSITORY = 'https://github.com/haltstate/haltstate-sdk-ts/blob/main/';
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const codeBlocks = (text: string) => [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1]!);

describe.each(DOCS)('%s', (doc) => {
  const text = read(doc);

  it('links only to files in this repository', () => {
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!.split('#')[0]!).filter((target) => target !== '');
    const missing = targets.filter((target) => {
      if (target.startsWith(REPOSITORY)) return !existsSync(join(root, target.slice(REPOSITORY.length)));
      if (/^https?:/.test(target)) return false;
      return !existsSync(join(root, dirname(doc), target));
    });
    expect(missing).toEqual([]);
  });

  it('names no file outside the repository', () => {
    expect(text).not.toMatch(/shared\/|haltstate-api\.md/);
  });

  it('runs the CLI as npx --no-install haltstate, never a bare npx haltstate', () => {
    expect(text).not.toMatch(/npx (?!--no-install )haltstate/);
  });

  it('every haltstate command and option in a code block exists', () => {
    const cli = program({ out: () => undefined, err: () => undefined, env: {}, version: '0.0.0' });
    const lines = codeBlocks(text)
      .flatMap((block) => block.split('\n'))
      .map((line) => /^(?:npx --no-install |npm exec -- )?haltstate (.*)$/.exec(line.trim())?.[1])
      .filter((rest): rest is string => rest !== undefined);
    // The CLI's own docs show it; the others may name no command at all.
    if (CLI_DOCS.includes(doc)) expect(lines.length).toBeGreaterThan(0);
    const unknown: string[] = [];
    for (const rest of lines) {
      const [names, ...args] = rest.split(/\s+/);
      const flags = args.join(' ').replace(/#.*$/, '').match(/--[a-z][a-z-]*/g) ?? [];
      if (names!.startsWith('--')) {
        if (names !== '--version') unknown.push(rest);
        continue;
      }
      for (const name of names!.split('|')) {
        const command = cli.commands.find((candidate) => candidate.name() === name);
        if (!command) unknown.push(`haltstate ${name}`);
        for (const flag of flags) if (!command?.options.some((option) => option.long === flag)) unknown.push(`haltstate ${name} ${flag}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

it('the package README links with absolute addresses (relative ones break on npm)', () => {
  expect(read('packages/local/README.md')).not.toMatch(/\]\((?!https:\/\/)/);
});

it('package.json has repository (with directory), homepage and bugs', () => {
  const manifest = JSON.parse(read('packages/local/package.json')) as Record<string, unknown>;
  expect(manifest).toMatchObject({
    repository: { type: 'git', url: 'git+https://github.com/haltstate/haltstate-sdk-ts.git', directory: 'packages/local' },
    homepage: 'https://github.com/haltstate/haltstate-sdk-ts#readme',
    bugs: { url: 'https://github.com/haltstate/haltstate-sdk-ts/issues' },
  });
});
