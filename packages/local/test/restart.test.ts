// Everything survives a restart: a guard waiting across a server restart runs exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, type LocalServer } from '@haltstate/local';
import { clientFor, startServer, TENANTS, uniqueKey } from './helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'haltstate-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function pendingApproval(admin: AdminClient, key: string): Promise<string> {
  for (;;) {
    const [approval] = (await admin.approvals('pending')).filter((entry) => entry.idempotency_key === key);
    if (approval) return approval.approval_id;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

it('a guard waiting on an approval survives a server restart and runs exactly once', async () => {
  const db = join(dir, 'local.db');
  let server: LocalServer = await startServer({ db });
  const port = Number(new URL(server.url).port);
  const key = uniqueKey('restart');
  const client = clientFor(server, undefined, { retries: 5 });
  const runs = jest.fn(() => 'paid');
  const result = client.guard({ action: 'payment.process', params: { amount: 5000 }, idempotencyKey: key, wait: { timeoutMs: 60_000, pollIntervalMs: 200 } }, runs);

  const approvalId = await pendingApproval(new AdminClient({ url: server.url, tenantId: 'acme', adminKey: TENANTS[0]!.adminKey }), key);
  await server.close();
  server = await startServer({ db, port });
  try {
    const admin = new AdminClient({ url: server.url, tenantId: 'acme', adminKey: TENANTS[0]!.adminKey });
    // The approval request outlived the restart.
    expect((await admin.approvals('pending')).map((approval) => approval.approval_id)).toContain(approvalId);
    await admin.approve(approvalId, { approver: 'alice' });
    await expect(result).resolves.toBe('paid');
    expect(runs).toHaveBeenCalledTimes(1);
    await client.flush();
    const trail = (await admin.audit()).filter((entry) => entry.idempotencyKey === key);
    expect(trail.map((entry) => [entry.kind, entry.decision ?? entry.outcome])).toEqual([
      ['approval_requested', 'APPROVAL_REQUIRED'],
      ['guard', 'pending'],
      ['approval_decided', 'approved'],
      ['guard', 'approved'],
      ['guard_report', 'success'],
      ['approval_executed', 'executed'],
    ]);
  } finally {
    await client.close();
    await server.close();
  }
});

it('guard states, reports, agent statuses and the audit trail are all on disk', async () => {
  const db = join(dir, 'state.db');
  const first = await startServer({ db });
  const client = clientFor(first);
  const key = uniqueKey('persist');
  await client.guard({ action: 'read.x', idempotencyKey: key }, () => 1);
  const decision = await client.check('read.y');
  await client.report(decision, { status: 'success', result: { ok: true } });
  await client.flush();
  await new AdminClient({ url: first.url, tenantId: 'acme', adminKey: TENANTS[0]!.adminKey }).setAgentStatus('payment-bot-1', 'PAUSE');
  await first.close();

  const second = await startServer({ db });
  try {
    const again = clientFor(second);
    expect(await again.heartbeat()).toBe('PAUSE');
    const kinds = (await new AdminClient({ url: second.url, tenantId: 'acme', adminKey: TENANTS[0]!.adminKey }).audit()).map((entry) => entry.kind);
    expect(kinds).toEqual(expect.arrayContaining(['guard', 'guard_report', 'check', 'report', 'agent_status']));
    // No human decided this key: the policy answers afresh, and an ALLOW is not used up by a run.
    await expect(again.guard({ action: 'read.x', idempotencyKey: key }, () => 2)).resolves.toBe(2);
  } finally {
    await second.close();
  }
});
