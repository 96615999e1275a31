// examples/mcp-proxy must keep running (ESM, against the built packages): the scripted host
// reads (allowed), deletes (denied), emails (pending); a human approves in HaltState; the email
// repeated runs, once; a third time it does not run again.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AdminClient, createLocalServer, loadPolicyFile, type LocalServer } from '@haltstate/local';

// Each run is three Node processes (host, proxy, server): a bound on a hang, not on time.
jest.setTimeout(120_000);

const script = join(__dirname, '../client.mjs');
let server: LocalServer;
beforeAll(async () => {
  server = await createLocalServer({ policy: loadPolicyFile(join(__dirname, '../policy.yaml')) });
});
afterAll(() => server.close());

const client = async (...args: string[]) => promisify(execFile)(process.execPath, [script, ...args], { env: { ...process.env, HALTSTATE_BASE_URL: server.url }, timeout: 60_000 });

it('reads, is denied the delete, waits for a human on the email, and sends it once after approval', async () => {
  const first = await client();
  expect(first.stdout).toContain('tools: read_file, delete_file, send_email\n');
  expect(first.stdout).toContain('✅ read_file: ship the MCP gate\n');
  expect(first.stdout).toContain('✋ delete_file: not allowed: Deleting files is never automatic\n');
  const approvalId = /✋ send_email: approval pending: "mcp\.files\.send_email" needs a human's approval in HaltState \(approval id ([0-9a-f-]{36})\)\. The tool did NOT run\./.exec(first.stdout)?.[1];
  expect(approvalId).toBeDefined();
  expect(first.stderr).not.toContain('[server] sending');

  const tenant = server.tenants[0]!;
  await new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey }).approve(approvalId!, { approver: 'alice' });
  const approved = await client('send');
  expect(approved.stdout).toBe('✅ send_email: sent "Release notes" to team@example.com\n');
  expect(approved.stderr).toContain('[server] sending "Release notes" to team@example.com');

  const replay = await client('send');
  expect(replay.stdout).toMatch(/^✋ send_email: already done/);
  expect(replay.stderr).not.toContain('[server] sending');
});
