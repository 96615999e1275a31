// Two Nest apps in one process (a multi-tenant worker, parallel e2e tests), with the same
// provider classes: each app's guarded methods use that app's client, and closing one app leaves
// the other working. A call that cannot be attributed to exactly one app is refused.
import 'reflect-metadata';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { HaltStateGuard, HaltStateModule } from '@haltstate/nestjs';
import { AdminClient, type LocalServer } from '@haltstate/local';
import { ledger, PaymentsModule, PaymentsService } from './app/payments';
import { otherTenant, startServer, tenant } from './helpers';

@Injectable()
class Rates {
  @HaltStateGuard('read.rates', 'nest-bot')
  static async current(currency: string) {
    return `rate ${currency}`;
  }
}
@Module({ providers: [Rates] })
class RatesModule {}

let server: LocalServer;
const admins: Record<string, AdminClient> = {};
beforeAll(async () => {
  server = await startServer();
  for (const { id, adminKey } of [tenant, otherTenant]) admins[id] = new AdminClient({ url: server.url, tenantId: id, adminKey });
});
afterAll(() => server.close());
beforeEach(() => (ledger.length = 0));

async function boot({ id, apiKey }: { id: string; apiKey: string }): Promise<INestApplication> {
  const haltstate = HaltStateModule.forRoot({ baseUrl: server.url, tenantId: id, apiKey, retries: 0, isGlobal: true });
  const moduleRef = await Test.createTestingModule({ imports: [haltstate, PaymentsModule, RatesModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

/** How many checks of an action each tenant's audit trail holds. */
async function checks(action: string): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (const [id, admin] of Object.entries(admins)) seen[id] = (await admin.audit()).filter((entry) => entry.kind === 'check' && entry.action === action).length;
  return seen;
}

it('each app calls with its own tenant: singletons, request-scoped and transient providers alike', async () => {
  const a = await boot(tenant);
  const b = await boot(otherTenant);
  try {
    await a.get(PaymentsService).pay('INV-A', 10);
    await b.get(PaymentsService).pay('INV-B', 10);
    await request(a.getHttpServer()).get('/payments/audit/a-csv').expect(200, 'exported a-csv');
    await request(b.getHttpServer()).get('/payments/audit/b-csv').expect(200, 'exported b-csv');
    await request(a.getHttpServer()).get('/payments/things/a-1').expect(200, { value: 'read a-1' });
    await request(b.getHttpServer()).get('/payments/things/b-1').expect(200, { value: 'read b-1' });
    await request(b.getHttpServer()).get('/payments/health').expect(200, { ok: true });
    expect(await checks('payment.process')).toEqual({ acme: 1, globex: 1 });
    expect(await checks('read.audit')).toEqual({ acme: 1, globex: 1 });
    expect(await checks('read.thing')).toEqual({ acme: 1, globex: 1 });
    expect(await checks('read.health')).toEqual({ acme: 0, globex: 1 });
  } finally {
    await a.close();
    await b.close();
  }
});

it('closing one app leaves the other working; the closed app\'s services refuse to run', async () => {
  const a = await boot(tenant);
  const b = await boot(otherTenant);
  const fromA = a.get(PaymentsService);
  const before = await checks('payment.process');
  await a.close();
  try {
    await expect(b.get(PaymentsService).pay('INV-B2', 10)).resolves.toEqual({ transactionId: 'tx_INV-B2' });
    await request(b.getHttpServer()).get('/payments/audit/b2').expect(200, 'exported b2');
    await expect(fromA.pay('INV-A2', 10)).rejects.toThrow(/PaymentsService\.pay: this object belongs to a NestJS app .*tenant "acme".* that was closed, so the method did not run/);
    expect(ledger).toEqual(['pay INV-B2 10', 'export b2']);
    expect(await checks('payment.process')).toEqual({ acme: before.acme, globex: before.globex! + 1 });
  } finally {
    await b.close();
  }
});

it('a call that no single app owns is refused, never guessed', async () => {
  const a = await boot(tenant);
  const b = await boot(otherTenant);
  try {
    // A static method's `this` is the class, which both apps provide.
    await expect(Rates.current('EUR')).rejects.toThrow(/Rates\.current: Rates belongs to 2 running apps \(a NestJS app \(HaltStateModule, tenant "acme"\); a NestJS app \(HaltStateModule, tenant "globex"\)\).*cannot be told.*did not run/);
    // An instance made with `new`, not by either app's injector.
    await expect(new PaymentsService().pay('INV-N', 10)).rejects.toThrow(/PaymentsService\.pay: PaymentsService belongs to 2 running apps/);
    expect(ledger).toEqual([]);
  } finally {
    await a.close();
  }
  try {
    // One app left: the class is its alone.
    await expect(Rates.current('EUR')).resolves.toBe('rate EUR');
    await expect(new PaymentsService().pay('INV-N', 10)).resolves.toEqual({ transactionId: 'tx_INV-N' });
    expect(await checks('read.rates')).toEqual({ acme: 0, globex: 1 });
  } finally {
    await b.close();
  }
  // No app left: nothing is claimed any more.
  await expect(Rates.current('EUR')).rejects.toThrow(/no HaltState client is registered/);
});
