// Reports survive an outage: queued while the service is down, delivered when it returns, with
// overflow and give-ups counted and reported, and close() bounded while it is still down.
import { HaltStateClient } from '@haltstate/core';
import { AdminClient, type LocalServer } from '@haltstate/local';
import { startServer, TENANTS } from '../helpers/server';
import { startFaultProxy, type FaultProxy } from './fault-proxy';

const acme = TENANTS[0]!;
let server: LocalServer;
let proxy: FaultProxy;
let admin: AdminClient;
beforeAll(async () => {
  server = await startServer();
  proxy = await startFaultProxy(server.url);
  admin = new AdminClient({ url: server.url, tenantId: acme.id, adminKey: acme.adminKey });
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});
afterEach(() => proxy.setPicker(() => 'pass'));

// Setup calls (nothing injected yet) get a generous deadline: a loaded CI machine must not fail
// them; the short client deadline is for the faults under test.
const SETUP = { timeoutMs: 10_000 };
const client = (extra: Partial<ConstructorParameters<typeof HaltStateClient>[0]> = {}) =>
  new HaltStateClient({ baseUrl: proxy.url, tenantId: acme.id, apiKey: acme.apiKey, agentId: 'durable-bot', retries: 0, timeoutMs: 500, ...extra });

it('queues reports while the service is down and delivers each exactly once when it returns', async () => {
  const reporter = client({ onReportError: () => undefined });
  const decisions = await Promise.all(Array.from({ length: 5 }, (_, i) => reporter.check('read.data', { params: { i } }, SETUP)));
  proxy.setPicker(() => 'reset');
  for (const decision of decisions) await reporter.report(decision, { status: 'success', result: { ok: true } });
  const whileDown = await reporter.flush({ timeoutMs: 300 });
  expect(whileDown).toMatchObject({ ok: false, delivered: 0, pending: 5 });
  expect(reporter.reportStats).toMatchObject({ queued: 5, delivered: 0, failed: 0, dropped: 0, pending: 5 });

  proxy.setPicker(() => 'pass');
  // Generous: after an outage the next attempt may be a full backoff (up to 8 s) away, and on a
  // loaded machine an attempt can miss its 500 ms deadline and back off again.
  expect(await reporter.flush({ timeoutMs: 40_000 })).toEqual({ ok: true, delivered: 5, failed: [], pending: 0 });
  const ids = new Set(decisions.map((decision) => decision.requestId));
  const delivered = (await admin.audit()).filter((entry) => entry.kind === 'report' && ids.has(entry.requestId!));
  expect(delivered).toHaveLength(5);
  await reporter.close();
}, 60_000);

it('an overflow while down is counted and passed to onReportError, never silent', async () => {
  const errors: string[] = [];
  const reporter = client({ maxQueuedReports: 3, onReportError: (error) => errors.push(error.message) });
  const decision = await reporter.check('read.data', {}, SETUP);
  proxy.setPicker(() => 'error-503');
  for (let i = 0; i < 5; i++) await reporter.report(decision, { status: 'success', result: { i } });
  expect(errors).toHaveLength(2);
  expect(errors[0]).toMatch(/queue is full \(3 waiting/);
  expect(reporter.reportStats).toMatchObject({ queued: 3, dropped: 2 });
  proxy.setPicker(() => 'pass');
  await reporter.close();
});

it('close() with the service still down ends at its deadline and says how many were not delivered', async () => {
  const errors: string[] = [];
  const reporter = client({ onReportError: (error) => errors.push(error.message) });
  const decision = await reporter.check('read.data', {}, SETUP);
  proxy.setPicker(() => 'timeout');
  for (let i = 0; i < 4; i++) await reporter.report(decision, { status: 'success', result: { i } });
  const result = await reporter.close({ timeoutMs: 700 });
  expect(result.ok).toBe(false);
  expect(result.pending + result.failed.length).toBe(4);
  expect(errors).toHaveLength(4);
  expect(errors.every((message) => /not delivered/.test(message))).toBe(true);
});
