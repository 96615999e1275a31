// @HaltStateGuard against the real local server (no nock).
import 'reflect-metadata';
import { container, injectable } from 'tsyringe';
import { ApprovalPending } from '@haltstate/core';
import { HaltStateGuard, registerHaltState } from '@haltstate/decorators';
import { AdminClient, createLocalServer, type LocalServer } from '@haltstate/local';
import { testKey } from '@test-support/keys';

const tenant = { id: 'acme', apiKey: testKey('deco-acme'), adminKey: testKey('deco-admin') };
let server: LocalServer;
let admin: AdminClient;
const runs: string[] = [];

@injectable()
class PaymentService {
  @HaltStateGuard({ action: 'payment.process', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }), idempotencyKey: (invoiceId) => `payment-${invoiceId}` })
  async pay(invoiceId: string, amount: number) {
    runs.push(`pay ${invoiceId}`);
    return `tx_${invoiceId}`;
  }

  @HaltStateGuard('read.balance')
  async balance(account: string) {
    runs.push(`balance ${account}`);
    return 42;
  }

  @HaltStateGuard('database.drop')
  async drop(table: string) {
    runs.push(`drop ${table}`);
  }
}

beforeAll(async () => {
  server = await createLocalServer({
    policy: {
      tenants: [tenant],
      rules: [
        { id: 'reads', match: { action: 'read.*' }, decision: 'ALLOW' },
        { id: 'no-drops', match: { action: 'database.*' }, decision: 'DENY', reason: 'Destructive' },
        { id: 'payments', match: { action: 'payment.*' }, decision: 'APPROVAL_REQUIRED' },
      ],
    },
  });
  admin = new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey });
});
afterAll(() => server.close());

function boot(): PaymentService {
  container.reset();
  registerHaltState({ baseUrl: server.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'deco-bot', retries: 0 });
  return container.resolve(PaymentService);
}

it('allow runs and is reported; deny never runs', async () => {
  const service = boot();
  await expect(service.balance('a-1')).resolves.toBe(42);
  await expect(service.drop('users')).rejects.toMatchObject({ name: 'ActionDenied', reason: 'Destructive', policyId: 'no-drops' });
  expect(runs).toEqual(['balance a-1']);
  await container.resolve<{ flush(): Promise<unknown> }>(Symbol.for('HALTSTATE:CLIENT')).flush();
  const trail = await admin.audit();
  expect(trail.filter((entry) => entry.agentId === 'deco-bot').map((entry) => [entry.kind, entry.action, entry.decision ?? entry.outcome])).toEqual([
    ['check', 'read.balance', 'ALLOW'],
    ['report', 'read.balance', 'ALLOW'],
    ['check', 'database.drop', 'DENY'],
  ]);
});

it('approval required, then a restarted container retries the same key and the method runs once', async () => {
  runs.length = 0;
  const first = boot();
  const pending = (await first.pay('INV-9', 5000).catch((e: unknown) => e)) as ApprovalPending;
  expect(pending).toBeInstanceOf(ApprovalPending);
  expect(pending.idempotencyKey).toBe('payment-INV-9');

  // The process restarts: a new container, a new client, a new service instance.
  const second = boot();
  expect(((await second.pay('INV-9', 5000).catch((e: unknown) => e)) as ApprovalPending).approvalId).toBe(pending.approvalId);
  await admin.approve(pending.approvalId, { approver: 'alice' });
  await expect(second.pay('INV-9', 5000)).resolves.toBe('tx_INV-9');
  expect(runs).toEqual(['pay INV-9']);
});
