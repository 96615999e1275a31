// Default params are named from the method's source. A minifier renames parameters
// (`login(username, password)` becomes `login(s,a)`), and the params would then leave under
// renamed keys: unredacted, and unmatched by policy paths. The real minifier (esbuild) shows the
// names are refused when the class is defined, with or without keepNames, in both decorator
// modes; an unminified build still names them, and explicit `params` work minified.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const root = join(__dirname, '..');
let out: string;
beforeAll(() => (out = mkdtempSync(join(tmpdir(), 'haltstate-minified-'))));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function bundleAndRun(name: string, options: { minify: boolean; keepNames: boolean; experimentalDecorators: boolean }) {
  const outfile = join(out, `${name}.cjs`);
  buildSync({
    entryPoints: [join(__dirname, 'minified/login.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: options.minify,
    keepNames: options.keepNames,
    // The type tests' tsconfigs, one per decorator mode: their paths point @haltstate/* at the sources.
    tsconfig: join(root, options.experimentalDecorators ? 'tsconfig.types-legacy.json' : 'tsconfig.types-tc39.json'),
    logLevel: 'silent',
  });
  return JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }));
}

const modes = [
  ['legacy', true],
  ['TC39', false],
] as const;

describe.each(modes)('%s decorators', (mode, experimentalDecorators) => {
  it('unminified: params are named from the parameter list, the password redacted', () => {
    const output = bundleAndRun(`${mode}-plain`, { minify: false, keepNames: false, experimentalDecorators });
    expect(output.named).toEqual({ ran: 'welcome bob' });
    expect(output.sent[0]).toEqual({ username: 'bob', password: expect.stringMatching(/^\[REDACTED/) });
  });

  it.each([
    ['minified', false],
    ['minified with keepNames', true],
  ])('%s: the names are refused when the class is defined; explicit params still work', (label, keepNames) => {
    const output = bundleAndRun(`${mode}-${keepNames ? 'keep' : 'min'}`, { minify: true, keepNames, experimentalDecorators });
    expect(output.named.refused.code).toBe('HALTSTATE_VALIDATION');
    expect(output.named.refused.message).toMatch(/login: Cannot name the params of .*looks minified/);
    expect(output.named.refused.message).toContain('Pass `params` to say what to send');
    expect(output.explicit).toEqual({ ran: 'welcome bob' });
    // Only the explicit params went out, under their own keys.
    expect(output.sent).toEqual([{ username: 'bob', password: expect.stringMatching(/^\[REDACTED/) }]);
  });
});
