// What every Store must do, whatever it runs on: run against SqliteStore by sqlite-store.test.ts,
// and against any later store (PostgreSQL, issue 19) by its own test file. Store-level only: the
// routes' answers are tested through HTTP elsewhere.
import type { Store, StoreOptions, PendingCaps, StoredEvaluation, GuardInput, CheckInput, CheckAnswer } from '../src/server/store/store';
import type { ApprovalRow } from '../src/server/store/types';

/** What a contract test may set on the store it asks for: its clock, the request-id window, the listeners. */
export type StoreContractOptions = Omit<StoreOptions, 'db'>;

/** Makes a new, empty store for one test (the contract closes it). */
export type StoreFactory = (options?: StoreContractOptions) => Promise<Store>;

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const ACME = 'acme';
const CAPS: PendingCaps = { pendingPerTenant: 1000, pendingPerAgent: 1000 };
const NEEDS_HUMAN: StoredEvaluation = { decision: 'APPROVAL_REQUIRED', policyId: 'large-payments', reason: 'Over the automatic limit', ttlMs: 60_000 };
const ALLOWED: StoredEvaluation = { decision: 'ALLOW', policyId: 'small-payments', reason: 'Small', ttlMs: 0 };
const payment = (amount: number): GuardInput => ({ agentId: 'bot-1', action: 'payment.process', params: JSON.stringify({ amount }), metadata: null });
const newApproval = (amount: number, agentId = 'bot-1') => ({ tenantId: ACME, agentId, action: 'payment.process', params: { amount }, metadata: null, policyId: 'large-payments', policyReason: 'Over the automatic limit', ttlMs: 60_000 });
const checkOf = (requestId: string | undefined, bodyDigest = 'digest-1', agentId = 'bot-1'): CheckInput => ({ tenantId: ACME, requestId, bodyDigest, agentId, action: 'payment.process', params: { amount: 5000 } });
const answerOf: CheckAnswer = (evaluation, approval) => ({ decision: evaluation.decision, policy_id: evaluation.policyId, ...(approval ? { approval_id: approval.id } : {}) });

/**
 * Runs the Store contract against `factory`: one new store per test, closed after it.
 *
 * @example
 * describeStoreContract('SqliteStore', async (options) => new SqliteStore(':memory:', options));
 */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} (the Store contract)`, () => {
    let clock = T0;
    const open: Store[] = [];
    const created: ApprovalRow[] = [];
    const decided: ApprovalRow[] = [];
    const make = async (options: StoreContractOptions = {}) => {
      const store = await factory({ now: () => new Date(clock), onCreated: (approval) => created.push(approval), onDecision: (approval) => decided.push(approval), ...options });
      open.push(store);
      return store;
    };
    beforeEach(() => {
      clock = T0;
      created.length = 0;
      decided.length = 0;
    });
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });

    describe('guard', () => {
      it('concurrent first calls with one key make exactly one approval, and every call answers from it', async () => {
        const store = await make();
        const results = await Promise.all(Array.from({ length: 50 }, () => store.guard(ACME, 'key-1', payment(5000), NEEDS_HUMAN, CAPS)));
        const approvals = await store.listApprovals(ACME);
        expect(approvals).toHaveLength(1);
        expect(results.filter((result) => result.kind === 'ok' && result.created)).toHaveLength(1);
        expect(new Set(results.map((result) => (result.kind === 'ok' ? result.approval?.id : result.kind)))).toEqual(new Set([approvals[0]!.id]));
        expect(created.map((approval) => approval.id)).toEqual([approvals[0]!.id]);
      });

      it('a key used again for other params, agent or action is a conflict and writes nothing', async () => {
        const store = await make();
        await store.guard(ACME, 'key-1', payment(5000), NEEDS_HUMAN, CAPS);
        expect(await store.guard(ACME, 'key-1', payment(5001), NEEDS_HUMAN, CAPS)).toEqual({ kind: 'conflict' });
        expect(await store.guard(ACME, 'key-1', { ...payment(5000), agentId: 'bot-2' }, NEEDS_HUMAN, CAPS)).toEqual({ kind: 'conflict' });
        expect(await store.listApprovals(ACME)).toHaveLength(1);
      });

      it('keys are per tenant: the same key in another tenant is its own guard', async () => {
        const store = await make();
        await store.guard(ACME, 'key-1', payment(5000), NEEDS_HUMAN, CAPS);
        expect(await store.guard('globex', 'key-1', payment(9), NEEDS_HUMAN, CAPS)).toMatchObject({ kind: 'ok', created: true });
      });

      it('a guard report is refused before a permit, then records the outcome and uses an approved approval up', async () => {
        const store = await make();
        const first = await store.guard(ACME, 'key-1', payment(5000), NEEDS_HUMAN, CAPS);
        if (first.kind !== 'ok') throw new Error(first.kind);
        const outcome = { agentId: 'bot-1', action: 'payment.process', outcome: 'success' as const, error: null };
        expect(await store.guardReport(ACME, 'key-1', outcome)).toEqual({ kind: 'not_permitted', state: null });
        expect(await store.guardReport(ACME, 'nope', outcome)).toEqual({ kind: 'not_found' });
        await store.decide(ACME, first.approval!.id, 'approved', 'alice', null);
        const again = await store.guard(ACME, 'key-1', payment(5000), NEEDS_HUMAN, CAPS);
        if (again.kind !== 'ok') throw new Error(again.kind);
        await store.noteGuardState(ACME, again.guard, { status: 'approved', policyId: 'large-payments', reason: null, approver: 'alice' });
        expect(await store.unreportedPermits(ACME)).toEqual([expect.objectContaining({ idempotencyKey: 'key-1' })]);
        expect(await store.guardReport(ACME, 'key-1', { ...outcome, action: 'other' })).toEqual({ kind: 'mismatch' });
        const reported = await store.guardReport(ACME, 'key-1', outcome);
        expect(reported).toMatchObject({ kind: 'ok', guard: { executedAt: expect.any(String) } });
        expect(await store.unreportedPermits(ACME)).toEqual([]);
        expect((await store.auditTrail(ACME)).filter((entry) => entry.kind === 'approval_executed')).toHaveLength(1);
      });
    });

    describe('decide', () => {
      it('deciding twice is a conflict that names the first decision; another tenant\'s id is not found', async () => {
        const store = await make();
        const approval = await store.createApproval(newApproval(5000));
        expect(await store.decide(ACME, approval.id, 'approved', 'alice', null)).toMatchObject({ ok: true, approval: { status: 'approved', approver: 'alice' } });
        expect(await store.decide(ACME, approval.id, 'rejected', 'bob', 'no')).toMatchObject({ ok: false, error: 'conflict', approval: { status: 'approved', approver: 'alice' } });
        expect(await store.decide('globex', approval.id, 'approved', 'alice', null)).toEqual({ ok: false, error: 'not_found' });
        expect(decided.map((row) => row.status)).toEqual(['approved']);
      });

      it('two concurrent decisions on one approval: exactly one wins', async () => {
        const store = await make();
        const approval = await store.createApproval(newApproval(5000));
        const results = await Promise.all([store.decide(ACME, approval.id, 'approved', 'alice', null), store.decide(ACME, approval.id, 'rejected', 'bob', 'no')]);
        expect(results.filter((result) => result.ok)).toHaveLength(1);
        expect((await store.getApproval(ACME, approval.id))?.status).toBe(results.find((result) => result.ok)!.approval!.status);
      });

      it('decisionsSince lists decisions after a time, oldest first, each strictly after the last', async () => {
        const store = await make();
        const [a, b, c] = [await store.createApproval(newApproval(1)), await store.createApproval(newApproval(2)), await store.createApproval(newApproval(3))];
        const since = new Date(clock - 1).toISOString();
        for (const approval of [b!, a!]) await store.decide(ACME, approval.id, 'approved', 'alice', null);
        const decisions = await store.decisionsSince(ACME, since, 10);
        expect(decisions.map((row) => row.id)).toEqual([b!.id, a!.id]);
        expect(Date.parse(decisions[1]!.decidedAt!)).toBeGreaterThan(Date.parse(decisions[0]!.decidedAt!));
        expect((await store.decisionsSince(ACME, decisions[0]!.decidedAt!, 10)).map((row) => row.id)).toEqual([a!.id]);
        expect(await store.decisionsSince('globex', since, 10)).toEqual([]);
        expect((await store.getApproval(ACME, c!.id))?.status).toBe('pending');
      });
    });

    describe('expiry', () => {
      it('past its ttl an approval is expired on every read, even before a sweep, and can no longer be decided', async () => {
        const store = await make();
        const approval = await store.createApproval(newApproval(5000));
        clock += 60_000;
        expect(await store.decide(ACME, approval.id, 'approved', 'alice', null)).toMatchObject({ ok: false, error: 'conflict', approval: { status: 'expired' } });
        expect((await store.getApproval(ACME, approval.id))?.status).toBe('expired');
        expect(decided).toEqual([expect.objectContaining({ id: approval.id, status: 'expired' })]);
        expect(await store.expireDue()).toEqual([]);
      });

      it('the sweep expires what is due, once, and a guard on the key then answers from the expired approval', async () => {
        const store = await make();
        const first = await store.guard(ACME, 'key-1', payment(5000), NEEDS_HUMAN, CAPS);
        await store.createApproval(newApproval(2));
        clock += 59_999;
        expect(await store.expireDue()).toEqual([]);
        clock += 1;
        const expired = await store.expireDue();
        expect(expired.map((row) => row.status)).toEqual(['expired', 'expired']);
        expect(await store.expireDue()).toEqual([]);
        expect(await store.listApprovals(ACME, 'pending')).toEqual([]);
        expect(await store.guard(ACME, 'key-1', payment(5000), NEEDS_HUMAN, CAPS)).toMatchObject({ kind: 'ok', created: false, approval: { id: first.kind === 'ok' ? first.approval!.id : '', status: 'expired' } });
      });
    });

    describe('paging', () => {
      it('approvals page in insertion order; a row added while paging comes after every cursor handed out', async () => {
        const store = await make();
        const ids: string[] = [];
        for (let amount = 0; amount < 5; amount++) ids.push((await store.createApproval(newApproval(amount))).id);
        const first = await store.approvalsPage(ACME, { limit: 2 });
        expect(first.rows.map((row) => row.id)).toEqual(ids.slice(0, 2));
        ids.push((await store.createApproval(newApproval(99))).id);
        const seen = [...first.rows];
        for (let after = first.next, pages = 0; after !== null && pages < 10; pages++) {
          const page = await store.approvalsPage(ACME, { limit: 2, after });
          seen.push(...page.rows);
          after = page.next;
        }
        expect(seen.map((row) => row.id)).toEqual(ids);
        await store.decide(ACME, ids[1]!, 'rejected', 'alice', null);
        expect((await store.approvalsPage(ACME, { limit: 10, status: 'rejected' })).rows.map((row) => row.id)).toEqual([ids[1]]);
        expect(await store.approvalsPage('globex', { limit: 10 })).toEqual({ rows: [], next: null });
      });

      it('the audit trail pages oldest first and ends with next null', async () => {
        const store = await make();
        for (let i = 0; i < 5; i++) await store.setAgentStatus(ACME, `bot-${i}`, 'KILL');
        const trail = await store.auditTrail(ACME);
        expect(trail.map((entry) => entry.agentId)).toEqual(['bot-0', 'bot-1', 'bot-2', 'bot-3', 'bot-4']);
        const one = await store.auditPage(ACME, { limit: 3 });
        const two = await store.auditPage(ACME, { limit: 3, after: one.next! });
        expect([...one.rows, ...two.rows]).toEqual(trail);
        expect(two.next).toBeNull();
      });
    });

    describe('checks and request ids', () => {
      it('a repeat of a request id gets the first answer; the same id with another body is a conflict', async () => {
        const store = await make();
        const first = await store.checkOnce(checkOf('r-1'), NEEDS_HUMAN, answerOf, CAPS);
        expect(first).toMatchObject({ kind: 'first', answer: { decision: 'APPROVAL_REQUIRED', approval_id: expect.any(String) } });
        expect(await store.checkOnce(checkOf('r-1'), ALLOWED, answerOf, CAPS)).toEqual({ kind: 'repeat', answer: first.kind === 'first' ? first.answer : {} });
        expect(await store.checkOnce(checkOf('r-1', 'digest-2'), NEEDS_HUMAN, answerOf, CAPS)).toEqual({ kind: 'conflict' });
        expect(await store.listApprovals(ACME)).toHaveLength(1);
        expect(created).toHaveLength(1);
      });

      it('concurrent checks with one request id open one approval', async () => {
        const store = await make();
        const results = await Promise.all(Array.from({ length: 20 }, () => store.checkOnce(checkOf('r-1'), NEEDS_HUMAN, answerOf, CAPS)));
        expect(results.filter((result) => result.kind === 'first')).toHaveLength(1);
        expect(await store.listApprovals(ACME)).toHaveLength(1);
      });

      it('a request id is forgotten after its window: the id is new again', async () => {
        const store = await make({ requestIdWindowMs: 60_000 });
        await store.checkOnce(checkOf('r-1'), ALLOWED, answerOf, CAPS);
        clock += 59_000;
        expect(await store.forgetRequestIds()).toBe(0);
        expect((await store.checkOnce(checkOf('r-1'), ALLOWED, answerOf, CAPS)).kind).toBe('repeat');
        clock += 2_000;
        expect(await store.forgetRequestIds()).toBe(1);
        expect((await store.checkOnce(checkOf('r-1', 'digest-2'), ALLOWED, answerOf, CAPS)).kind).toBe('first');
      });

      it('a check without a request id simply runs, every time', async () => {
        const store = await make();
        for (let i = 0; i < 2; i++) expect((await store.checkOnce(checkOf(undefined), ALLOWED, answerOf, CAPS)).kind).toBe('first');
        expect((await store.auditTrail(ACME)).filter((entry) => entry.kind === 'check')).toHaveLength(2);
      });
    });

    describe('reports', () => {
      const reportOf = (requestId: string, fields: Partial<{ agentId: string; decision: 'ALLOW' | 'DENY'; policyId: string | null; result: Record<string, unknown> | null }> = {}) => ({
        tenantId: ACME,
        requestId,
        agentId: 'bot-1',
        action: 'payment.process',
        status: 'success',
        decision: 'ALLOW' as const,
        policyId: 'small-payments',
        result: null,
        ...fields,
      });

      it('a report naming a check of this server is verified, once; a retry is accepted and ignored', async () => {
        const store = await make();
        await store.checkOnce(checkOf('r-1'), ALLOWED, answerOf, CAPS);
        expect(await store.report(reportOf('r-1'))).toEqual({ kind: 'verified' });
        expect(await store.report(reportOf('r-1'))).toEqual({ kind: 'verified' });
        expect((await store.auditTrail(ACME)).filter((entry) => entry.kind === 'report')).toEqual([expect.objectContaining({ requestId: 'r-1', decision: 'ALLOW', policyId: 'small-payments' })]);
      });

      it('a report naming nothing is an unverified claim; one contradicting a decision is a mismatch and writes nothing', async () => {
        const store = await make();
        expect(await store.report(reportOf('never-checked'))).toEqual({ kind: 'unverified' });
        expect((await store.auditTrail(ACME)).filter((entry) => entry.requestId === 'never-checked')).toEqual([expect.objectContaining({ kind: 'unverified_report', decision: null })]);
        await store.checkOnce(checkOf('r-2'), ALLOWED, answerOf, CAPS);
        expect(await store.report(reportOf('r-2', { agentId: 'bot-2' }))).toMatchObject({ kind: 'mismatch' });
        expect(await store.report(reportOf('r-2', { decision: 'DENY' }))).toMatchObject({ kind: 'mismatch' });
        expect((await store.auditTrail(ACME)).filter((entry) => entry.requestId === 'r-2').map((entry) => entry.kind)).toEqual(['check']);
      });

      it('a shadow report naming a guard key is verified with the state the key last answered', async () => {
        const store = await make();
        const result = await store.guard(ACME, 'key-1', payment(5), ALLOWED, CAPS);
        if (result.kind !== 'ok') throw new Error(result.kind);
        await store.noteGuardState(ACME, result.guard, { status: 'allowed', policyId: 'small-payments', reason: null, approver: null });
        expect(await store.report(reportOf('r-3', { result: { shadow: true, idempotency_key: 'key-1' } }))).toEqual({ kind: 'verified' });
        expect((await store.auditTrail(ACME)).filter((entry) => entry.kind === 'shadow_report')).toEqual([expect.objectContaining({ decision: 'allowed', idempotencyKey: 'key-1' })]);
      });
    });

    describe('pending caps', () => {
      it('a guard or check past a pending cap is capped, names the cap and writes nothing', async () => {
        const store = await make();
        const caps: PendingCaps = { pendingPerTenant: 3, pendingPerAgent: 2 };
        for (const key of ['k-1', 'k-2']) expect((await store.guard(ACME, key, payment(5000), NEEDS_HUMAN, caps)).kind).toBe('ok');
        expect(await store.guard(ACME, 'k-3', payment(5000), NEEDS_HUMAN, caps)).toEqual({ kind: 'capped', hit: { cap: 'pendingPerAgent', limit: 2 } });
        expect(await store.checkOnce(checkOf('r-1'), NEEDS_HUMAN, answerOf, caps)).toEqual({ kind: 'capped', hit: { cap: 'pendingPerAgent', limit: 2 } });
        expect((await store.auditTrail(ACME)).filter((entry) => entry.requestId === 'r-1' || entry.idempotencyKey === 'k-3')).toEqual([]);
        // A retry of a key that has its approval is never capped.
        expect(await store.guard(ACME, 'k-1', payment(5000), NEEDS_HUMAN, caps)).toMatchObject({ kind: 'ok', created: false });
        expect((await store.guard(ACME, 'k-4', { ...payment(5000), agentId: 'bot-2' }, NEEDS_HUMAN, caps)).kind).toBe('ok');
        expect(await store.guard(ACME, 'k-5', { ...payment(5000), agentId: 'bot-3' }, NEEDS_HUMAN, caps)).toEqual({ kind: 'capped', hit: { cap: 'pendingPerTenant', limit: 3 } });
        const [oldest] = await store.listApprovals(ACME, 'pending');
        await store.decide(ACME, oldest!.id, 'approved', 'alice', null);
        expect(await store.checkOnce(checkOf('r-1'), NEEDS_HUMAN, answerOf, caps)).toMatchObject({ kind: 'first' });
      });

      it('concurrent first calls with one key still make exactly one approval under a cap of one', async () => {
        const store = await make();
        const results = await Promise.all(Array.from({ length: 50 }, () => store.guard(ACME, 'key-1', payment(5000), NEEDS_HUMAN, { pendingPerTenant: 1, pendingPerAgent: 1 })));
        expect(results.every((result) => result.kind === 'ok')).toBe(true);
        expect(await store.listApprovals(ACME)).toHaveLength(1);
      });
    });

    describe('agents', () => {
      it('an agent is OK until set otherwise; each change is audited', async () => {
        const store = await make();
        expect(await store.agentStatus(ACME, 'bot-1')).toBe('OK');
        await store.setAgentStatus(ACME, 'bot-1', 'KILL');
        expect(await store.agentStatus(ACME, 'bot-1')).toBe('KILL');
        expect(await store.agentStatus('globex', 'bot-1')).toBe('OK');
        expect((await store.auditTrail(ACME)).map((entry) => [entry.kind, entry.decision])).toEqual([['agent_status', 'KILL']]);
      });
    });
  });
}
