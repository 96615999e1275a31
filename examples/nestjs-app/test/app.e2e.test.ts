// The example app end to end: real HTTP into Nest, real HTTP to the local HaltState server.
import 'reflect-metadata';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AdminClient, createLocalServer, type LocalServer } from '@haltstate/local';
import { AppModule } from '../src/app.module';

let haltstate: LocalServer;
let app: INestApplication;
let admin: AdminClient;

beforeAll(async () => {
  haltstate = await createLocalServer({ policy: join(__dirname, '../../policy.yaml') });
  const tenant = haltstate.tenants.find((entry) => entry.id === 'demo')!;
  Object.assign(process.env, { HALTSTATE_BASE_URL: haltstate.url, HALTSTATE_TENANT_ID: tenant.id, HALTSTATE_API_KEY: tenant.apiKey });
  admin = new AdminClient({ url: haltstate.url, tenantId: tenant.id, adminKey: tenant.adminKey });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.init();
});
afterAll(async () => {
  await app.close();
  await haltstate.close();
});

it('allows a small payment, holds a large one for approval, then runs it once', async () => {
  const http = request(app.getHttpServer());
  await http.post('/payments/INV-1').send({ amount: 100 }).expect(201, { invoiceId: 'INV-1', transactionId: 'tx_INV-1' });

  const pending = await http.post('/payments/INV-2').send({ amount: 5000 }).expect(202);
  await admin.approve(pending.body.approvalId, { approver: 'alice' });
  await http.post('/payments/INV-2').send({ amount: 5000 }).expect(201, { invoiceId: 'INV-2', transactionId: 'tx_INV-2' });

  await http.get('/payments/ledger').expect(200, ['paid 100 USD for INV-1', 'paid 5000 USD for INV-2']);
});

it('denies a table drop with 403 and the reason', async () => {
  const denied = await request(app.getHttpServer()).post('/payments/admin/drop/users').expect(403);
  expect(denied.body).toMatchObject({ reason: 'Destructive database operations are never automatic', policyId: 'no-drops' });
});
