// The setup sample of docs/observability.md runs as written against a local server (an ESM
// program, resolved from this package as an app's imports would be): it prints the spans and
// metrics the doc names, and the server's audit trail holds the trace id of the sample's span.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminClient, createLocalServer, type LocalServer } from '@haltstate/local';
import { testKey } from '@test-support/keys';

const root = join(__dirname, '../../..');
const [sample] = [...readFileSync(join(root, 'docs/observability.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!);
const tenant = { id: 'demo', apiKey: testKey('otel-docs'), adminKey: testKey('otel-docs-admin') };

let server: LocalServer;
beforeAll(async () => {
  server = await createLocalServer({
    policy: { version: 1, tenants: [tenant], rules: [{ id: 'small-payments', match: { action: 'payment.*' }, when: { 'params.amount': { lte: 1000 } }, decision: 'ALLOW' }] },
  });
});
afterAll(() => server.close());

it('docs/observability.md: the setup sample prints the spans and metrics, and the audit trail names its trace', async () => {
  if (!existsSync(join(__dirname, '../dist/esm/index.js'))) throw new Error('packages/core/dist is missing: run `npm run build` first (npm test does)');
  const env = { ...process.env, HALTSTATE_BASE_URL: server.url, HALTSTATE_TENANT_ID: tenant.id, HALTSTATE_API_KEY: tenant.apiKey };
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', sample!], { cwd: join(__dirname, '..'), env, timeout: 60_000 }, (error, out, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(out))),
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
