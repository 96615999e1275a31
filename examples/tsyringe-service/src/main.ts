// A tsyringe app: the client is registered once, and @HaltStateGuard resolves it at call time.
import 'reflect-metadata';
import { join } from 'node:path';
import { container } from 'tsyringe';
import { ActionDenied } from '@haltstate/core';
import { registerHaltState } from '@haltstate/decorators';
import { AdminClient, createLocalServer } from '@haltstate/local';
import { PaymentService } from './payment-service.js';

async function main(): Promise<void> {
  const server = await createLocalServer({ policy: join(__dirname, '../../policy.yaml') });
  const tenant = server.tenants.find((entry) => entry.id === 'demo')!;
  // In production: registerHaltState() with HALTSTATE_TENANT_ID / HALTSTATE_API_KEY set.
  const client = registerHaltState({ baseUrl: server.url, tenantId: tenant.id, apiKey: tenant.apiKey });
  const admin = new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey });
  const payments = container.resolve(PaymentService);

  try {
    await payments.pay('INV-1', 120, 'EUR');
    console.log('small payment: allowed');

    const large = payments.payLarge('INV-2', 4000);
    let pending;
    while (!(pending = (await admin.approvals('pending'))[0])) await new Promise((resolve) => setTimeout(resolve, 20));
    console.log(`large payment: waiting for approval ${pending.approval_id}; approving as alice`);
    await admin.approve(pending.approval_id, { approver: 'alice' });
    await large;
    console.log('large payment: approved and paid');

    await payments.dropTable('payments').catch((error: unknown) => {
      if (!(error instanceof ActionDenied)) throw error;
      console.log(`drop table: denied (${error.reason})`);
    });
    console.log(`ledger: ${JSON.stringify(payments.ledger)}`);
  } finally {
    await client.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
