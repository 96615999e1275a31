// An agent cannot flood the approvers: pending approvals are capped per agent and per tenant
// (ServerLimits pendingPerAgent, pendingPerTenant). One more is a 429 that names the cap and its
// setting; a retry of a key that already has an approval still answers from it.
import { buildServer, type BuiltServer } from '@haltstate/local';
import { clientFor, POLICY, startServer, TENANTS, uniqueKey } from '../helpers/server';

const acme = TENANTS[0]!;
const agentHeaders = { 'x-tenant-id': acme.id, 'x-api-key': acme.apiKey };
const adminHeaders = { 'x-tenant-id': acme.id, authorization: `Bearer ${acme.adminKey}` };

let built: BuiltServer;
beforeEach(() => {
  built = buildServer({ policy: POLICY, limits: { pendingPerAgent: 3, pendingPerTenant: 5 } });
});
afterEach(() => built.app.close());

const guard = (key: string, agent = 'bot-1', amount = 5000) =>
  built.app.inject({ method: 'POST', url: '/api/sentinel/action/guard', headers: agentHeaders, payload: { agent_id: agent, action: 'payment.process', params: { amount }, idempotency_key: key, tenant_id: acme.id } });
const check = (agent = 'bot-1', requestId?: string) =>
  built.app.inject({ method: 'POST', url: '/api/sentinel/action/check', headers: { ...agentHeaders, ...(requestId ? { 'x-request-id': requestId } : {}) }, payload: { agent_id: agent, action: 'payment.process', params: { amount: 5000 } } });
const pending = async () => (await built.store.listApprovals(acme.id, 'pending')).length;

describe('pending approval caps', () => {
  it('a flood of guard calls with new keys opens at most pendingPerAgent approvals; the rest are 429s naming the cap', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await guard(uniqueKey('flood'))).statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(17);
    expect(await pending()).toBe(3);
    const refused = await guard(uniqueKey('flood'));
    expect(refused.json()).toEqual({
      detail: 'Too many pending approvals: agent "bot-1" already has 3 waiting for a human (server limit pendingPerAgent); no new approval is opened until some are decided or expire',
    });
  });

  it('a retry of a key that already has an approval still answers from it (not a new approval)', async () => {
    const keys = [uniqueKey('held'), uniqueKey('held'), uniqueKey('held')];
    const first = await Promise.all(keys.map(async (key) => (await guard(key)).json() as { status: string; approval_id: string }));
    expect((await guard(uniqueKey('held'))).statusCode).toBe(429);
    for (const [index, key] of keys.entries()) {
      const again = await guard(key);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ status: 'pending', approval_id: first[index]!.approval_id });
    }
    // A key that needs no human is not capped.
    expect((await guard(uniqueKey('small'), 'payment-bot-1', 10)).statusCode).toBe(200);
  });

  it('the tenant cap holds across agents, and names its setting', async () => {
    for (const agent of ['bot-1', 'bot-1', 'bot-1', 'bot-2', 'bot-2']) expect((await guard(uniqueKey('t'), agent)).statusCode).toBe(200);
    const refused = await guard(uniqueKey('t'), 'bot-3');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().detail).toBe('Too many pending approvals: tenant "acme" already has 5 waiting for a human (server limit pendingPerTenant); no new approval is opened until some are decided or expire');
    expect(await pending()).toBe(5);
  });

  it('a decision frees a slot', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await guard(uniqueKey('free'))).json() as { approval_id: string });
    expect((await guard(uniqueKey('free'))).statusCode).toBe(429);
    const decided = await built.app.inject({ method: 'POST', url: `/local/approvals/${answers[0]!.approval_id}/reject`, headers: adminHeaders, payload: { approver: 'alice', reason: 'flood' } });
    expect(decided.statusCode).toBe(200);
    expect((await guard(uniqueKey('free'))).statusCode).toBe(200);
  });

  it('checks that need a human are capped too, and a capped check is not remembered (its retry asks again)', async () => {
    for (let i = 0; i < 3; i++) expect((await check()).json()).toMatchObject({ decision: 'APPROVAL_REQUIRED' });
    const id = uniqueKey('capped-check');
    const refused = await check('bot-1', id);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().detail).toMatch(/server limit pendingPerAgent/);
    expect((await built.store.auditTrail(acme.id)).filter((entry) => entry.requestId === id)).toEqual([]);
    const [oldest] = await built.store.listApprovals(acme.id, 'pending');
    await built.store.decide(acme.id, oldest!.id, 'approved', 'alice', null);
    expect((await check('bot-1', id)).json()).toMatchObject({ decision: 'APPROVAL_REQUIRED', approval_id: expect.any(String) });
  });

  it('50 concurrent first calls with one key still make exactly one approval under a cap of one', async () => {
    await built.app.close();
    built = buildServer({ policy: POLICY, limits: { pendingPerAgent: 1 } });
    const key = uniqueKey('race');
    const answers = await Promise.all(Array.from({ length: 50 }, () => guard(key)));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((answer) => (answer.json() as { approval_id: string }).approval_id)).size).toBe(1);
    expect(await pending()).toBe(1);
  });
});

it("core's guard meets a full cap as a HaltStateRateLimitError carrying the server's detail, and runs nothing", async () => {
  const server = await startServer({ limits: { pendingPerAgent: 1 } });
  const client = clientFor(server, acme, { retries: 0 });
  try {
    const first = client.guard({ action: 'payment.process', params: { amount: 5000 }, idempotencyKey: uniqueKey('core-cap') }, async () => 'ran');
    await expect(first).rejects.toMatchObject({ name: 'ApprovalPending' });
    let ran = false;
    const second = client.guard({ action: 'payment.process', params: { amount: 5000 }, idempotencyKey: uniqueKey('core-cap') }, async () => (ran = true));
    await expect(second).rejects.toMatchObject({ code: 'HALTSTATE_RATE_LIMITED', message: expect.stringContaining('server limit pendingPerAgent') });
    expect(ran).toBe(false);
  } finally {
    await client.close();
    await server.close();
  }
});
