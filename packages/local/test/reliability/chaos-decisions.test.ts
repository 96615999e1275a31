// Seeded chaos for the promises that break off the happy path (issue 11): a check whose answer is
// lost after the server acted, bursts of decisions in one millisecond read by clients that resume
// mid-burst, two tenants in one process, a kill/resume and a policy edit (with a restart) while
// agents run. `npm test` runs a short pass; `npm run test:chaos -- --seed N --count N` a long one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HaltStateClient, isHaltStateError, type ApprovalEvent } from '@haltstate/core';
import { AdminClient, createLocalServer, type LocalServer, type PolicyInput } from '@haltstate/local';
import { POLICY, startServer, TENANTS } from '../helpers/server';
import { prng, startFaultProxy, weightedPicker, type Fault, type FaultProxy } from './fault-proxy';

const SEED = Number(process.env.CHAOS_SEED ?? 20261130);
const COUNT = Number(process.env.CHAOS_COUNT ?? 150);
// A long run's bound grows with its size (about 100 ms a call on a loaded 2-core machine).
const RUN_BOUND_MS = Math.max(300_000, COUNT * 100);
const CONCURRENCY = 8;
const [ACME, GLOBEX] = [TENANTS[0]!, TENANTS[1]!];
const context = (proxy: FaultProxy) => `seed ${SEED}; faults ${JSON.stringify(proxy.counts)}`;

/** Runs `count` tasks, `CONCURRENCY` at a time. */
async function pool(count: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) await task(next++);
  }));
}

/** A human approving whatever is pending, until stopped. */
function approver(admins: AdminClient[]): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const admin of admins) {
        for (const approval of await admin.approvals('pending').catch(() => [])) await admin.approve(approval.approval_id, { approver: 'chaos-human' }).catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return { stop: async () => { running = false; await loop; } };
}

describe(`chaos off the happy path (seed ${SEED}, ${COUNT} calls)`, () => {
  it('a check whose answer is lost after the server acted never makes a second approval', async () => {
    const server = await startServer();
    const proxy = await startFaultProxy(server.url);
    try {
      proxy.setPicker(weightedPicker(prng(SEED), [['pass', 40], ['error-503-after', 20], ['error-503', 10], ['error-500-after', 10], ['timeout-after', 4], ['reset', 8], ['reset-mid-body', 8]]));
      const client = new HaltStateClient({ baseUrl: proxy.url, tenantId: ACME.id, apiKey: ACME.apiKey, agentId: 'chaos-bot', timeoutMs: 250, retries: 2 });
      const admin = new AdminClient({ url: server.url, tenantId: ACME.id, adminKey: ACME.adminKey });
      const answered = new Map<string, string | null>();
      const untyped: unknown[] = [];
      await pool(COUNT, async (index) => {
        try {
          const decision = await client.check({ action: index % 3 === 0 ? 'read.data' : 'payment.process', params: { index, amount: 5000 } });
          answered.set(decision.requestId, decision.approvalId);
        } catch (error) {
          if (!isHaltStateError(error)) untyped.push(error);
        }
      });
      await client.close();
      await proxy.settled();
      const trail = await admin.audit();
      const checks = trail.filter((entry) => entry.kind === 'check');
      const perRequest = new Map<string, number>();
      for (const entry of checks) perRequest.set(entry.requestId!, (perRequest.get(entry.requestId!) ?? 0) + 1);
      const approvals = await admin.approvals();

      expect({ untyped: untyped.map(String), context: context(proxy) }).toEqual({ untyped: [], context: context(proxy) });
      // Every check the server acted on carried an id, and a retried id was never acted on twice.
      expect(checks.filter((entry) => !entry.requestId)).toEqual([]);
      expect([...perRequest].filter(([, times]) => times > 1)).toEqual([]);
      // One approval per acted-on check that needed one: no orphans in the approvers' queue.
      expect(approvals.length).toBe(checks.filter((entry) => entry.decision === 'APPROVAL_REQUIRED').length);
      // Every answer a client got names an approval the server has (a retry got the first answer).
      const known = new Set(approvals.map((approval) => approval.approval_id));
      expect([...answered.values()].filter((id) => id !== null && !known.has(id))).toEqual([]);
      // The run did lose answers after the server acted, and clients did retry them.
      expect(proxy.counts['error-503-after'] ?? 0).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      await server.close();
    }
  }, RUN_BOUND_MS);

  it('bursts of decisions in one millisecond reach clients that resume mid-burst, each exactly once', async () => {
    // The server's clock stands still during each burst, so every decision of a burst falls in
    // one millisecond of it.
    const clock = { ms: Date.now() };
    const server = await startServer({ now: () => new Date(clock.ms) });
    const proxy = await startFaultProxy(server.url);
    const random = prng(SEED + 1);
    // The first connection of a stream passes (a failing first connection is an error by design);
    // every resumed one may be dropped again.
    const epoch = encodeURIComponent(new Date(0).toISOString());
    proxy.setPicker((request) => {
      const url = request.url ?? '';
      return url.includes('last_seen=') && !url.includes(epoch) && random() < 0.5 ? 'stream-drop' : 'pass';
    });
    const direct = new HaltStateClient({ baseUrl: server.url, tenantId: ACME.id, apiKey: ACME.apiKey, agentId: 'burst-bot', retries: 0 });
    const admin = new AdminClient({ url: server.url, tenantId: ACME.id, adminKey: ACME.adminKey });
    const readers = Array.from({ length: 3 }, () => new HaltStateClient({ baseUrl: proxy.url, tenantId: ACME.id, apiKey: ACME.apiKey, retries: 2, timeoutMs: 5_000 }));
    const stop = new AbortController();
    try {
      const total = Math.max(20, Math.min(400, Math.floor(COUNT / 2)));
      const ids: string[] = [];
      for (let index = 0; index < total; index++) ids.push((await direct.check({ action: 'payment.process', params: { index, amount: 5000 } })).approvalId!);
      const expected = new Set(ids);
      const seen = readers.map(() => [] as ApprovalEvent[]);
      // Each reader starts from the epoch, so it must see all of the burst whenever it connects;
      // every resumed connection may be dropped again and resumes from the last timestamp it saw.
      const complete = readers.map((reader, index) => (async () => {
        for await (const event of reader.approvals({ lastSeen: new Date(0), signal: stop.signal })) {
          seen[index]!.push(event);
          if (new Set(seen[index]!.map((item) => item.approvalId)).size === expected.size) return;
        }
      })());
      // Decisions in bursts of 25 concurrent approvals: many share a millisecond.
      // Between bursts, every open stream is dropped: the readers resume mid-burst from their cursor
      // (and a resumed stream may be dropped again by the picker).
      for (let start = 0; start < ids.length; start += 25) {
        await Promise.all(ids.slice(start, start + 25).map((id, offset) => ((start + offset) % 7 === 0 ? admin.reject(id, { approver: 'burst', reason: 'no' }) : admin.approve(id, { approver: 'burst' }))));
        if (random() < 0.6) proxy.dropStreams();
        clock.ms += 1;
      }
      await Promise.all(complete);
      for (const events of seen) {
        const counts = new Map<string, number>();
        for (const event of events) counts.set(event.approvalId, (counts.get(event.approvalId) ?? 0) + 1);
        expect({ missing: ids.filter((id) => !counts.has(id)), twice: [...counts].filter(([, times]) => times > 1), context: context(proxy) }).toEqual({ missing: [], twice: [], context: context(proxy) });
      }
      // Paging `since` from a cursor taken mid-burst returns every later decision exactly once.
      const all = await direct.approvalsSince(new Date(0), { limit: 500 });
      const cursor = all[Math.floor(all.length / 2)]!.timestamp!;
      const after = all.slice(Math.floor(all.length / 2) + 1).map((event) => event.approvalId);
      const paged: string[] = [];
      for (let since = cursor; ;) {
        const page = await direct.approvalsSince(since, { limit: 7 });
        if (page.length === 0) break;
        paged.push(...page.map((event) => event.approvalId));
        since = page.at(-1)!.timestamp!;
      }
      expect(paged).toEqual(after);
      // The timestamps are a strict order, so the cursor is exact.
      const stamps = all.map((event) => event.timestamp!);
      expect(new Set(stamps).size).toBe(stamps.length);
      expect(proxy.counts['stream-dropped-mid-burst'] ?? 0).toBeGreaterThan(0);
    } finally {
      stop.abort();
      await Promise.all(readers.map((reader) => reader.close()));
      await direct.close();
      await proxy.close();
      await server.close();
    }
  }, RUN_BOUND_MS);

  it('two tenants in one process, a kill/resume and a policy edit with a restart: nothing runs without its own tenant\'s permit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haltstate-chaos-'));
    const db = join(dir, 'chaos.db');
    let server: LocalServer = await startServer({ db });
    const port = Number(new URL(server.url).port);
    const proxy = await startFaultProxy(server.url, { slowMs: 40 });
    const random = prng(SEED + 2);
    proxy.setPicker(weightedPicker(random, [['pass', 60], ['error-503', 8], ['error-503-after', 8], ['error-500-after', 6], ['timeout-after', 3], ['reset', 6], ['reset-mid-body', 6], ['slow', 3]] satisfies Array<[Fault, number]>));
    const tenants = [ACME, GLOBEX].map((tenant) => ({
      tenant,
      client: new HaltStateClient({ baseUrl: proxy.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'chaos-bot', timeoutMs: 300, retries: 2, onReportError: () => undefined }),
      admin: () => new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey }),
    }));
    type Run = { tenant: string; key: string; action: string; phase: number };
    const runs: Run[] = [];
    const untyped: unknown[] = [];
    const killed: string[] = [];
    const phaseSize = Math.max(10, Math.floor(COUNT / 3));
    const play = async (phase: number) => {
      const human = approver(tenants.map(({ admin }) => admin()));
      await pool(phaseSize, async (index) => {
        const { tenant, client } = tenants[index % 2]!;
        const roll = random();
        const action = roll < 0.4 ? 'read.data' : roll < 0.6 ? 'database.drop' : 'payment.process';
        const key = `p${phase}-${tenant.id}-${index}`;
        try {
          await client.guard({ action, params: { index, amount: 5000 }, idempotencyKey: key, ...(action === 'payment.process' ? { wait: { timeoutMs: 1_500, pollIntervalMs: 100 } } : {}) }, () => {
            runs.push({ tenant: tenant.id, key, action, phase });
          });
        } catch (error) {
          if (isHaltStateError(error, 'HALTSTATE_KILL_SWITCH')) killed.push(key);
          else if (!isHaltStateError(error)) untyped.push(error);
        }
      });
      await human.stop();
    };
    try {
      await play(1);
      // Phase 2: acme's agent is killed on the server; globex's is not.
      await tenants[0]!.admin().setAgentStatus('chaos-bot', 'KILL');
      await play(2);
      // One call past the faults, so the kill is seen whatever the faults and the machine's load
      // did to the calls above (each may have timed out before the server's answer came).
      const direct = new HaltStateClient({ baseUrl: server.url, tenantId: ACME.id, apiKey: ACME.apiKey, agentId: 'chaos-bot', onReportError: () => undefined });
      try {
        await direct.guard({ action: 'read.data', params: { index: -1 }, idempotencyKey: `p2-${ACME.id}-direct` }, () => runs.push({ tenant: ACME.id, key: 'direct', action: 'read.data', phase: 2 }));
      } catch (error) {
        if (isHaltStateError(error, 'HALTSTATE_KILL_SWITCH')) killed.push('direct');
        else untyped.push(error);
      } finally {
        await direct.close();
      }
      await tenants[0]!.admin().setAgentStatus('chaos-bot', 'OK');
      // Phase 3: the policy is edited (reads are now denied) and the server restarts on its database.
      await server.close();
      const edited: PolicyInput = { ...POLICY, rules: POLICY.rules!.map((rule) => (rule.id === 'reads' ? { ...rule, decision: 'DENY' as const, reason: 'Reads frozen' } : rule)) };
      server = await createLocalServer({ policy: edited, db, port, keepAliveMs: 200 });
      await play(3);
      // Every report delivered first: a run whose report is still queued is the one at-least-once case.
      // The faults stop first, as an outage ends: thousands of reports queued by a long run would
      // otherwise keep meeting them, each retry a backoff away.
      proxy.setPicker(() => 'pass');
      for (const { client } of tenants) expect((await client.flush({ timeoutMs: Math.max(30_000, COUNT * 10) })).ok).toBe(true);
      // Replays of every approved payment that ran: an approval authorizes one execution.
      const replays: string[] = [];
      for (const run of runs.filter((entry) => entry.action === 'payment.process')) {
        const { client } = tenants.find((entry) => entry.tenant.id === run.tenant)!;
        await client.guard({ action: run.action, params: { index: Number(run.key.split('-').at(-1)), amount: 5000 }, idempotencyKey: run.key }, () => replays.push(run.key)).catch(() => undefined);
      }

      expect({ untyped: untyped.map(String), context: context(proxy) }).toEqual({ untyped: [], context: context(proxy) });
      // Each run had its own tenant's permit for that key, and no other tenant saw the key.
      for (const { tenant, admin } of tenants) {
        const trail = await admin().audit();
        const permits = new Set(trail.filter((entry) => entry.kind === 'guard' && (entry.decision === 'allowed' || entry.decision === 'approved')).map((entry) => entry.idempotencyKey));
        const mine = runs.filter((run) => run.tenant === tenant.id);
        expect(mine.filter((run) => !permits.has(run.key))).toEqual([]);
        expect(trail.filter((entry) => entry.idempotencyKey && !entry.idempotencyKey.includes(`-${tenant.id}-`))).toEqual([]);
      }
      expect(runs.filter((run) => run.action === 'database.drop')).toEqual([]);
      // While killed, acme's agent ran nothing (and was told so by a typed error); globex went on.
      expect(runs.filter((run) => run.phase === 2 && run.tenant === ACME.id)).toEqual([]);
      expect(killed.length).toBeGreaterThan(0);
      expect(runs.filter((run) => run.phase === 2 && run.tenant === GLOBEX.id).length).toBeGreaterThan(0);
      // After the edit, reads are denied at once, for both tenants; acme runs again after resume.
      expect(runs.filter((run) => run.phase === 3 && run.action === 'read.data')).toEqual([]);
      expect(runs.filter((run) => run.phase === 3 && run.tenant === ACME.id).length).toBeGreaterThan(0);
      // No key ran twice, and no replay ran on a used approval.
      expect(runs.map((run) => run.key).filter((key, index, keys) => keys.indexOf(key) !== index)).toEqual([]);
      expect(replays).toEqual([]);
    } finally {
      for (const { client } of tenants) await client.close();
      await proxy.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 2 * RUN_BOUND_MS);
});
