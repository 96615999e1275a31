// The server's expiry sweep calls the (asynchronous) store on a timer: one sweep at a time, a
// failing one logged and retried on the next tick, never an unhandled rejection.
import { buildServer } from '../src/server/app';

const POLICY = { version: 1 as const, default: 'DENY' as const, rules: [{ id: 'quick', match: { action: 'flash.*' }, decision: 'APPROVAL_REQUIRED' as const, approval: { ttl: '1s' } }] };

describe('the expiry sweep', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
    process.off('unhandledRejection', onUnhandled);
  });

  it('expires what is due on its tick', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const built = buildServer({ policy: POLICY, now: () => now, expirySweepMs: 1000 });
    try {
      const [tenant] = built.tenants;
      const guard = await built.app.inject({ method: 'POST', url: '/api/sentinel/action/guard', headers: { 'x-api-key': tenant!.apiKey }, payload: { agent_id: 'a', action: 'flash.sale', params: {}, idempotency_key: 'k1', tenant_id: tenant!.id } });
      expect(guard.json()).toMatchObject({ status: 'pending' });
      now = new Date(now.getTime() + 5_000);
      await jest.advanceTimersByTimeAsync(1000);
      // The audit trail, not the approvals: reading approvals expires what is due by itself.
      expect((await built.store.auditTrail(tenant!.id)).filter((entry) => entry.decision === 'expired')).toHaveLength(1);
    } finally {
      await built.app.close();
    }
  });

  it('a failing sweep is logged, not an unhandled rejection; the server keeps answering and closes', async () => {
    const built = buildServer({ policy: POLICY, expirySweepMs: 1000 });
    const logged = jest.spyOn(built.app.log, 'error');
    // A real failure, no stand-in: the database is closed under the running server.
    await built.store.close();
    await jest.advanceTimersByTimeAsync(3000);
    expect(logged.mock.calls.filter(([, message]) => message === 'expiry sweep failed').length).toBeGreaterThanOrEqual(1);
    expect(unhandled).toEqual([]);
    // It fails closed: a route that needs the store answers 500, the process lives on.
    const [tenant] = built.tenants;
    expect((await built.app.inject({ method: 'GET', url: '/api/sentinel/heartbeat?agent_id=a', headers: { 'x-api-key': tenant!.apiKey } })).statusCode).toBe(500);
    await built.app.close();
    expect(unhandled).toEqual([]);
  });
});
