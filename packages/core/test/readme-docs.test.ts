// The example of packages/core/README.md runs as written: saved as `example.mjs` (resolved from
// this package as an app's imports would be) against a local server with examples/policy.yaml,
// the file the README says to save. A human approves the payment when the program says it waits
// (an event, never a while). Only the base URL points at this test's server, as in every docs
// test.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminClient, createLocalServer, loadPolicyFile, type LocalServer } from '@haltstate/local';

const root = join(__dirname, '../../..');
const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
const blocks = [...readme.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((match) => ({ lang: match[1]!, body: match[2]! }));
const LOCAL_URL = 'http://127.0.0.1:8787';

let server: LocalServer;
let dir: string;
beforeAll(async () => {
  server = await createLocalServer({ policy: loadPolicyFile(join(root, 'examples/policy.yaml')) });
  dir = mkdtempSync(join(__dirname, '../.samples-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

it('packages/core/README.md: installs the local server and runs its CLI with npx --no-install', () => {
  const shell = blocks.filter((block) => block.lang === 'bash').map((block) => block.body).join('\n');
  expect(shell).toContain('npm install --save-dev @haltstate/local');
  expect(shell).toContain('npx --no-install haltstate dev --policy policy.yaml');
  expect(readme).not.toMatch(/npx (?!--no-install )haltstate/);
  expect(readme).toContain('Save this program as `example.mjs`');
});

it('packages/core/README.md: the example runs the small payment, waits for the approved one, and is refused the drop', async () => {
  if (!existsSync(join(__dirname, '../dist/esm/index.js'))) throw new Error('packages/core/dist is missing: run `npm run build` first (npm test does)');
  const programs = blocks.filter((block) => block.lang === 'js');
  expect(programs).toHaveLength(1);
  expect(programs[0]!.body).toContain(`baseUrl: '${LOCAL_URL}'`);
  writeFileSync(join(dir, 'example.mjs'), programs[0]!.body.replace(LOCAL_URL, server.url));

  const admin = new AdminClient({ url: server.url, tenantId: 'demo', adminKey: 'hs_admin_demo_key' });
  const child = spawn(process.execPath, ['example.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const approved: Promise<void>[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    const waiting = /payment\.process waits for approval (\S+)\n/.exec(stdout);
    if (waiting && approved.length === 0) approved.push(admin.approve(waiting[1]!, { approver: 'alice' }).then(() => undefined));
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await Promise.all(approved);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout.split('\n').filter(Boolean)).toEqual([
    'paid 250',
    expect.stringMatching(/^payment\.process waits for approval \S+$/),
    'paid 5000, approved by alice',
    'Destructive database operations are never automatic',
  ]);
}, 90_000);
