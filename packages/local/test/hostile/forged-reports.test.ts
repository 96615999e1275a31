// Nobody writes the record but the server: a report must name a decision this server made for
// the same tenant, agent and action — the check's request id (core sends it as X-Request-Id and
// echoes it in the report) or, for a shadow guard run, the guard key. A report that names none is
// kept as the agent's unverified claim (202, audit kind `unverified_report`, no decision, no
// policy); one that contradicts a decision is refused (409). A guard report needs the key's own
// agent and action, and a key the server let through.
import type { AuditEntry, LocalServer } from '@haltstate/local';
import { clientFor, startServer, TENANTS, uniqueKey } from '../helpers/server';

const acme = TENANTS[0]!;
const headers = { 'content-type': 'application/json', 'x-tenant-id': acme.id, 'x-api-key': acme.apiKey };

let server: LocalServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const post = async (path: string, body: object, extra: Record<string, string> = {}) => {
  const response = await fetch(`${server.url}/api/sentinel${path}`, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const report = (fields: Partial<Record<'request_id' | 'agent_id' | 'action' | 'decision' | 'policy_id', string | null>> & { result?: object | null }) =>
  post('/action/report', { request_id: uniqueKey('forged'), agent_id: 'payment-bot-1', action: 'payment.process', status: 'success', decision: 'ALLOW', policy_id: 'small-payments', result: null, ...fields });
const audit = async (predicate: (entry: AuditEntry) => boolean) => (await server.store.auditTrail(acme.id)).filter(predicate);

describe('reports of checked actions', () => {
  it('a report for an action that was never checked is recorded as an unverified claim, never as "ALLOW, small-payments"', async () => {
    const id = uniqueKey('never-checked');
    const answer = await report({ request_id: id });
    expect(answer).toEqual({ status: 202, body: { ok: true, verified: false, detail: `No decision of this server has request_id "${id}": recorded as the agent's unverified claim, not as a decision` } });
    expect(await audit((entry) => entry.requestId === id)).toEqual([
      expect.objectContaining({ kind: 'unverified_report', decision: null, policyId: null, agentId: 'payment-bot-1', action: 'payment.process', outcome: 'success' }),
    ]);
  });

  it('a report naming a real check for another agent or action, or another decision, is refused (409) and not recorded', async () => {
    const id = uniqueKey('real');
    expect((await post('/action/check', { agent_id: 'payment-bot-1', action: 'database.drop', params: {} }, { 'x-request-id': id })).body).toMatchObject({ decision: 'DENY', policy_id: 'no-drops' });
    for (const forged of [
      { agent_id: 'payment-bot-2', action: 'database.drop', decision: 'DENY', policy_id: 'no-drops' },
      { agent_id: 'payment-bot-1', action: 'payment.process', decision: 'DENY', policy_id: 'no-drops' },
      { agent_id: 'payment-bot-1', action: 'database.drop', decision: 'ALLOW', policy_id: 'small-payments' },
      { agent_id: 'payment-bot-1', action: 'database.drop', decision: 'DENY', policy_id: null },
    ]) {
      const answer = await report({ request_id: id, ...forged });
      expect(answer.status).toBe(409);
      expect(answer.body.detail).toMatch(/^Report refused: request_id ".+"/);
    }
    expect((await audit((entry) => entry.requestId === id)).map((entry) => entry.kind)).toEqual(['check']);
    // The true report still goes in after the refused ones, with the server's decision.
    expect((await report({ request_id: id, action: 'database.drop', decision: 'DENY', policy_id: 'no-drops' })).status).toBe(200);
    expect(await audit((entry) => entry.requestId === id && entry.kind === 'report')).toEqual([expect.objectContaining({ decision: 'DENY', policyId: 'no-drops' })]);
  });

  it("core's check → report flow is verified: the audit line carries the server's decision", async () => {
    const client = clientFor(server);
    try {
      const decision = await client.check({ action: 'payment.process', params: { amount: 10, currency: 'USD' } });
      expect(decision).toMatchObject({ decision: 'ALLOW', policyId: 'small-payments' });
      await client.report(decision, { status: 'success', result: { transactionId: 'tx_1' } });
      expect(await client.flush()).toMatchObject({ ok: true, delivered: 1 });
      expect((await audit((entry) => entry.requestId === decision.requestId)).map((entry) => [entry.kind, entry.decision, entry.policyId])).toEqual([
        ['check', 'ALLOW', 'small-payments'],
        ['report', 'ALLOW', 'small-payments'],
      ]);
    } finally {
      await client.close();
    }
  });

  it("core's fail-open report (the server never decided) is delivered and kept as unverified", async () => {
    // A check no server answered: fail-open made it up. Its report lands later, unverified.
    const client = clientFor(server);
    try {
      const decision = { decision: 'ALLOW' as const, allowed: true, denied: false, requiresApproval: false, reason: 'Fail-open: connection error', policyId: null, latencyMs: 0, approvalId: null, requestId: uniqueKey('fail-open'), failOpen: true, action: 'payment.process', agentId: 'payment-bot-1' };
      await client.report(decision, { status: 'success' });
      expect(await client.flush()).toMatchObject({ ok: true, delivered: 1 });
      expect(await audit((entry) => entry.requestId === decision.requestId)).toEqual([expect.objectContaining({ kind: 'unverified_report', decision: null })]);
    } finally {
      await client.close();
    }
  });
});

describe('guard reports', () => {
  const guard = (key: string, action = 'payment.process', agent = 'payment-bot-1', amount = 5000) =>
    post('/action/guard', { agent_id: agent, action, params: { amount }, idempotency_key: key, tenant_id: acme.id });
  const guardReport = (key: string, fields: Partial<Record<'agent_id' | 'action' | 'outcome', string>> = {}) =>
    post('/action/guard/report', { idempotency_key: key, action: 'payment.process', agent_id: 'payment-bot-1', outcome: 'success', error: null, ...fields });

  it('a report of success on a DENIED key is refused (409) and never recorded as sent', async () => {
    const key = uniqueKey('denied');
    expect((await guard(key, 'database.drop')).body).toMatchObject({ status: 'denied' });
    const answer = await guardReport(key, { action: 'database.drop' });
    expect(answer).toEqual({ status: 409, body: { detail: `Report refused: this server never let the action of idempotency key "${key}" run (it answered denied)` } });
    expect((await audit((entry) => entry.idempotencyKey === key)).map((entry) => entry.kind)).toEqual(['guard']);
  });

  it('a report naming another agent or action than the key guards is refused (409), without naming the key\'s', async () => {
    const key = uniqueKey('allowed');
    expect((await guard(key, 'read.data')).body).toMatchObject({ status: 'allowed' });
    for (const fields of [{ action: 'payment.process' }, { action: 'read.data', agent_id: 'payment-bot-2' }]) {
      const answer = await guardReport(key, fields);
      expect(answer).toEqual({ status: 409, body: { detail: `Report refused: idempotency key "${key}" guards another agent or action` } });
    }
    expect((await guardReport(key, { action: 'read.data' })).status).toBe(200);
    expect(await audit((entry) => entry.idempotencyKey === key && entry.kind === 'guard_report')).toHaveLength(1);
  });

  it('the 409 for a reused key says only that the key is taken', async () => {
    const key = uniqueKey('taken');
    expect((await guard(key, 'read.data', 'payment-bot-1')).status).toBe(200);
    const reuse = await guard(key, 'database.drop', 'other-bot');
    expect(reuse).toEqual({ status: 409, body: { detail: `Idempotency key "${key}" is already taken; use a new key` } });
  });

  it("core's guard flow reports verified, and a shadow run of a denied call is recorded as shadow_report with the server's state", async () => {
    const client = clientFor(server);
    const shadow = clientFor(server, acme, { mode: 'shadow' });
    try {
      const allowedKey = uniqueKey('core-guard');
      expect(await client.guard({ action: 'read.data', params: {}, idempotencyKey: allowedKey }, async () => 'ran')).toBe('ran');
      const shadowKey = uniqueKey('core-shadow');
      expect(await shadow.guard({ action: 'database.drop', params: {}, idempotencyKey: shadowKey }, async () => 'ran anyway')).toBe('ran anyway');
      expect(await client.flush()).toMatchObject({ ok: true });
      expect(await shadow.flush()).toMatchObject({ ok: true });
      expect((await audit((entry) => entry.idempotencyKey === allowedKey)).map((entry) => entry.kind)).toEqual(['guard', 'guard_report']);
      expect(await audit((entry) => entry.idempotencyKey === shadowKey && entry.kind !== 'guard')).toEqual([expect.objectContaining({ kind: 'shadow_report', decision: 'denied', policyId: 'no-drops' })]);
    } finally {
      await client.close();
      await shadow.close();
    }
  });
});
