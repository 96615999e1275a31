// The installed bin, as a user runs it: `npx --no-install haltstate …` in a project that has
// @haltstate/local in node_modules (built packages, like the demo test). --no-install proves the
// local bin is used: npx would refuse rather than fetch a package named `haltstate`.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const packageDir = join(__dirname, '..');
const run = promisify(execFile);

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'haltstate-bin-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-agent', private: true, devDependencies: { '@haltstate/local': '*' } }));
  mkdirSync(join(dir, 'node_modules/@haltstate'), { recursive: true });
  mkdirSync(join(dir, 'node_modules/.bin'));
  symlinkSync(packageDir, join(dir, 'node_modules/@haltstate/local'), 'dir');
  symlinkSync('../@haltstate/local/bin/haltstate.cjs', join(dir, 'node_modules/.bin/haltstate'));
  return dir;
}

it('haltstate --version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const { stdout } = await run(process.execPath, [join(packageDir, 'bin/haltstate.cjs'), '--version']);
  expect(stdout).toBe(`${version}\n`);
});

it('npx --no-install haltstate init, then the printed command starts the server', async () => {
  const cwd = project();
  const init = await run('npx', ['--no-install', 'haltstate', 'init'], { cwd, timeout: 60_000 });
  const next = /^next: (.+)$/m.exec(init.stdout)?.[1];
  expect(next).toBe('npx --no-install haltstate dev --policy policy.yaml');

  // As printed, plus a free port so the test never collides with a server already on 8787.
  const child = spawn('sh', ['-c', `${next} --port 0 --db :memory:`], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const output = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('Ctrl+C stops the server')) resolve(text);
      });
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`dev exited with ${code}:\n${text}`)));
    });
    expect(output).toMatch(/HaltState local server listening on http:\/\/127\.0\.0\.1:\d+\n  policy: policy\.yaml · 4 rule\(s\)/);
    expect(output).toMatch(/tenant demo · api key hs_loc… · admin key hs_adm… \(masked: --show-keys prints them\)/);
  } finally {
    // The shell, npx and node: the whole group this test started.
    process.kill(-child.pid!, 'SIGTERM');
  }
}, 90_000);
