// The CLI as an approver uses it against `haltstate serve` (approver mode): their own key lists
// and exports as well as decides (no shared admin key needed), a `--as` next to that key is
// called out, and a key file other users can read is warned about.
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalServer, type LocalServer, type PolicyInput } from '@haltstate/local';
import { testKey } from '@test-support/keys';
import { main, type CliIo } from '../src/cli/index';

const sha256 = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const ALICE = testKey('alice-cli-approver');
const ACME = { id: 'acme', apiKey: testKey('acme'), adminKey: testKey('acme-admin'), approvers: [{ id: 'alice', keySha256: sha256(ALICE) }] };
const POLICY: PolicyInput = { version: 1, default: 'APPROVAL_REQUIRED', tenants: [ACME], rules: [] };

function cli(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text), env } satisfies CliIo };
}

let server: LocalServer;
let approvalId: string;
beforeAll(async () => {
  server = await createLocalServer({ policy: POLICY, approvers: { required: true, sessions: false } });
  const response = await fetch(`${server.url}/api/sentinel/action/check`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tenant-id': 'acme', 'x-api-key': ACME.apiKey }, body: JSON.stringify({ agent_id: 'bot-1', action: 'payment.process', params: {} }) });
  approvalId = ((await response.json()) as { approval_id: string }).approval_id;
});
afterAll(() => server.close());

it('an approver lists approvals and exports the audit trail with HALTSTATE_APPROVER_KEY alone', async () => {
  const env = { HALTSTATE_APPROVER_KEY: ALICE, HALTSTATE_BASE_URL: server.url, HALTSTATE_TENANT_ID: 'acme' };
  const list = cli(env);
  expect(await main(['approvals'], list.io)).toBe(0);
  expect(list.out.join('\n')).toContain(approvalId.slice(0, 8));
  const audit = cli(env);
  expect(await main(['audit', '--format', 'jsonl'], audit.io)).toBe(0);
  expect(audit.out.join('\n')).toContain(approvalId);
  for (const text of [...list.out, ...list.err, ...audit.err]) expect(text).not.toContain(ALICE);
});

it('without any key, the error names the approver key as a way in too', async () => {
  const run = cli({ HALTSTATE_BASE_URL: server.url });
  expect(await main(['approvals'], run.io)).toBe(1);
  expect(run.err.join('\n')).toMatch(/No admin key: .*an approver may set HALTSTATE_APPROVER_KEY/);
});

it('--as next to an approver key is called out, and the decision is recorded under the key\'s owner', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haltstate-approver-cli-'));
  const keyFile = join(dir, 'alice.key');
  writeFileSync(keyFile, `${ALICE}\n`);
  chmodSync(keyFile, 0o644);
  const run = cli();
  expect(await main(['approve', approvalId.slice(0, 8), '--url', server.url, '--tenant', 'acme', '--approver-key-file', keyFile, '--as', 'mallory'], run.io)).toBe(0);
  expect(run.err).toContain("warning: --as is ignored with an approver key: the decision is recorded under the key's owner");
  // The key file is readable by everyone: said, with the fix.
  expect(run.err.join('\n')).toMatch(/--approver-key-file .*alice\.key can be read by other users of this machine \(mode 644\): chmod 600/);
  expect(run.out.join('\n')).toMatch(/as alice$/);
  expect(await server.store.getApproval('acme', approvalId)).toMatchObject({ status: 'approved', approver: 'alice' });

  chmodSync(keyFile, 0o600);
  const quiet = cli();
  expect(await main(['approvals', '--url', server.url, '--tenant', 'acme', '--admin-key-file', keyFile], quiet.io)).toBe(0);
  expect(quiet.err).toEqual([]);
});
