// The routes through fastify's inject: status codes, error bodies, auth, limits.
import { buildServer, type BuiltServer } from '@haltstate/local';
import { POLICY, TENANTS } from './helpers/server';

let built: BuiltServer;
beforeAll(() => {
  built = buildServer({ policy: POLICY });
});
afterAll(() => built.app.close());

const acme = TENANTS[0]!;
const agent = { 'x-tenant-id': acme.id, 'x-api-key': acme.apiKey };
const adminHeaders = { 'x-tenant-id': acme.id, authorization: `Bearer ${acme.adminKey}` };
const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = agent) =>
  built.app.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }) });

describe('public routes', () => {
  it.each(['/api/sentinel', '/api/haltstate/sentinel'])('serve check under %s, defaulting agent_id and params', async (prefix) => {
    const response = await inject('POST', `${prefix}/action/check`, { action: 'read.x' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ decision: 'ALLOW', policy_id: 'reads', reason: expect.any(String), latency_ms: expect.any(Number) });
  });

  it('accepts the key as a Bearer token too', async () => {
    const response = await inject('POST', '/api/sentinel/action/check', { action: 'read.x' }, { authorization: `Bearer ${acme.apiKey}` });
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['no key', {}, 401],
    ['a wrong key', { 'x-api-key': 'hs_wrong_key_value' }, 401],
    ['a tenant id that is not the key\'s', { 'x-api-key': acme.apiKey, 'x-tenant-id': 'globex' }, 401],
    ['an admin key', { 'x-api-key': acme.adminKey }, 403],
  ])('refuses %s', async (_, headers, status) => {
    const response = await inject('POST', '/api/sentinel/action/check', { action: 'read.x' }, headers as Record<string, string>);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ detail: expect.any(String) });
  });

  it.each([
    ['a missing action', { params: {} }, 422, /action/],
    ['params that are an array', { action: 'a', params: [] }, 422, /params/],
    ['an empty action', { action: '' }, 422, /action/],
  ])('validates the body: %s', async (_, body, status, detail) => {
    const response = await inject('POST', '/api/sentinel/action/check', body);
    expect(response.statusCode).toBe(status);
    expect(response.json().detail).toMatch(detail);
  });

  it('answers 400 for malformed JSON and 413 for a body over the limit, never 500', async () => {
    expect((await inject('POST', '/api/sentinel/action/check', '{"action":')).statusCode).toBe(400);
    const huge = await inject('POST', '/api/sentinel/action/check', { action: 'a', params: { blob: 'x'.repeat(300_000) } });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toEqual({ detail: expect.any(String) });
  });

  it('refuses a body with a __proto__ key (prototype poisoning) with 400', async () => {
    const response = await inject('POST', '/api/sentinel/action/check', '{"action":"read.x","params":{"__proto__":{"admin":true}}}');
    expect(response.statusCode).toBe(400);
  });

  it('guard refuses a tenant_id that is not the key\'s', async () => {
    const response = await inject('POST', '/api/sentinel/action/guard', { agent_id: 'a', action: 'read.x', params: {}, idempotency_key: 'k', tenant_id: 'globex' });
    expect(response.statusCode).toBe(403);
  });

  it('guard: the same key with another redaction tag (another secret) is a 409', async () => {
    const guard = (card: string) => inject('POST', '/api/sentinel/action/guard', { agent_id: 'a', action: 'read.card', params: { amount: 5, card }, idempotency_key: 'tagged-key', tenant_id: 'acme' });
    expect((await guard('[REDACTED:0123456789ab]')).json()).toMatchObject({ status: 'allowed' });
    expect((await guard('[REDACTED:0123456789ab]')).statusCode).toBe(200);
    const other = await guard('[REDACTED:ba9876543210]');
    expect(other.statusCode).toBe(409);
    // Only that the key is taken: never the agent or action of its first use.
    expect(other.json().detail).toBe('Idempotency key "tagged-key" is already taken; use a new key');
  });

  it('guard report for an unknown key is 404', async () => {
    const response = await inject('POST', '/api/sentinel/action/guard/report', { idempotency_key: 'never-seen', action: 'a', agent_id: 'b', outcome: 'success', error: null });
    expect(response.statusCode).toBe(404);
  });

  it('approval routes accept X-Admin-Token; an unknown approval is 404', async () => {
    const response = await inject('GET', '/api/sentinel/approval/00000000-0000-0000-0000-000000000000', undefined, { 'x-tenant-id': acme.id, 'x-admin-token': acme.apiKey });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'Approval not found' });
  });

  it('approvals/since validates its query and the tenant', async () => {
    expect((await inject('GET', '/api/sentinel/approvals/since?since=yesterday')).statusCode).toBe(422);
    expect((await inject('GET', '/api/sentinel/approvals/since?since=2026-01-01T00:00:00Z&limit=501')).statusCode).toBe(422);
    expect((await inject('GET', '/api/sentinel/approvals/since?since=2026-01-01T00:00:00Z&tenant_id=globex')).statusCode).toBe(403);
    expect((await inject('GET', '/api/sentinel/approvals/since?since=2026-01-01T00:00:00Z')).json()).toEqual({ decisions: expect.any(Array) });
  });

  it('heartbeat answers OK for an unknown agent', async () => {
    expect((await inject('GET', '/api/sentinel/heartbeat?agent_id=nobody')).json()).toEqual({ status: 'OK' });
  });

  it('an unknown route is a JSON 404', async () => {
    const response = await inject('GET', '/api/sentinel/nope');
    expect(response.statusCode).toBe(404);
    expect(response.json().detail).toMatch(/No route GET \/api\/sentinel\/nope/);
  });
});

describe('admin routes', () => {
  it('list, reject needs a reason, status values are checked', async () => {
    const created = (await inject('POST', '/api/sentinel/action/check', { agent_id: 'a', action: 'payment.x', params: { amount: 5000 } })).json();
    const list = (await inject('GET', '/local/approvals?status=pending', undefined, adminHeaders)).json();
    expect(list.approvals.map((approval: { approval_id: string }) => approval.approval_id)).toContain(created.approval_id);
    expect((await inject('POST', `/local/approvals/${created.approval_id}/reject`, { approver: 'a' }, adminHeaders)).statusCode).toBe(422);
    expect((await inject('POST', `/local/approvals/${created.approval_id}/approve`, {}, adminHeaders)).statusCode).toBe(422);
    expect((await inject('PUT', '/local/agents/a/status', { status: 'STOP' }, adminHeaders)).statusCode).toBe(422);
    expect((await inject('GET', '/local/approvals?status=weird', undefined, adminHeaders)).statusCode).toBe(422);
  });

  it('exports the audit trail as JSON or JSON Lines', async () => {
    const array = await inject('GET', '/local/audit', undefined, adminHeaders);
    expect(Array.isArray(array.json())).toBe(true);
    const lines = await built.app.inject({ method: 'GET', url: '/local/audit', headers: { ...adminHeaders, accept: 'application/x-ndjson' } });
    expect(lines.headers['content-type']).toMatch(/application\/x-ndjson/);
    const parsed = lines.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(parsed[0]).toMatchObject({ tenantId: 'acme', kind: expect.any(String), time: expect.any(String) });
  });

  it('keeps a shadow report (result.shadow: true) apart in the audit trail, with its key', async () => {
    // The guard key and the check the reports name: decisions this server made.
    expect((await inject('POST', '/api/sentinel/action/guard', { agent_id: 'a', action: 'database.drop', params: {}, idempotency_key: 'pay-9', tenant_id: 'acme' })).json()).toMatchObject({ status: 'denied' });
    expect((await built.app.inject({ method: 'POST', url: '/api/sentinel/action/check', headers: { ...agent, 'x-request-id': 'enforced-1' }, payload: { agent_id: 'a', action: 'read.x' } })).statusCode).toBe(200);
    const report = (requestId: string, action: string, decision: string, policyId: string | null, result: object | null) =>
      inject('POST', '/api/sentinel/action/report', { request_id: requestId, agent_id: 'a', action, status: 'success', decision, policy_id: policyId, result });
    expect((await report('shadow-1', 'database.drop', 'DENY', 'no-drops', { shadow: true, guard_status: 'denied', idempotency_key: 'pay-9' })).statusCode).toBe(200);
    expect((await report('enforced-1', 'read.x', 'ALLOW', 'reads', { ok: true })).statusCode).toBe(200);
    const entries = (await inject('GET', '/local/audit', undefined, adminHeaders)).json() as Array<{ kind: string; requestId: string | null; idempotencyKey: string | null }>;
    expect(entries.find((entry) => entry.requestId === 'shadow-1')).toMatchObject({ kind: 'shadow_report', decision: 'denied', policyId: 'no-drops', idempotencyKey: 'pay-9' });
    expect(entries.find((entry) => entry.requestId === 'enforced-1' && entry.kind === 'report')).toMatchObject({ decision: 'ALLOW', policyId: 'reads', idempotencyKey: null });
  });
});

describe('approvals page', () => {
  it('is served with a strict CSP and its script from the same origin', async () => {
    const page = await built.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('<script src="/page.js"></script>');
    expect(page.body).not.toMatch(/https?:\/\//);
    const script = await built.app.inject({ method: 'GET', url: '/page.js' });
    expect(script.headers['content-type']).toMatch(/javascript/);
    // User data is only ever written with textContent.
    expect(script.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});

describe('SSE stream', () => {
  it('sends CONNECTED first, then keep-alive comments', async () => {
    const { createLocalServer } = await import('@haltstate/local');
    const server = await createLocalServer({ policy: POLICY, keepAliveMs: 50 });
    const controller = new AbortController();
    try {
      const response = await fetch(`${server.url}/api/sentinel/approvals/stream?tenant_id=acme`, { headers: { 'x-api-key': acme.apiKey, accept: 'text/event-stream' }, signal: controller.signal });
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes(': keep-alive')) text += (await reader.read()).value ?? '';
      expect(text.indexOf('data: {"type":"CONNECTED"')).toBe(0);
    } finally {
      controller.abort();
      await server.close();
    }
  });
});
