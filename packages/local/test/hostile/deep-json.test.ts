// Odd but legal input: JSON nested thousands deep is a 422 naming the limit (it was a 500), and a
// tenant whose id is an EventEmitter event name (`error`) works like any other.
import { buildServer } from '@haltstate/local';
import { jsonDepth } from '../../src/server/json-depth';
import { EventHub } from '../../src/server/events';
import { POLICY, TENANTS } from '../helpers/server';
import { testKey } from '@test-support/keys';

const acme = TENANTS[0]!;

describe('deep JSON', () => {
  const built = buildServer({ policy: POLICY });
  afterAll(() => built.app.close());
  const deep = (depth: number) => `{"agent_id":"a","action":"read.x","params":{"p":${'['.repeat(depth)}${']'.repeat(depth)}}}`;

  it.each([
    ['a check', '/api/sentinel/action/check', { 'x-api-key': acme.apiKey }],
    ['a guard', '/api/sentinel/action/guard', { 'x-api-key': acme.apiKey }],
    ['an admin decision', '/local/approvals/x/approve', { authorization: `Bearer ${acme.adminKey}` }],
  ])('%s nested 4 000 deep is a 422 that names maxJsonDepth', async (_name, url, headers) => {
    const response = await built.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: deep(4_000) });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({ detail: 'Request body nests deeper than 64 levels (server limit maxJsonDepth)' });
  });

  it('nesting within the limit, and brackets inside strings, are fine', async () => {
    const ok = await built.app.inject({ method: 'POST', url: '/api/sentinel/action/check', headers: { 'x-api-key': acme.apiKey, 'content-type': 'application/json' }, payload: deep(50) });
    expect(ok.statusCode).toBe(200);
    const brackets = JSON.stringify({ agent_id: 'a', action: 'read.x', params: { text: '['.repeat(5_000) + '\\"{' } });
    expect((await built.app.inject({ method: 'POST', url: '/api/sentinel/action/check', headers: { 'x-api-key': acme.apiKey, 'content-type': 'application/json' }, payload: brackets })).statusCode).toBe(200);
  });

  it('jsonDepth counts only structure', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[["}]}', 64)).toBe(3);
    expect(jsonDepth('"\\\\"', 64)).toBe(0);
    expect(jsonDepth('['.repeat(100), 10)).toBe(11);
  });
});

describe('a tenant named like an EventEmitter event', () => {
  it.each(['error', 'newListener', '__proto__'])('tenant "%s": guard answers and the expiry sweep runs', async (id) => {
    let now = new Date('2026-01-01T00:00:00Z');
    const tenant = { id, apiKey: testKey(`tenant-${id}`), adminKey: testKey(`tenant-${id}-admin`) };
    const built = buildServer({ policy: { version: 1, default: 'APPROVAL_REQUIRED', tenants: [tenant], rules: [{ id: 'quick', match: { action: 'flash.*' }, decision: 'APPROVAL_REQUIRED', approval: { ttl: '1s' } }] }, now: () => now, expirySweepMs: 3_600_000 });
    try {
      const guard = await built.app.inject({ method: 'POST', url: '/api/sentinel/action/guard', headers: { 'x-api-key': tenant.apiKey }, payload: { agent_id: 'a', action: 'flash.sale', params: {}, idempotency_key: 'k1', tenant_id: id } });
      expect(guard.statusCode).toBe(200);
      expect(guard.json()).toMatchObject({ status: 'pending' });
      now = new Date(now.getTime() + 5_000);
      // Before: EventEmitter's emit('error', …) with no listener threw out of the sweep.
      expect(await built.store.expireDue()).toHaveLength(1);
    } finally {
      await built.app.close();
    }
  });

  it('a subscriber that throws does not break the publisher nor the other subscribers', () => {
    const hub = new EventHub();
    const heard: string[] = [];
    hub.subscribe('error', () => {
      throw new Error('broken stream');
    });
    const unsubscribe = hub.subscribe('error', (event) => heard.push(event.type));
    hub.publish({ type: 'created', approval: { tenantId: 'error' } as never });
    unsubscribe();
    hub.publish({ type: 'decided', approval: { tenantId: 'error' } as never });
    expect(heard).toEqual(['created']);
  });
});
