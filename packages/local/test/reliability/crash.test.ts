// Restart safety with real process deaths: SIGKILL while waiting for approval, and a crash after
// the action but before its report.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, type LocalServer } from '@haltstate/local';
import { startServer, TENANTS, uniqueKey } from '../helpers/server';

const acme = TENANTS[0]!;
const dir = mkdtempSync(join(tmpdir(), 'haltstate-crash-'));
let server: LocalServer;
let admin: AdminClient;
beforeAll(async () => {
  server = await startServer({ db: join(dir, 'local.db') });
  admin = new AdminClient({ url: server.url, tenantId: acme.id, adminKey: acme.adminKey });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function agent(env: Record<string, string>): { child: ChildProcess; exit: Promise<number | string | null> } {
  const child = spawn(process.execPath, [join(__dirname, 'fixtures/agent.cjs')], {
    env: { ...process.env, URL: server.url, TENANT: acme.id, API_KEY: acme.apiKey, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exit };
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

async function pendingFor(key: string): Promise<string> {
  for (;;) {
    const found = (await admin.approvals('pending')).find((approval) => approval.idempotency_key === key);
    if (found) return found.approval_id;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('an agent SIGKILLed while waiting for approval, restarted with the same key, runs the action exactly once', async () => {
  const key = uniqueKey('sigkill');
  const marker = join(dir, `${key}.log`);
  const first = agent({ KEY: key, MARKER: marker, MODE: 'wait', ACTION: 'payment.process' });
  const approvalId = await pendingFor(key);
  first.child.kill('SIGKILL');
  expect(await first.exit).toBe('SIGKILL');
  expect(lines(marker)).toEqual([]);

  const second = agent({ KEY: key, MARKER: marker, MODE: 'wait', ACTION: 'payment.process' });
  // The restarted agent asks about the same approval, it does not make a new one.
  expect(await pendingFor(key)).toBe(approvalId);
  await admin.approve(approvalId, { approver: 'alice' });
  expect(await second.exit).toBe(0);
  expect(lines(marker)).toEqual([`ran ${second.child.pid}`]);
  const reports = (await admin.audit()).filter((entry) => entry.idempotencyKey === key && entry.kind === 'guard_report');
  expect(reports.map((entry) => entry.outcome)).toEqual(['success']);
}, 60_000);

it('a crash after the action but before its report shows in the audit trail as started, not reported', async () => {
  const key = uniqueKey('crash');
  const marker = join(dir, `${key}.log`);
  const run = agent({ KEY: key, MARKER: marker, MODE: 'crash-after-action', ACTION: 'read.data' });
  expect(await run.exit).toBe('SIGKILL');
  expect(lines(marker)).toHaveLength(1);
  const response = await fetch(`${server.url}/local/unreported`, { headers: { authorization: `Bearer ${acme.adminKey}` } });
  const { guards } = (await response.json()) as { guards: Array<{ idempotencyKey: string; permitIssuedAt: string | null; outcome: string | null }> };
  expect(guards.find((guard) => guard.idempotencyKey === key)).toMatchObject({ permitIssuedAt: expect.any(String), outcome: null });
  const trail = (await admin.audit()).filter((entry) => entry.idempotencyKey === key);
  expect(trail.map((entry) => [entry.kind, entry.decision])).toEqual([['guard', 'allowed']]);
}, 60_000);
