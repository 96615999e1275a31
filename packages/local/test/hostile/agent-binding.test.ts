// An agent is who its key says: a tenant's `agentKeys` (and an `apiKey` with `agents`) bind a
// key to an agent glob, and a bound key acting under another agent id is refused (403) on every
// route that takes one; approval reads and streams show it only its agents' approvals. A
// tenant-wide key (an `apiKey` without `agents`) still acts as any agent, for development.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HaltStateClient } from '@haltstate/core';
import { buildServer, createLocalServer, parsePolicy, type LocalServer, type PolicyInput } from '@haltstate/local';
import { parse } from 'yaml';
import { testKey } from '@test-support/keys';

const keys = { wide: testKey('bind-wide'), admin: testKey('bind-admin'), pay: testKey('bind-pay'), support: testKey('bind-support'), narrowed: testKey('bind-narrowed'), narrowedAdmin: testKey('bind-narrowed-admin') };
const POLICY: PolicyInput = {
  version: 1,
  default: 'DENY',
  tenants: [
    {
      id: 'acme',
      apiKey: keys.wide,
      adminKey: keys.admin,
      agentKeys: [
        { key: keys.pay, agents: 'payment-bot' },
        { key: keys.support, agents: 'support-*' },
      ],
    },
    { id: 'globex', apiKey: keys.narrowed, agents: 'ops-*', adminKey: keys.narrowedAdmin },
  ],
  rules: [
    { id: 'payments', match: { action: 'payment.*', agent: 'payment-bot*' }, decision: 'ALLOW' },
    { id: 'big', match: { action: 'refund.*' }, decision: 'APPROVAL_REQUIRED' },
    { id: 'reads', match: { action: 'read.*' }, decision: 'ALLOW' },
  ],
};

let server: LocalServer;
beforeAll(async () => {
  server = await createLocalServer({ policy: POLICY });
});
afterAll(() => server.close());

const call = async (method: 'GET' | 'POST', path: string, key: string, body?: object) => {
  const response = await fetch(`${server.url}/api/sentinel${path}`, { method, headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const check = (key: string, agent: string, action = 'payment.process') => call('POST', '/action/check', key, { agent_id: agent, action, params: {} });

describe('keys bound to agents', () => {
  it('after KILL on payment-bot, its key calling itself payment-bot-2 is refused, without listing the ids it may use', async () => {
    const stop = await fetch(`${server.url}/local/agents/payment-bot/status`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.admin}` }, body: JSON.stringify({ status: 'KILL' }) });
    expect(stop.status).toBe(200);
    try {
      expect((await check(keys.pay, 'payment-bot')).body).toMatchObject({ decision: 'DENY' });
      const renamed = await check(keys.pay, 'payment-bot-2');
      expect(renamed).toEqual({ status: 403, body: { detail: 'This API key is not allowed to act as agent "payment-bot-2"' } });
      const guard = await call('POST', '/action/guard', keys.pay, { agent_id: 'payment-bot-2', action: 'payment.process', params: {}, idempotency_key: 'renamed-1', tenant_id: 'acme' });
      expect(guard.status).toBe(403);
    } finally {
      await fetch(`${server.url}/local/agents/payment-bot/status`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.admin}` }, body: JSON.stringify({ status: 'OK' }) });
    }
  });

  it('a glob-bound key acts as every agent its glob matches, and as no other', async () => {
    expect((await check(keys.support, 'support-1', 'read.x')).status).toBe(200);
    expect((await check(keys.support, 'support-eu-2', 'read.x')).status).toBe(200);
    expect((await check(keys.support, 'payment-bot', 'payment.process')).status).toBe(403);
    // A check without agent_id is agent "default": not a support agent either.
    expect((await call('POST', '/action/check', keys.support, { action: 'read.x' })).status).toBe(403);
  });

  it('reports, guard reports and the heartbeat follow the same rule', async () => {
    expect((await call('POST', '/action/report', keys.pay, { request_id: 'r-1', agent_id: 'support-1', action: 'read.x', status: 'success', decision: 'ALLOW', policy_id: 'reads', result: null })).status).toBe(403);
    expect((await call('POST', '/action/guard/report', keys.pay, { idempotency_key: 'k', agent_id: 'support-1', action: 'read.x', outcome: 'success', error: null })).status).toBe(403);
    expect((await call('GET', '/heartbeat?agent_id=payment-bot', keys.pay)).body).toEqual({ status: 'OK' });
    expect((await call('GET', '/heartbeat?agent_id=support-1', keys.pay)).status).toBe(403);
  });

  it("approval reads and the since list show a bound key only its agents' approvals", async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const opened = await call('POST', '/action/guard', keys.support, { agent_id: 'support-1', action: 'refund.issue', params: { order: 7 }, idempotency_key: 'refund-7', tenant_id: 'acme' });
    const approvalId = opened.body.approval_id as string;
    expect(opened.body).toMatchObject({ status: 'pending' });
    expect((await call('GET', `/approval/${approvalId}`, keys.support)).status).toBe(200);
    expect(await call('GET', `/approval/${approvalId}`, keys.pay)).toEqual({ status: 404, body: { detail: 'Approval not found' } });
    expect((await call('GET', `/approval/${approvalId}`, keys.wide)).status).toBe(200);
    server.store.decide('acme', approvalId, 'approved', 'alice', null);
    const ids = async (key: string) => ((await call('GET', `/approvals/since?since=${encodeURIComponent(since)}`, key)).body.decisions as Array<{ request_id: string }>).map((decision) => decision.request_id);
    expect(await ids(keys.support)).toContain(approvalId);
    expect(await ids(keys.wide)).toContain(approvalId);
    expect(await ids(keys.pay)).not.toContain(approvalId);
  });

  it("the approval stream shows a bound key only its agents' decisions", async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const decided = async (key: string, agent: string, order: number) => {
      const opened = await call('POST', '/action/guard', key, { agent_id: agent, action: 'refund.issue', params: { order }, idempotency_key: `refund-${order}`, tenant_id: 'acme' });
      server.store.decide('acme', opened.body.approval_id as string, 'rejected', 'alice', 'no');
      return opened.body.approval_id as string;
    };
    const support = await decided(keys.support, 'support-2', 8);
    const payment = await decided(keys.pay, 'payment-bot', 9);
    // The catch-up from `since` replays the decisions in order; `until` (decided last) ends the read.
    const streamed = async (key: string, until: string) => {
      const client = new HaltStateClient({ baseUrl: server.url, tenantId: 'acme', apiKey: key, retries: 0 });
      const ids: string[] = [];
      try {
        for await (const event of client.approvals({ lastSeen: since })) {
          ids.push(event.approvalId);
          if (event.approvalId === until || ids.length >= 20) break;
        }
      } finally {
        await client.close();
      }
      return ids;
    };
    const forPay = await streamed(keys.pay, payment);
    expect(forPay).toContain(payment);
    expect(forPay).not.toContain(support);
    expect(await streamed(keys.wide, payment)).toEqual(expect.arrayContaining([support, payment]));
  });

  it('a tenant-wide key acts as any agent; an apiKey with `agents` is bound like an agent key', async () => {
    expect((await check(keys.wide, 'payment-bot-2')).status).toBe(200);
    expect((await check(keys.wide, 'anything-at-all', 'read.x')).status).toBe(200);
    expect((await check(keys.narrowed, 'ops-1', 'read.x')).status).toBe(200);
    expect((await check(keys.narrowed, 'payment-bot', 'read.x')).status).toBe(403);
  });

  it('an agent key that is another key of the policy is a policy error, located', () => {
    expect(() => parsePolicy({ tenants: [{ id: 'a', apiKey: keys.wide, adminKey: keys.admin, agentKeys: [{ key: keys.admin, agents: 'x' }] }] }, 'policy.yaml')).toThrow(
      'policy.yaml: tenants[0].agentKeys[0].key: key is already used by another tenant, role or agent key',
    );
    expect(() => parsePolicy({ tenants: [{ id: 'a', apiKey: keys.wide, adminKey: keys.admin, agentKeys: [{ key: keys.pay, agents: '' }] }] })).toThrow(/tenants\[0\]\.agentKeys\[0\]\.agents: agents is a glob/);
  });

  it('an agent key cannot use admin routes', async () => {
    const response = await fetch(`${server.url}/local/approvals`, { headers: { authorization: `Bearer ${keys.pay}` } });
    expect(response.status).toBe(403);
  });
});

describe('docs/security.md', () => {
  // Every policy sample in the doc (a yaml block that starts `version: 1`) loads and does what it says.
  const samples = [...readFileSync(join(__dirname, '../../../../docs/security.md'), 'utf8').matchAll(/```yaml\n(version: 1\n[\s\S]*?)```/g)].map((match) => match[1]!);

  it('has a key sample, and it binds keys as the table says', async () => {
    expect(samples).toHaveLength(1);
    const built = buildServer({ policy: parsePolicy(parse(samples[0]!), 'docs/security.md') });
    const check = async (key: string, agent: string) =>
      (await built.app.inject({ method: 'POST', url: '/api/sentinel/action/check', headers: { 'x-api-key': key }, payload: { agent_id: agent, action: 'read.x' } })).statusCode;
    try {
      expect(await check('hs_local_acme_dev', 'anyone')).toBe(200);
      expect(await check('hs_agent_payments_4c2a', 'payment-bot')).toBe(200);
      expect(await check('hs_agent_payments_4c2a', 'payment-bot-2')).toBe(403);
      expect(await check('hs_agent_support_91fd', 'support-7')).toBe(200);
      expect(await check('hs_local_globex_ops_5e0d', 'ops-1')).toBe(200);
      expect(await check('hs_local_globex_ops_5e0d', 'payment-bot')).toBe(403);
      expect(await check('hs_admin_acme_7b1e', 'anyone')).toBe(403);
    } finally {
      await built.app.close();
    }
  });
});
