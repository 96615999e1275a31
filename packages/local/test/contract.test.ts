// The core client against the real local server: no nock, real HTTP on 127.0.0.1.
import { ActionDenied, ActionExpired, ApprovalPending, HaltStateAuthError, IdempotencyConflictError, type ApprovalEvent } from '@haltstate/core';
import { AdminClient, type LocalServer } from '@haltstate/local';
import { clientFor, startServer, TENANTS, uniqueKey } from './helpers/server';

let server: LocalServer;
let admin: AdminClient;
beforeAll(async () => {
  server = await startServer();
  admin = new AdminClient({ url: server.url, tenantId: 'acme', adminKey: TENANTS[0]!.adminKey });
});
afterAll(() => server.close());

describe('core client ↔ local server', () => {
  it('check: allow, deny, approval required, with policy ids', async () => {
    const client = clientFor(server);
    expect(await client.check('payment.process', { params: { amount: 50, currency: 'USD' } })).toMatchObject({ decision: 'ALLOW', policyId: 'small-payments', reason: 'Small payment' });
    expect(await client.check('database.drop', { params: { table: 'users' } })).toMatchObject({ decision: 'DENY', policyId: 'no-drops' });
    const large = await client.check('payment.process', { params: { amount: 5000, currency: 'USD' } });
    expect(large).toMatchObject({ decision: 'APPROVAL_REQUIRED', policyId: 'large-payments' });
    expect(large.approvalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await client.check('unknown.thing')).toMatchObject({ decision: 'DENY', policyId: null });
  });

  it('check → run → report lands in the audit trail', async () => {
    const client = clientFor(server);
    const decision = await client.check('read.balance', { params: { account: 'a1' } });
    await client.report(decision, { status: 'success', result: { balance: 10 } });
    expect((await client.flush()).ok).toBe(true);
    const trail = await admin.audit();
    expect(trail.filter((entry) => entry.action === 'read.balance').map((entry) => [entry.kind, entry.decision, entry.outcome])).toEqual([
      ['check', 'ALLOW', null],
      ['report', 'ALLOW', 'success'],
    ]);
  });

  it('guard: allowed runs and is reported; denied never runs', async () => {
    const client = clientFor(server);
    const key = uniqueKey('pay');
    await expect(client.guard({ action: 'payment.process', params: { amount: 10, currency: 'EUR' }, idempotencyKey: key }, (permit) => permit.status)).resolves.toBe('allowed');
    const fn = jest.fn();
    await expect(client.guard({ action: 'database.drop', params: { table: 'users' } }, fn)).rejects.toMatchObject({ name: 'ActionDenied', policyId: 'no-drops', reason: 'Destructive operation' });
    expect(fn).not.toHaveBeenCalled();
    await client.flush();
    const trail = await admin.audit();
    expect(trail.filter((entry) => entry.idempotencyKey === key).map((entry) => [entry.kind, entry.decision ?? entry.outcome])).toEqual([
      ['guard', 'allowed'],
      ['guard_report', 'success'],
    ]);
  });

  it('guard: pending → approved by a human → runs once with the approver on the permit', async () => {
    const client = clientFor(server);
    const key = uniqueKey('large');
    const input = { action: 'payment.process', params: { amount: 5000, currency: 'USD' }, idempotencyKey: key, metadata: { invoice: 'INV-1' } };
    const pending = (await client.guard(input, jest.fn()).catch((e: unknown) => e)) as ApprovalPending;
    expect(pending).toBeInstanceOf(ApprovalPending);
    // Asking again with the same key is the same approval.
    expect(((await client.guard(input, jest.fn()).catch((e: unknown) => e)) as ApprovalPending).approvalId).toBe(pending.approvalId);
    const [listed] = (await admin.approvals('pending')).filter((approval) => approval.idempotency_key === key);
    expect(listed).toMatchObject({ approval_id: pending.approvalId, action: 'payment.process', params: { amount: 5000, currency: 'USD' }, metadata: { invoice: 'INV-1' } });
    await admin.approve(pending.approvalId, { approver: 'alice', reason: 'looks fine' });
    const fn = jest.fn((permit: { approver: string | null }) => permit.approver);
    await expect(client.guard(input, fn)).resolves.toBe('alice');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('guard with wait resolves as soon as the approval is made (SSE)', async () => {
    const client = clientFor(server);
    const key = uniqueKey('wait');
    const started = jest.fn();
    const created = new Promise<string>((resolve) => {
      const poll = async () => {
        const [approval] = (await admin.approvals('pending')).filter((entry) => entry.idempotency_key === key);
        if (approval) resolve(approval.approval_id);
        else setImmediate(poll);
      };
      void poll();
    });
    const result = client.guard({ action: 'payment.process', params: { amount: 7000 }, idempotencyKey: key, wait: { timeoutMs: 30_000, pollIntervalMs: 60_000 } }, () => {
      started();
      return 'paid';
    });
    const approvalId = await created;
    expect(started).not.toHaveBeenCalled();
    await admin.approve(approvalId, { approver: 'bob' });
    // pollIntervalMs is a minute: only the stream can deliver the decision in time for this test.
    await expect(result).resolves.toBe('paid');
    await client.close();
  });

  it('guard: rejection becomes ActionDenied with the approver; expiry becomes ActionExpired', async () => {
    const client = clientFor(server);
    const key = uniqueKey('reject');
    const pending = (await client.guard({ action: 'payment.refund', params: { amount: 9000 }, idempotencyKey: key }, jest.fn()).catch((e: unknown) => e)) as ApprovalPending;
    await admin.reject(pending.approvalId, { approver: 'carol', reason: 'Not this month' });
    await expect(client.guard({ action: 'payment.refund', params: { amount: 9000 }, idempotencyKey: key }, jest.fn())).rejects.toMatchObject({ name: 'ActionDenied', reason: 'Not this month', approver: 'carol' });
    await expect(client.waitForApproval(pending.approvalId)).rejects.toBeInstanceOf(ActionDenied);
    await expect(admin.approve(pending.approvalId, { approver: 'x' })).rejects.toMatchObject({ status: 409 });
  });

  it('an approval past its ttl reads as expired at once on every route', async () => {
    let now = Date.now();
    const clocked = await startServer({ now: () => new Date(now) });
    try {
      const client = clientFor(clocked);
      const key = uniqueKey('flash');
      const pending = (await client.guard({ action: 'flash.sale', idempotencyKey: key }, jest.fn()).catch((e: unknown) => e)) as ApprovalPending;
      now += 1001;
      await expect(client.getApproval(pending.approvalId)).resolves.toMatchObject({ status: 'expired' });
      await expect(client.guard({ action: 'flash.sale', idempotencyKey: key }, jest.fn())).rejects.toBeInstanceOf(ActionExpired);
      const adminClocked = new AdminClient({ url: clocked.url, tenantId: 'acme', adminKey: TENANTS[0]!.adminKey });
      await expect(adminClocked.approve(pending.approvalId, { approver: 'late' })).rejects.toMatchObject({ status: 409 });
    } finally {
      await clocked.close();
    }
  });

  it('a key reused for different params is a 409 and never runs', async () => {
    const client = clientFor(server);
    const key = uniqueKey('reuse');
    await client.guard({ action: 'read.file', params: { path: '/a' }, idempotencyKey: key }, () => 1);
    const fn = jest.fn();
    await expect(client.guard({ action: 'read.file', params: { path: '/b' }, idempotencyKey: key }, fn)).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(fn).not.toHaveBeenCalled();
  });

  it('50 concurrent guards with one key make exactly one approval', async () => {
    const client = clientFor(server);
    const key = uniqueKey('burst');
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => client.guard({ action: 'payment.process', params: { amount: 4242 }, idempotencyKey: key }, jest.fn())));
    const ids = new Set(results.map((result) => ((result as PromiseRejectedResult).reason as ApprovalPending).approvalId));
    expect(ids.size).toBe(1);
    expect((await admin.approvals()).filter((approval) => approval.idempotency_key === key)).toHaveLength(1);
  });

  it('approvalsSince and the stream carry decisions with the contract fields', async () => {
    const client = clientFor(server);
    const since = new Date(Date.now() - 1000);
    const controller = new AbortController();
    const seen: ApprovalEvent[] = [];
    const decision = await client.check('payment.process', { params: { amount: 99999 } });
    const loop = (async () => {
      // lastSeen replays anything decided before the subscription went live: no race.
      for await (const event of client.approvals({ lastSeen: since, signal: controller.signal })) {
        seen.push(event);
        if (event.approvalId === decision.approvalId) controller.abort();
      }
    })();
    await admin.approve(decision.approvalId!, { approver: 'dave' });
    await loop;
    expect(seen.find((event) => event.approvalId === decision.approvalId)).toMatchObject({ status: 'approved', approver: 'dave', action: 'payment.process' });
    const since2 = await client.approvalsSince(since, { limit: 500 });
    expect(since2.find((event) => event.approvalId === decision.approvalId)).toMatchObject({ status: 'approved', approver: 'dave' });
  });

  it('kill switch: admin KILL stops the agent; heartbeat reflects PAUSE/OK', async () => {
    const client = clientFor(server, TENANTS[0], { agentId: 'bot-to-kill' });
    const other = new AdminClient({ url: server.url, tenantId: 'acme', adminKey: TENANTS[0]!.adminKey });
    await other.setAgentStatus('bot-to-kill', 'PAUSE');
    expect(await client.heartbeat()).toBe('PAUSE');
    await other.setAgentStatus('bot-to-kill', 'KILL');
    expect(await client.startKillSwitch({ intervalMs: 60_000 })).toBe('KILL');
    await expect(client.check('read.x')).rejects.toMatchObject({ name: 'KillSwitchTriggered' });
    // The server refuses the killed agent too, for clients without the kill switch running.
    expect(await clientFor(server, TENANTS[0], { agentId: 'bot-to-kill' }).check('read.x')).toMatchObject({ decision: 'DENY', policyId: 'kill-switch' });
    await client.close();
  });
});

describe('tenant isolation', () => {
  it('a wrong key is 401 and never an allow, even with failOpen', async () => {
    const client = clientFor(server, { id: 'acme', apiKey: 'hs_test_wrong_SECRET-do-not-leak', adminKey: '' }, { failOpen: true });
    await expect(client.check('read.x')).rejects.toBeInstanceOf(HaltStateAuthError);
  });

  it("tenant B's key never sees A's approvals, stream included", async () => {
    const a = clientFor(server, TENANTS[0]);
    const b = clientFor(server, TENANTS[1]);
    const decision = await a.check('payment.process', { params: { amount: 123456 } });
    await expect(b.getApproval(decision.approvalId!)).rejects.toMatchObject({ status: 404 });
    const controller = new AbortController();
    const seenByB: ApprovalEvent[] = [];
    const loop = (async () => {
      for await (const event of b.approvals({ lastSeen: new Date(0), signal: controller.signal })) seenByB.push(event);
    })();
    const globexAdmin = new AdminClient({ url: server.url, tenantId: 'globex', adminKey: TENANTS[1]!.adminKey });
    await expect(globexAdmin.approve(decision.approvalId!, { approver: 'mallory' })).rejects.toMatchObject({ status: 404 });
    expect((await globexAdmin.approvals()).map((approval) => approval.approval_id)).not.toContain(decision.approvalId);
    await admin.approve(decision.approvalId!, { approver: 'alice' });
    // B's own decision, made after A's, proves B's stream was live when A's was decided.
    const own = await b.check('payment.process', { params: { amount: 7 } });
    await globexAdmin.approve(own.approvalId!, { approver: 'gina' });
    while (!seenByB.some((event) => event.approvalId === own.approvalId)) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await loop;
    expect(seenByB.map((event) => event.approvalId)).not.toContain(decision.approvalId);
    expect((await b.approvalsSince(new Date(0), { limit: 500 })).map((event) => event.approvalId)).not.toContain(decision.approvalId);
  });

  it('an admin key for another tenant is 401 (not authenticated for acme); an agent key on admin routes 403', async () => {
    await expect(new AdminClient({ url: server.url, tenantId: 'acme', adminKey: TENANTS[1]!.adminKey }).approvals()).rejects.toMatchObject({ status: 401 });
    await expect(new AdminClient({ url: server.url, tenantId: 'acme', adminKey: TENANTS[0]!.apiKey }).approvals()).rejects.toMatchObject({ status: 403 });
    await expect(new AdminClient({ url: server.url, tenantId: 'acme', adminKey: 'hs_nope_SECRET-do-not-leak' }).approvals()).rejects.toMatchObject({ status: 401 });
  });
});
