// The createAgent sample of docs/langchain.md runs as written, against a local server with the
// policy the doc shows; a human (this test) approves the refund it waits for.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AdminClient, createLocalServer, type LocalServer } from '@haltstate/local';

const root = join(__dirname, '../../..');
const doc = readFileSync(join(root, 'docs/langchain.md'), 'utf8');
const block = (lang: string) => [...doc.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1]!);

let server: LocalServer;
beforeAll(async () => (server = await createLocalServer({ policy: parse(block('yaml')[0]!) })));
afterAll(() => server.close());

it('docs/langchain.md, createAgent: search runs, the deletion is denied, the refund pauses and runs once after a human approves', async () => {
  const [sample] = block('js');
  const env = { ...process.env, HALTSTATE_BASE_URL: server.url, HALTSTATE_TENANT_ID: 'demo', HALTSTATE_API_KEY: 'hs_local_demo_key' };
  const output = new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', sample!], { cwd: join(__dirname, '..'), env, timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout))),
  );
  const admin = new AdminClient({ url: server.url, tenantId: 'demo', adminKey: 'hs_admin_demo_key' });
  let pending;
  while (!(pending = (await admin.approvals('pending'))[0])) await new Promise((resolve) => setImmediate(resolve));
  await admin.approve(pending.approval_id, { approver: 'alice' });
  const printed = await output;
  expect(printed).toContain('paused: tool.refund waits for approval');
  expect(printed).toContain("'search_docs: 3 articles about refunds'");
  expect(printed).toContain('delete_account: not allowed: Account deletion is never automatic');
  expect(printed).toContain("'refund: refunded ord-981'");
  expect(printed).toContain('still pending: 0');
  const executed = (await admin.audit()).filter((entry) => entry.kind === 'approval_executed');
  expect(executed).toHaveLength(1);
});
