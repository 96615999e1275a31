// Keys and tenants on every route: a wrong key is 401, an agent key on admin routes 403, and
// tenant B never sees or touches tenant A's data.
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

describe('every public route', () => {
  it.each(PUBLIC('00000000-0000-0000-0000-000000000000').flatMap(([method, path, body]) => [
    [method, path, body, {}, 401],
    [method, path, body, { 'x-api-key': 'hs_wrong_key_000' }, 401],
    [method, path, body, { authorization: 'Bearer hs_wrong_key_000' }, 401],
    [method, path, body, { 'x-api-key': acme.apiKey, 'x-tenant-id': 'globex' }, 401],
    [method, path, body, { 'x-api-key': acme.adminKey }, 403],
  ]))('%s %s refuses %j with %i', async (method, path, body, headers, status) => {
    const response = await call(method as Method, `/api/sentinel${path}`, body, headers as Record<string, string>);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ detail: expect.any(String) });
  });

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

describe('every admin route', () => {
  it.each(ADMIN('00000000-0000-0000-0000-000000000000').flatMap(([method, path, body]) => [
    [method, path, body, {}, 401],
    [method, path, body, { authorization: 'Bearer hs_wrong_key_000' }, 401],
    [method, path, body, { authorization: `Bearer ${acme.apiKey}` }, 403],
    [method, path, body, { authorization: `Bearer ${acme.adminKey}`, 'x-tenant-id': 'globex' }, 403],
  ]))('%s %s refuses %j with %i', async (method, path, body, headers, status) => {
    const response = await call(method as Method, path, body, headers as Record<string, string>);
    expect(response.statusCode).toBe(status);
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
