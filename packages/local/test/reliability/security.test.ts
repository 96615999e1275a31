// Keys and tenants on every route: one auth rule (401 not authenticated for the tenant named,
// 403 authenticated but not allowed), and tenant B never sees or touches tenant A's data.
import { buildServer, type BuiltServer } from '@haltstate/local';
import { POLICY, TENANTS } from '../helpers/server';

let built: BuiltServer;
const [acme, globex] = TENANTS as [(typeof TENANTS)[0], (typeof TENANTS)[0]];
let acmeApproval: string;
const acmeKey = 'sec-acme-guard';

beforeAll(async () => {
  built = buildServer({ policy: POLICY });
  const guard = await built.app.inject({ method: 'POST', url: '/api/sentinel/action/guard', headers: { 'x-api-key': acme.apiKey }, payload: { agent_id: 'payment-bot-1', action: 'payment.process', params: { amount: 9999 }, idempotency_key: acmeKey, tenant_id: 'acme' } });
  acmeApproval = guard.json().approval_id;
  await built.app.inject({ method: 'PUT', url: '/local/agents/shared-bot/status', headers: { authorization: `Bearer ${acme.adminKey}` }, payload: { status: 'KILL' } });
});
afterAll(() => built.app.close());

const PUBLIC = (approvalId: string) => [
  ['POST', '/action/check', { action: 'read.x' }],
  ['POST', '/action/report', { request_id: 'r', agent_id: 'a', action: 'read.x', status: 'success', decision: 'ALLOW', policy_id: null, result: null }],
  ['POST', '/action/guard', { agent_id: 'a', action: 'read.x', params: {}, idempotency_key: 'k', tenant_id: 'acme' }],
  ['POST', '/action/guard/report', { idempotency_key: acmeKey, action: 'payment.process', agent_id: 'payment-bot-1', outcome: 'success', error: null }],
  ['GET', `/approval/${approvalId}`, undefined],
  ['GET', '/approvals/since?since=2020-01-01T00:00:00Z', undefined],
  ['GET', '/approvals/stream', undefined],
  ['GET', '/heartbeat?agent_id=a', undefined],
] as const;
const ADMIN = (approvalId: string) => [
  ['GET', '/local/approvals', undefined],
  ['POST', `/local/approvals/${approvalId}/approve`, { approver: 'x' }],
  ['POST', `/local/approvals/${approvalId}/reject`, { approver: 'x', reason: 'y' }],
  ['PUT', '/local/agents/a/status', { status: 'OK' }],
  ['GET', '/local/audit', undefined],
  ['GET', '/local/unreported', undefined],
  ['GET', '/local/stream', undefined],
] as const;

type Method = 'GET' | 'POST' | 'PUT';
const call = (method: Method, url: string, payload: unknown, headers: Record<string, string>) =>
  built.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

// One rule on every route: 401 when the key does not authenticate for the tenant named in
// X-Tenant-Id (missing, unknown, another tenant's), with one message that never says which;
// 403 when it authenticates but is not allowed there.
const wrongKeys = (role: 'agent' | 'admin', send: (key: string) => Record<string, string>) => [
  ['no key', {}],
  ['an unknown key', send('hs_wrong_key_000')],
  ["another tenant's agent key", { ...send(globex.apiKey), 'x-tenant-id': 'acme' }],
  ["another tenant's admin key", { ...send(globex.adminKey), 'x-tenant-id': 'acme' }],
  ["this tenant's agent key naming another tenant", { ...send(acme.apiKey), 'x-tenant-id': 'globex' }],
  ["this tenant's admin key naming another tenant", { ...send(acme.adminKey), 'x-tenant-id': 'globex' }],
  ['two different keys at once', { ...send(role === 'agent' ? acme.apiKey : acme.adminKey), 'x-admin-token': globex.apiKey }],
] as const;
const notAllowed = (role: 'agent' | 'admin', send: (key: string) => Record<string, string>) => [
  [role === 'agent' ? 'an admin key' : 'an agent key', { ...send(role === 'agent' ? acme.adminKey : acme.apiKey), 'x-tenant-id': 'acme' }],
  [role === 'agent' ? 'an admin key, no X-Tenant-Id' : 'an agent key, no X-Tenant-Id', send(role === 'agent' ? acme.adminKey : acme.apiKey)],
] as const;
const SENDERS = {
  'X-API-Key': (key: string) => ({ 'x-api-key': key }),
  Bearer: (key: string) => ({ authorization: `Bearer ${key}` }),
};

describe.each(['/api/sentinel', '/api/haltstate/sentinel'])('every public route under %s', (prefix) => {
  const routes = PUBLIC('00000000-0000-0000-0000-000000000000');
  const unauthenticated = new Set<string>();

  describe.each(Object.entries(SENDERS))('with the key in %s', (_, send) => {
    it.each(routes.flatMap(([method, path, body]) => wrongKeys('agent', send).map(([why, headers]) => [method, path, why, body, headers] as const)))(
      '%s %s: %s is 401',
      async (method, path, _why, body, headers) => {
        const response = await call(method as Method, `${prefix}${path}`, body, headers as Record<string, string>);
        expect(response.statusCode).toBe(401);
        unauthenticated.add(response.json().detail);
      },
    );

    it.each(routes.flatMap(([method, path, body]) => notAllowed('agent', send).map(([why, headers]) => [method, path, why, body, headers] as const)))(
      '%s %s: %s is 403',
      async (method, path, _why, body, headers) => {
        const response = await call(method as Method, `${prefix}${path}`, body, headers as Record<string, string>);
        expect(response.statusCode).toBe(403);
        expect(response.json()).toEqual({ detail: expect.any(String) });
      },
    );
  });

  // Runs after the cases above: every 401 they got carried one and the same message.
  it('every 401 says the same thing, never which part was wrong', () => {
    expect(unauthenticated.size).toBe(1);
  });

  it.each([
    ['POST', '/action/guard', { agent_id: 'a', action: 'read.x', params: {}, idempotency_key: 'k', tenant_id: 'globex' }],
    ['GET', '/approvals/since?since=2020-01-01T00:00:00Z&tenant_id=globex', undefined],
    ['GET', '/approvals/stream?tenant_id=globex', undefined],
  ] as const)('%s %s: a body or query tenant_id that is not the key\'s is 403', async (method, path, body) => {
    const response = await call(method, `${prefix}${path}`, body, { 'x-api-key': acme.apiKey, 'x-tenant-id': 'acme' });
    expect(response.statusCode).toBe(403);
  });

});

describe('tenant isolation', () => {
  it("tenant B's key never reads or changes tenant A's data", async () => {
    const asB = { 'x-api-key': globex.apiKey };
    expect((await call('GET', `/api/sentinel/approval/${acmeApproval}`, undefined, asB)).statusCode).toBe(404);
    expect((await call('GET', '/api/sentinel/approvals/since?since=2020-01-01T00:00:00Z&tenant_id=acme', undefined, asB)).statusCode).toBe(403);
    expect((await call('GET', '/api/sentinel/approvals/stream?tenant_id=acme', undefined, asB)).statusCode).toBe(403);
    expect((await call('POST', '/api/sentinel/action/guard', { agent_id: 'a', action: 'read.x', params: {}, idempotency_key: acmeKey, tenant_id: 'acme' }, asB)).statusCode).toBe(403);
    // The same key under B's own tenant is B's own record, not A's.
    const own = await call('POST', '/api/sentinel/action/guard', { agent_id: 'payment-bot-1', action: 'payment.process', params: { amount: 9999 }, idempotency_key: acmeKey, tenant_id: 'globex' }, asB);
    expect(own.json().approval_id).not.toBe(acmeApproval);
    expect((await call('POST', '/api/sentinel/action/guard/report', { idempotency_key: 'only-in-acme', action: 'a', agent_id: 'b', outcome: 'success', error: null }, asB)).statusCode).toBe(404);
    expect((await call('GET', '/api/sentinel/heartbeat?agent_id=shared-bot', undefined, asB)).json()).toEqual({ status: 'OK' });
    expect((await call('GET', '/api/sentinel/heartbeat?agent_id=shared-bot', undefined, { 'x-api-key': acme.apiKey })).json()).toEqual({ status: 'KILL' });
  });
});

describe('every admin route (the page uses them)', () => {
  const routes = ADMIN('00000000-0000-0000-0000-000000000000');
  const unauthenticated = new Set<string>();

  describe.each(Object.entries(SENDERS))('with the key in %s', (_, send) => {
    it.each(routes.flatMap(([method, path, body]) => wrongKeys('admin', send).map(([why, headers]) => [method, path, why, body, headers] as const)))(
      '%s %s: %s is 401',
      async (method, path, _why, body, headers) => {
        const response = await call(method as Method, path, body, headers as Record<string, string>);
        expect(response.statusCode).toBe(401);
        unauthenticated.add(response.json().detail);
      },
    );

    it.each(routes.flatMap(([method, path, body]) => notAllowed('admin', send).map(([why, headers]) => [method, path, why, body, headers] as const)))(
      '%s %s: %s is 403',
      async (method, path, _why, body, headers) => {
        const response = await call(method as Method, path, body, headers as Record<string, string>);
        expect(response.statusCode).toBe(403);
      },
    );
  });

  // Runs after the cases above: every 401 they got carried one and the same message.
  it('every 401 says the same thing, never which part was wrong', () => {
    expect(unauthenticated.size).toBe(1);
  });

  it("tenant B's admin key cannot see or decide tenant A's approvals", async () => {
    const asB = { authorization: `Bearer ${globex.adminKey}` };
    expect((await call('POST', `/local/approvals/${acmeApproval}/approve`, { approver: 'mallory' }, asB)).statusCode).toBe(404);
    expect((await call('POST', `/local/approvals/${acmeApproval}/reject`, { approver: 'mallory', reason: 'x' }, asB)).statusCode).toBe(404);
    const listed = (await call('GET', '/local/approvals', undefined, asB)).json().approvals.map((approval: { approval_id: string }) => approval.approval_id);
    expect(listed).not.toContain(acmeApproval);
    const audit = (await call('GET', '/local/audit', undefined, asB)).json() as Array<{ tenantId: string }>;
    expect(audit.every((entry) => entry.tenantId === 'globex')).toBe(true);
  });
});
