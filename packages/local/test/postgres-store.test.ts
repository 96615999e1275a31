// PostgresStore against a real PostgreSQL (issue 19): the Store contract, unchanged, then what
// only a shared database has to get right: several instances (each its own PostgresStore and
// pool, as separate server processes would have) on one database.
import pg from 'pg';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@test-support/postgres';
import { PostgresStore } from '../src/server/store/postgres-store';
import { createStore } from '../src/server/store/create-store';
import { SqliteStore } from '../src/server/store/sqlite-store';
import type { PendingCaps, StoredEvaluation } from '../src/server/store/store';
import type { ApprovalRow } from '../src/server/store/types';
import { describeStoreContract } from './store-contract';

const TABLES = 'approvals, guards, reports, agents, audit, check_requests';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const NEEDS_HUMAN: StoredEvaluation = { decision: 'APPROVAL_REQUIRED', policyId: 'large-payments', reason: 'Over the automatic limit', ttlMs: 60_000 };
const CAPS: PendingCaps = { pendingPerTenant: 1000, pendingPerAgent: 1000 };
const payment = (amount: number) => ({ agentId: 'bot-1', action: 'payment.process', params: JSON.stringify({ amount }), metadata: null });
const newApproval = (amount: number) => ({ tenantId: 'acme', agentId: 'bot-1', action: 'payment.process', params: { amount }, metadata: null, policyId: 'p', policyReason: 'r', ttlMs: 60_000 });

/** Resolves when `predicate` holds, checking on each call of the returned `poke` (event-driven, bounded by the test timeout). */
function until<T>(take: () => T | undefined): { poke: () => void; done: Promise<T> } {
  let resolve!: (value: T) => void;
  const done = new Promise<T>((r) => (resolve = r));
  const poke = () => {
    const value = take();
    if (value !== undefined) resolve(value);
  };
  return { poke, done };
}

describeWithPostgres('PostgresStore', () => {
  let db: TestDatabase;
  let admin: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Migrate once; each contract test then starts from empty tables.
    const first = new PostgresStore(db.url);
    await first.ping();
    await first.close();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  describeStoreContract('PostgresStore', async (options) => {
    await admin.query(`TRUNCATE ${TABLES} RESTART IDENTITY CASCADE`);
    const store = new PostgresStore(db.url, options);
    await store.ping();
    return store;
  });

  describe('createStore', () => {
    it('a postgres:// or postgresql:// URL is a PostgresStore; anything else SQLite', async () => {
      const stores = [createStore({ db: db.url }), createStore({ db: db.url.replace(/^postgres:/, 'postgresql:') }), createStore({ db: ':memory:' })];
      expect(stores.map((store) => store.constructor.name)).toEqual([PostgresStore.name, PostgresStore.name, SqliteStore.name]);
      await Promise.all(stores.map((store) => store.ping()));
      for (const store of stores) await store.close();
      await stores[0]!.close(); // idempotent
      await expect(stores[0]!.ping()).rejects.toThrow('closed');
    });

    it('params round-trip byte for byte, key order and all', async () => {
      const store = new PostgresStore(db.url);
      try {
        const params = { z: 1, a: { y: [3, 'x'], b: null }, 'ü': '\u2028' };
        const created = await store.createApproval({ ...newApproval(1), params });
        const read = await store.getApproval('acme', created.id);
        expect(JSON.stringify(read!.params)).toBe(JSON.stringify(params));
        expect(read!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      } finally {
        await store.close();
      }
    });
  });

  describe('several instances on one database', () => {
    let clock = T0;
    const instances: PostgresStore[] = [];
    const events: Array<{ instance: number; type: 'created' | 'decided'; approval: ApprovalRow }> = [];
    let poke = () => undefined as void;
    const open = async (count: number, options: { caps?: never } = {}) => {
      for (let index = 0; index < count; index++) {
        const store = new PostgresStore(db.url, {
          ...options,
          poolSize: 5,
          now: () => new Date(clock),
          onCreated: (approval) => (events.push({ instance: index, type: 'created', approval }), poke()),
          onDecision: (approval) => (events.push({ instance: index, type: 'decided', approval }), poke()),
        });
        instances.push(store);
      }
      await Promise.all(instances.map(async (store) => (await store.ping(), await store.listening())));
      return instances;
    };
    beforeEach(async () => {
      clock = T0;
      events.length = 0;
      poke = () => undefined;
      await admin.query(`TRUNCATE ${TABLES} RESTART IDENTITY CASCADE`);
    });
    afterEach(async () => {
      for (const store of instances.splice(0)) await store.close();
    });

    it('a database migrated by a newer server is refused, with what to do', async () => {
      const fresh = await createTestDatabase();
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      const store = new PostgresStore(fresh.url);
      try {
        await store.ping();
        await client.query('INSERT INTO haltstate_migrations (version) VALUES (99)');
        const older = new PostgresStore(fresh.url);
        try {
          await expect(older.ping()).rejects.toThrow(/schema is at version 99; this @haltstate\/local knows versions up to \d+\. Run the newer @haltstate\/local/);
        } finally {
          await older.close();
        }
      } finally {
        await client.end();
        await store.close();
        await fresh.drop();
      }
    });

    it('three instances opened at once on an empty database migrate it once, and all work', async () => {
      const fresh = await createTestDatabase();
      const stores = [0, 1, 2].map(() => new PostgresStore(fresh.url));
      try {
        await Promise.all(stores.map((store) => store.ping()));
        const client = new pg.Client({ connectionString: fresh.url });
        await client.connect();
        try {
          expect((await client.query('SELECT version FROM haltstate_migrations ORDER BY version')).rows).toEqual([{ version: 1 }]);
        } finally {
          await client.end();
        }
        await Promise.all(stores.map((store, index) => store.setAgentStatus('acme', `bot-${index}`, 'PAUSE')));
        expect(await stores[0]!.auditTrail('acme')).toHaveLength(3);
      } finally {
        for (const store of stores) await store.close();
        await fresh.drop();
      }
    });

    it('the same guard key at three instances at once makes exactly one approval', async () => {
      const stores = await open(3);
      const results = await Promise.all(Array.from({ length: 30 }, (_, index) => stores[index % 3]!.guard('acme', 'key-1', payment(5000), NEEDS_HUMAN, CAPS)));
      const approvals = await stores[0]!.listApprovals('acme');
      expect(approvals).toHaveLength(1);
      expect(results.filter((result) => result.kind === 'ok' && result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => (result.kind === 'ok' ? result.approval?.id : result.kind)))).toEqual(new Set([approvals[0]!.id]));
    });

    it('the same check request id and report at three instances make one approval and one report', async () => {
      const stores = await open(3);
      const check = { tenantId: 'acme', requestId: 'r-1', bodyDigest: 'd', agentId: 'bot-1', action: 'payment.process', params: { amount: 1 } };
      const answers = await Promise.all(Array.from({ length: 12 }, (_, index) => stores[index % 3]!.checkOnce(check, NEEDS_HUMAN, (evaluation, approval) => ({ decision: evaluation.decision, approval_id: approval?.id }), CAPS)));
      expect(answers.filter((answer) => answer.kind === 'first')).toHaveLength(1);
      expect(new Set(answers.map((answer) => (answer.kind === 'first' || answer.kind === 'repeat' ? answer.answer.approval_id : answer.kind))).size).toBe(1);
      const report = { tenantId: 'acme', requestId: 'r-1', agentId: 'bot-1', action: 'payment.process', status: 'success', decision: 'APPROVAL_REQUIRED' as const, policyId: 'large-payments', result: null };
      const verdicts = await Promise.all(stores.map((store) => store.report(report)));
      expect(verdicts).toEqual([{ kind: 'verified' }, { kind: 'verified' }, { kind: 'verified' }]);
      expect((await admin.query("SELECT count(*)::int AS n FROM reports")).rows[0].n).toBe(1);
      expect((await stores[1]!.auditTrail('acme')).filter((entry) => entry.kind === 'report')).toHaveLength(1);
    });

    it('pending caps hold across instances', async () => {
      const stores = await open(3);
      const caps = { pendingPerTenant: 4, pendingPerAgent: 1000 };
      const results = await Promise.all(Array.from({ length: 18 }, (_, index) => stores[index % 3]!.guard('acme', `key-${index}`, payment(index), NEEDS_HUMAN, caps)));
      expect(results.filter((result) => result.kind === 'ok')).toHaveLength(4);
      expect(results.filter((result) => result.kind === 'capped')).toHaveLength(14);
      expect(await stores[2]!.listApprovals('acme', 'pending')).toHaveLength(4);
      expect((await admin.query('SELECT count(*)::int AS n FROM guards')).rows[0].n).toBe(4);
    });

    it('decisions at several instances get strictly increasing times, so a cursor never skips one', async () => {
      const stores = await open(3);
      const approvals: ApprovalRow[] = [];
      for (let amount = 0; amount < 24; amount++) approvals.push(await stores[0]!.createApproval(newApproval(amount)));
      // The clock stands still: every decision falls in one millisecond of the clock.
      const results = await Promise.all(approvals.map((approval, index) => stores[index % 3]!.decide('acme', approval.id, 'approved', 'alice', null)));
      expect(results.every((result) => result.ok)).toBe(true);
      const decisions = await stores[1]!.decisionsSince('acme', new Date(T0 - 1).toISOString(), 100);
      expect(decisions).toHaveLength(24);
      const times = decisions.map((row) => Date.parse(row.decidedAt!));
      for (let index = 1; index < times.length; index++) expect(times[index]).toBeGreaterThan(times[index - 1]!);
      // Paging by cursor sees every decision exactly once.
      const seen: string[] = [];
      for (let cursor = new Date(T0 - 1).toISOString(), rounds = 0; rounds < 30; rounds++) {
        const page = await stores[rounds % 3]!.decisionsSince('acme', cursor, 5);
        if (page.length === 0) break;
        seen.push(...page.map((row) => row.id));
        cursor = page[page.length - 1]!.decidedAt!;
      }
      expect(seen.sort()).toEqual(approvals.map((approval) => approval.id).sort());
    });

    it('an audit reader paging while three instances write never skips a row (ids follow commit order per tenant)', async () => {
      const stores = await open(3);
      const seen = new Set<number>();
      let cursor = 0;
      let writing = true;
      // Each write is its own transaction; 3 pools of 5 connections commit them in any order.
      const writes = Promise.all(
        stores.flatMap((store, index) => Array.from({ length: 60 }, (_, n) => store.setAgentStatus('acme', `bot-${index}-${n}`, 'PAUSE'))),
      ).finally(() => (writing = false));
      const reader = (async () => {
        for (let more = true; more; ) {
          more = writing;
          const page = await stores[1]!.auditPage('acme', { limit: 7, after: cursor });
          for (const row of page.rows) seen.add(row.id);
          if (page.rows.length > 0) cursor = page.rows[page.rows.length - 1]!.id;
          if (page.next !== null) more = true;
        }
      })();
      await Promise.all([writes, reader]);
      // One last page from the final cursor: a row whose id is behind the cursor but that was not
      // seen was committed after the reader had passed its id.
      for (let page = await stores[0]!.auditPage('acme', { limit: 1000, after: cursor }); ; ) {
        for (const row of page.rows) seen.add(row.id);
        if (page.next === null) break;
        page = await stores[0]!.auditPage('acme', { limit: 1000, after: page.next });
      }
      const all = (await stores[2]!.auditTrail('acme')).map((row) => row.id);
      expect(all).toHaveLength(180);
      expect(all.filter((id) => !seen.has(id))).toEqual([]);
    });

    it('one approval decided at two instances at once: exactly one decision', async () => {
      const stores = await open(2);
      for (let round = 0; round < 10; round++) {
        const approval = await stores[0]!.createApproval(newApproval(round));
        const results = await Promise.all([stores[0]!.decide('acme', approval.id, 'approved', 'alice', null), stores[1]!.decide('acme', approval.id, 'rejected', 'bob', 'no')]);
        expect(results.filter((result) => result.ok)).toHaveLength(1);
      }
      expect((await stores[1]!.auditTrail('acme')).filter((entry) => entry.kind === 'approval_decided')).toHaveLength(10);
    });

    it('expiry is swept once across instances, and every read at any instance shows it expired at once', async () => {
      const stores = await open(3);
      const approvals = await Promise.all([1, 2, 3, 4].map((amount) => stores[0]!.createApproval(newApproval(amount))));
      clock += 60_000;
      // A read at one instance before any sweep already shows expired.
      expect((await stores[2]!.getApproval('acme', approvals[0]!.id))?.status).toBe('expired');
      const swept = (await Promise.all(stores.map((store) => store.expireDue()))).flat();
      // The read above expired them all (it sweeps what is due first); the sweeps find nothing more.
      expect(swept).toEqual([]);
      const expiredAudit = (await stores[0]!.auditTrail('acme')).filter((entry) => entry.decision === 'expired');
      expect(expiredAudit.map((entry) => entry.approvalId).sort()).toEqual(approvals.map((approval) => approval.id).sort());
      const more = await Promise.all([5, 6, 7].map((amount) => stores[1]!.createApproval(newApproval(amount))));
      clock += 60_000;
      const again = (await Promise.all(stores.map((store) => store.expireDue()))).flat();
      expect(again.map((row) => row.id).sort()).toEqual(more.map((approval) => approval.id).sort());
    });

    it('a change at one instance reaches the others\' listeners (NOTIFY); the own listener hears it once', async () => {
      const stores = await open(3);
      const heard = until(() => (events.filter((event) => event.type === 'decided').length >= 3 ? events : undefined));
      poke = heard.poke;
      const approval = await stores[0]!.createApproval(newApproval(1));
      await stores[1]!.decide('acme', approval.id, 'approved', 'alice', null);
      await heard.done;
      const decided = events.filter((event) => event.type === 'decided');
      expect(decided.map((event) => event.instance).sort()).toEqual([0, 1, 2]);
      expect(decided.every((event) => event.approval.id === approval.id && event.approval.status === 'approved' && event.approval.approver === 'alice')).toBe(true);
      const createdHeard = until(() => (events.filter((event) => event.type === 'created').length >= 3 ? true : undefined));
      poke = () => (heard.poke(), createdHeard.poke());
      createdHeard.poke();
      await createdHeard.done;
      expect(events.filter((event) => event.type === 'created').map((event) => event.instance).sort()).toEqual([0, 1, 2]);
    });
  });
});
