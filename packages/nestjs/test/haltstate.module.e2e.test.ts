import 'reflect-metadata';
import { Controller, Get, Injectable, Module, UseFilters, type INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ActionExpired, HaltStateClient, HaltStateExceptionFilter, HaltStateExplorer, HaltStateGuard, HaltStateModule, type HaltStateModuleOptions } from '@haltstate/nestjs';
import { AdminClient, type LocalServer } from '@haltstate/local';
import { ledger, PaymentsModule, PaymentsService } from './app/payments';
import { startServer, tenant } from './helpers';

let server: LocalServer;
let admin: AdminClient;
beforeAll(async () => {
  server = await startServer();
  admin = new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey });
});
afterAll(() => server.close());
beforeEach(() => (ledger.length = 0));

const clientOptions = () => ({ baseUrl: server.url, tenantId: tenant.id, apiKey: tenant.apiKey, retries: 0 });

async function boot(haltstate = HaltStateModule.forRoot({ ...clientOptions(), isGlobal: true })): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [haltstate, PaymentsModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('HaltStateModule', () => {
  it('provides an injectable HaltStateClient and finds guarded methods of providers and controllers', async () => {
    const app = await boot();
    try {
      expect(app.get(HaltStateClient)).toBeInstanceOf(HaltStateClient);
      expect(app.get(HaltStateClient).tenantId).toBe('acme');
      const found = app.get(HaltStateExplorer).guardedMethods.map((entry) => `${entry.owner}.${String(entry.method)}`).sort();
      expect(found).toEqual(['AuditExporter.export', 'PaymentsController.health', 'PaymentsController.refund', 'PaymentsService.drop', 'PaymentsService.pay', 'TransientReader.read']);
    } finally {
      await app.close();
    }
  });

  it('forRootAsync with ConfigModule (useFactory + inject)', async () => {
    const app = await boot(
      HaltStateModule.forRootAsync({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ HS_URL: server.url, HS_TENANT: tenant.id, HS_KEY: tenant.apiKey })] })],
        inject: [ConfigService],
        useFactory: (config: ConfigService): HaltStateModuleOptions => ({ baseUrl: config.getOrThrow('HS_URL'), tenantId: config.getOrThrow('HS_TENANT'), apiKey: config.getOrThrow('HS_KEY'), retries: 0 }),
        isGlobal: true,
      }),
    );
    try {
      await expect(app.get(PaymentsService).pay('INV-A', 10)).resolves.toEqual({ transactionId: 'tx_INV-A' });
    } finally {
      await app.close();
    }
  });

  it('forRootAsync with useClass', async () => {
    @Injectable()
    class HaltStateConfig {
      createHaltStateOptions(): HaltStateModuleOptions {
        return clientOptions();
      }
    }
    const app = await boot(HaltStateModule.forRootAsync({ useClass: HaltStateConfig, isGlobal: true }));
    try {
      await expect(app.get(PaymentsService).pay('INV-B', 10)).resolves.toEqual({ transactionId: 'tx_INV-B' });
    } finally {
      await app.close();
    }
  });

  it('a bad config fails the app at boot, naming the option', async () => {
    const compile = Test.createTestingModule({ imports: [HaltStateModule.forRoot({ baseUrl: server.url, apiKey: tenant.apiKey, tenantId: '' }), PaymentsModule] }).compile();
    await expect(compile).rejects.toThrow(/tenantId must not be empty: pass \{ tenantId \} to the client or set HALTSTATE_TENANT_ID/);
  });

  it('a named client on a guarded method fails at boot with what to do', async () => {
    @Injectable()
    class Named {
      @HaltStateGuard({ action: 'x.y', client: 'other' })
      async run() {}
    }
    @Module({ providers: [Named] })
    class NamedModule {}
    const moduleRef = await Test.createTestingModule({ imports: [HaltStateModule.forRoot({ ...clientOptions(), isGlobal: true }), NamedModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(/Named\.run \(client "other"\)/);
  });

  it('gates service methods with Nest\'s DI (no tsyringe): allow runs, deny does not', async () => {
    const app = await boot();
    try {
      const payments = app.get(PaymentsService);
      await expect(payments.pay('INV-1', 100)).resolves.toEqual({ transactionId: 'tx_INV-1' });
      await expect(payments.drop('users')).rejects.toMatchObject({ name: 'ActionDenied', policyId: 'no-drops' });
      expect(ledger).toEqual(['pay INV-1 100']);
    } finally {
      await app.close();
    }
  });

  it('maps outcomes to HTTP through the filter over real HTTP: 200, 202 with the approval id, 403, 410', async () => {
    const app = await boot();
    try {
      const http = request(app.getHttpServer());
      await http.post('/payments/INV-2').send({ amount: 50 }).expect(201, { transactionId: 'tx_INV-2' });
      const pending = await http.post('/payments/INV-3').send({ amount: 5000 }).expect(202);
      expect(pending.body).toEqual({ statusCode: 202, error: 'Accepted', code: 'HALTSTATE_APPROVAL_PENDING', message: expect.any(String), approvalId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      const denied = await http.post('/payments/tables/users/drop').expect(403);
      expect(denied.body).toEqual({ statusCode: 403, error: 'Forbidden', code: 'HALTSTATE_ACTION_DENIED', message: expect.stringContaining('denied'), reason: 'Destructive operation', policyId: 'no-drops' });
      expect(ledger).toEqual(['pay INV-2 50']);
    } finally {
      await app.close();
    }
  });

  it('guards controller handlers directly, with the route decorator above or below', async () => {
    const app = await boot();
    try {
      const http = request(app.getHttpServer());
      await http.get('/payments/health').expect(200, { ok: true });
      const refund = await http.post('/payments/INV-4/refund').expect(202);
      expect(refund.body.approvalId).toBeDefined();
      expect(ledger).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('request-scoped and transient providers are gated too', async () => {
    const app = await boot();
    try {
      const http = request(app.getHttpServer());
      await http.get('/payments/audit/csv').expect(200, 'exported csv');
      await http.get('/payments/things/t1').expect(200, { value: 'read t1' });
      expect(ledger).toEqual(['export csv']);
    } finally {
      await app.close();
    }
  });

  it('app.close() flushes pending reports before it resolves', async () => {
    const app = await boot();
    const payments = app.get(PaymentsService);
    await payments.pay('INV-5', 10);
    await app.close();
    const reports = (await admin.audit()).filter((entry) => entry.kind === 'report' && entry.agentId === 'nest-bot' && entry.action === 'payment.process');
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(app.get(HaltStateClient).reportStats).toMatchObject({ pending: 0, failed: 0 });
  });

  it('expired is 410; other errors pass through to Nest', async () => {
    @UseFilters(HaltStateExceptionFilter)
    @Controller('odd')
    class OddController {
      @Get('expired')
      expired() {
        throw new ActionExpired({ action: 'payment.process', approvalId: 'apr-9' });
      }

      @Get('boom')
      boom() {
        throw new Error('not ours');
      }
    }
    const moduleRef = await Test.createTestingModule({ imports: [HaltStateModule.forRoot({ ...clientOptions(), isGlobal: true })], controllers: [OddController] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const http = request(app.getHttpServer());
      const expired = await http.get('/odd/expired').expect(410);
      expect(expired.body).toEqual({ statusCode: 410, error: 'Gone', code: 'HALTSTATE_ACTION_EXPIRED', message: expect.stringContaining('expired'), approvalId: 'apr-9' });
      await http.get('/odd/boom').expect(500, { statusCode: 500, message: 'Internal server error' });
    } finally {
      await app.close();
    }
  });

  it('an unreachable service is a 503, and the action does not run', async () => {
    const app = await boot(HaltStateModule.forRoot({ ...clientOptions(), baseUrl: 'http://127.0.0.1:1', isGlobal: true, shutdownTimeoutMs: 100 }));
    try {
      const response = await request(app.getHttpServer()).post('/payments/INV-6').send({ amount: 5 }).expect(503);
      expect(response.body).toEqual({ statusCode: 503, error: 'Service Unavailable', code: 'HALTSTATE_CONNECTION', message: expect.any(String) });
      expect(ledger).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
