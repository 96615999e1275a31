// The setup of docs/observability.md runs as written against a local server: the policy the doc
// says to save, the server's command line, the program saved as the doc names it (an ESM file,
// resolved from this package as an app's imports would be) run with the doc's environment. It
// prints the spans and metrics the doc names, and the server's audit trail holds the trace id of
// the sample's span. The doc's demo keys are swapped for test keys (the suite scans its output for
// them), and the base URL points at this test's server, as in every docs test.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminClient, createLocalServer, loadPolicyFile, type LocalServer } from '@haltstate/local';
import { testKey } from '@test-support/keys';

const root = join(__dirname, '../../..');
const doc = readFileSync(join(root, 'docs/observability.md'), 'utf8');
const blocks = [...doc.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((match) => ({ lang: match[1]!, body: match[2]!, at: match.index }));
const savedAs = (name: string) => {
  const found = blocks.filter((block, i) => doc.slice(i ? blocks[i - 1]!.at : 0, block.at).includes(`as \`${name}\``));
  if (found.length !== 1) throw new Error(`docs/observability.md: expected one block saved as ${name}, found ${found.length}`);
  return found[0]!.body;
};
const shell = blocks.filter((block) => block.lang === 'bash').map((block) => block.body);
const dev = shell.flatMap((body) => body.split('\n')).find((line) => line.includes('haltstate dev'));
const run = shell.flatMap((body) => body.split('\n')).find((line) => line.endsWith('node otel.mjs'));
/** The doc's `HALTSTATE_*=value` assignments on the line that runs the sample. */
const docEnv = Object.fromEntries([...(run ?? '').matchAll(/(HALTSTATE_\w+)=(\S+)/g)].map((match) => [match[1]!, match[2]!]));

let server: LocalServer;
let dir: string;
let tenant: { id: string; apiKey: string; adminKey: string };
beforeAll(async () => {
  dir = mkdtempSync(join(__dirname, '../.samples-'));
  writeFileSync(join(dir, 'policy.yaml'), savedAs('policy.yaml'));
  writeFileSync(join(dir, 'otel.mjs'), savedAs('otel.mjs'));
  const policy = loadPolicyFile(join(dir, 'policy.yaml'));
  const tenants = policy.tenants ?? [];
  expect(tenants).toHaveLength(1);
  // The doc's environment names the doc's tenant and key.
  expect(docEnv).toEqual({ HALTSTATE_BASE_URL: 'http://127.0.0.1:8787', HALTSTATE_TENANT_ID: tenants[0]!.id, HALTSTATE_API_KEY: tenants[0]!.apiKey });
  tenant = { id: tenants[0]!.id, apiKey: testKey('otel-docs'), adminKey: testKey('otel-docs-admin') };
  server = await createLocalServer({ policy: { ...policy, tenants: [tenant] } });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('docs/observability.md: installs the local server and starts it with the installed CLI, keeping nothing between runs', () => {
  expect(shell.join('\n')).toContain('npm install --save-dev @haltstate/local');
  expect(dev).toBe('npx --no-install haltstate dev --policy policy.yaml --db :memory:');
});

it('docs/observability.md: the setup sample prints the spans and metrics, and the audit trail names its trace', async () => {
  if (!existsSync(join(__dirname, '../dist/esm/index.js'))) throw new Error('packages/core/dist is missing: run `npm run build` first (npm test does)');
  const env = { ...process.env, ...docEnv, HALTSTATE_BASE_URL: server.url, HALTSTATE_API_KEY: tenant.apiKey };
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['otel.mjs'], { cwd: dir, env, timeout: 60_000 }, (error, out, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(out))),
  );
  for (const text of ["name: 'invoice.pay'", "name: 'haltstate.guard'", "name: 'haltstate.report'", "'haltstate.decision': 'allowed'", "name: 'haltstate.decisions'", "name: 'haltstate.check.duration'"]) expect(stdout).toContain(text);
  // Every span of the sample is in one trace: the first traceId printed is it.
  const traceId = stdout.match(/traceId: '([0-9a-f]{32})'/)![1];
  expect(stdout).not.toContain(tenant.apiKey);
  const audit = await new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey }).audit();
  const lines = audit.filter((entry) => entry.action === 'payment.process');
  expect(lines.map((entry) => entry.kind)).toEqual(['guard', 'guard_report']);
  expect(lines.map((entry) => entry.traceId)).toEqual([traceId, traceId]);
}, 90_000);
