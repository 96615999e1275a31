// What a guard key answers over its life: one approval authorizes one execution, and policy
// decisions (a rule, the default, the kill switch) are evaluated afresh on every call — only a
// human's decision is bound to the key. Plain HTTP (inject): this is the server's wire behaviour.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KILL_SWITCH_POLICY_ID } from '@haltstate/core';
import { buildServer, type BuiltServer, type LocalServerOptions } from '@haltstate/local';
import { main } from '../src/cli/index';
import { POLICY, TENANTS, uniqueKey } from './helpers/server';

const acme = TENANTS[0]!;
const agentHeaders = { 'x-tenant-id': acme.id, 'x-api-key': acme.apiKey };
const adminHeaders = { 'x-tenant-id': acme.id, authorization: `Bearer ${acme.adminKey}` };
const quiet = { out: () => undefined, err: () => undefined, env: {} };

const dir = mkdtempSync(join(tmpdir(), 'haltstate-guard-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type GuardAnswer = { status: string; approval_id: string | null; policy_id?: string | null; reason?: string | null; executed_at?: string; approver?: string | null };

function api(built: BuiltServer) {
  return {
    async guard(key: string, action = 'payment.process', params: Record<string, unknown> = { amount: 5000 }, agent = 'payment-bot-1'): Promise<GuardAnswer> {
      const response = await built.app.inject({ method: 'POST', url: '/api/sentinel/action/guard', headers: agentHeaders, payload: { agent_id: agent, action, params, idempotency_key: key, tenant_id: 'acme' } });
      expect(response.statusCode).toBe(200);
      return response.json() as GuardAnswer;
    },
    async report(key: string, outcome: 'success' | 'error', action = 'payment.process', agent = 'payment-bot-1', status = 200): Promise<void> {
      const response = await built.app.inject({ method: 'POST', url: '/api/sentinel/action/guard/report', headers: agentHeaders, payload: { idempotency_key: key, action, agent_id: agent, outcome, error: outcome === 'error' ? 'card declined' : null } });
      expect(response.statusCode).toBe(status);
    },
    async decide(approvalId: string, verb: 'approve' | 'reject'): Promise<void> {
      const response = await built.app.inject({ method: 'POST', url: `/local/approvals/${approvalId}/${verb}`, headers: adminHeaders, payload: { approver: 'alice', reason: 'because' } });
      expect(response.statusCode).toBe(200);
    },
    async setStatus(agent: string, status: 'OK' | 'KILL'): Promise<void> {
      expect((await built.app.inject({ method: 'PUT', url: `/local/agents/${agent}/status`, headers: adminHeaders, payload: { status } })).statusCode).toBe(200);
    },
    async audit(key: string): Promise<Array<[string, string | null]>> {
      const entries = (await built.app.inject({ method: 'GET', url: '/local/audit', headers: adminHeaders })).json() as Array<{ kind: string; decision: string | null; outcome: string | null; idempotencyKey: string | null }>;
      return entries.filter((entry) => entry.idempotencyKey === key).map((entry) => [entry.kind, entry.decision ?? entry.outcome]);
    },
  };
}

async function withServer<T>(options: LocalServerOptions, run: (built: BuiltServer) => Promise<T>): Promise<T> {
  const built = buildServer({ policy: POLICY, ...options });
  try {
    return await run(built);
  } finally {
    await built.app.close();
  }
}

/** A key that is pending, then approved by a human. */
async function approvedKey(call: ReturnType<typeof api>): Promise<[string, string]> {
  const key = uniqueKey('approved');
  const pending = await call.guard(key);
  expect(pending.status).toBe('pending');
  await call.decide(pending.approval_id!, 'approve');
  expect(await call.guard(key)).toMatchObject({ status: 'approved', approval_id: pending.approval_id });
  return [key, pending.approval_id!];
}

describe('one approval authorizes one execution', () => {
  it.each(['success', 'error'] as const)('after a %s report, the approved key answers executed, never approved again', (outcome) =>
    withServer({}, async (built) => {
      const call = api(built);
      const [key, approvalId] = await approvedKey(call);
      await call.report(key, outcome);
      for (let i = 0; i < 2; i++) {
        expect(await call.guard(key)).toEqual({ status: 'executed', approval_id: approvalId, executed_at: expect.any(String), reason: 'Already executed on this approval', policy_id: 'large-payments' });
      }
      expect(await call.audit(key)).toEqual([
        ['approval_requested', 'APPROVAL_REQUIRED'],
        ['guard', 'pending'],
        ['approval_decided', 'approved'],
        ['guard', 'approved'],
        ['guard_report', outcome],
        ['approval_executed', 'executed'],
        ['guard', 'executed'],
      ]);
    }),
  );

  it('stays executed across a restart on a file database', async () => {
    const db = join(dir, 'executed.db');
    const [key, approvalId] = await withServer({ db }, async (built) => {
      const call = api(built);
      const [key, approvalId] = await approvedKey(call);
      await call.report(key, 'success');
      return [key, approvalId] as const;
    });
    await withServer({ db }, async (built) => {
      expect(await api(built).guard(key)).toMatchObject({ status: 'executed', approval_id: approvalId });
    });
  });

  it('a report while the approval is still pending is refused (409) and does not use it up', () =>
    withServer({}, async (built) => {
      const call = api(built);
      const key = uniqueKey('early');
      const pending = await call.guard(key);
      await call.report(key, 'success', 'payment.process', 'payment-bot-1', 409);
      await call.decide(pending.approval_id!, 'approve');
      expect(await call.guard(key)).toMatchObject({ status: 'approved' });
    }),
  );

  it('a rejection stays final for its key, and a report of success on it is refused (409)', () =>
    withServer({}, async (built) => {
      const call = api(built);
      const key = uniqueKey('rejected');
      const pending = await call.guard(key);
      await call.decide(pending.approval_id!, 'reject');
      expect(await call.guard(key)).toMatchObject({ status: 'denied' });
      await call.report(key, 'success', 'payment.process', 'payment-bot-1', 409);
      expect(await call.guard(key)).toMatchObject({ status: 'denied', approval_id: pending.approval_id, approver: 'alice' });
    }),
  );

  it('an expiry stays final for its key', async () => {
    let now = Date.parse('2026-03-01T12:00:00Z');
    await withServer({ now: () => new Date(now) }, async (built) => {
      const call = api(built);
      const key = uniqueKey('expired');
      const pending = await call.guard(key, 'flash.sale', {});
      now += 5000;
      expect(await call.guard(key, 'flash.sale', {})).toMatchObject({ status: 'expired', approval_id: pending.approval_id });
      await call.report(key, 'success', 'flash.sale', 'payment-bot-1', 409);
      expect(await call.guard(key, 'flash.sale', {})).toMatchObject({ status: 'expired' });
    });
  });

  it('an allowed key (policy ALLOW, no human) is not used up by its report', () =>
    withServer({}, async (built) => {
      const call = api(built);
      const key = uniqueKey('allowed');
      expect(await call.guard(key, 'read.data', {})).toMatchObject({ status: 'allowed' });
      await call.report(key, 'success', 'read.data');
      expect(await call.guard(key, 'read.data', {})).toMatchObject({ status: 'allowed', approval_id: null });
    }),
  );
});

describe('policy decisions are evaluated afresh on every guard call', () => {
  it('a denial by the default outlives neither a policy edit nor a restart (file DB)', async () => {
    const db = join(dir, 'fresh.db');
    const policy = join(dir, 'policy.yaml');
    const tenants = `tenants:\n  - { id: acme, apiKey: ${acme.apiKey}, adminKey: ${acme.adminKey} }\n`;
    writeFileSync(policy, `version: 1\ndefault: DENY\n${tenants}rules: []\n`);
    const key = uniqueKey('edited');
    await withServer({ db, policy }, async (built) => {
      expect(await api(built).guard(key, 'report.send', {})).toMatchObject({ status: 'denied', policy_id: null, reason: 'No rule matched; default DENY' });
    });
    writeFileSync(policy, `version: 1\ndefault: ALLOW\n${tenants}rules: []\n`);
    await withServer({ db, policy }, async (built) => {
      expect(await api(built).guard(key, 'report.send', {})).toMatchObject({ status: 'allowed', policy_id: null, reason: 'No rule matched; default ALLOW' });
    });
    writeFileSync(policy, `version: 1\n${tenants}rules:\n  - { id: review, match: { action: "report.*" }, decision: APPROVAL_REQUIRED }\n`);
    await withServer({ db, policy }, async (built) => {
      const call = api(built);
      // Now a human must decide; that decision, and only it, is bound to the key from here on.
      const pending = await call.guard(key, 'report.send', {});
      expect(pending).toMatchObject({ status: 'pending', policy_id: 'review', approval_id: expect.any(String) });
      expect(await call.guard(key, 'report.send', {})).toMatchObject({ status: 'pending', approval_id: pending.approval_id });
    });
  });

  it('haltstate kill then resume: the same key works again after resume', () =>
    withServer({}, async (built) => {
      await built.app.listen({ port: 0, host: '127.0.0.1' });
      const address = built.app.server.address() as { port: number };
      const connection = ['--url', `http://127.0.0.1:${address.port}`, '--tenant', 'acme', '--admin-key', acme.adminKey];
      const call = api(built);
      const key = uniqueKey('killed');
      expect(await main(['kill', 'kill-bot', ...connection], quiet)).toBe(0);
      expect(await call.guard(key, 'read.data', {}, 'kill-bot')).toMatchObject({ status: 'denied', policy_id: KILL_SWITCH_POLICY_ID });
      expect(await main(['resume', 'kill-bot', ...connection], quiet)).toBe(0);
      expect(await call.guard(key, 'read.data', {}, 'kill-bot')).toMatchObject({ status: 'allowed', policy_id: 'reads' });
    }),
  );

  it('while killed, even an approved key is denied by the kill switch, without using the approval up', () =>
    withServer({}, async (built) => {
      const call = api(built);
      const [key, approvalId] = await approvedKey(call);
      await call.setStatus('payment-bot-1', 'KILL');
      try {
        expect(await call.guard(key)).toMatchObject({ status: 'denied', policy_id: KILL_SWITCH_POLICY_ID, approval_id: approvalId });
        // A new key while killed makes no approval either.
        expect(await call.guard(uniqueKey('new-while-killed'))).toMatchObject({ status: 'denied', policy_id: KILL_SWITCH_POLICY_ID, approval_id: null });
      } finally {
        await call.setStatus('payment-bot-1', 'OK');
      }
      expect(await call.guard(key)).toMatchObject({ status: 'approved', approval_id: approvalId, approver: 'alice' });
    }),
  );
});
