// Decisions have a strict order: a client resuming from one decision's timestamp (approvals/since
// or the stream's last_seen) never misses another decision made in the same millisecond, and an
// expiry is seen by a client whose cursor is already past the approval's expires_at.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, createLocalServer, type BuiltServer } from '@haltstate/local';
import { POLICY, TENANTS } from './helpers/server';

const acme = TENANTS[0]!;
const agent = { 'x-tenant-id': acme.id, 'x-api-key': acme.apiKey };
const admin = { 'x-tenant-id': acme.id, authorization: `Bearer ${acme.adminKey}` };
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

/** A clock the test moves by hand; it stands still otherwise, so every call lands in one millisecond. */
function handClock(start = T0) {
  const clock = { ms: start, now: () => new Date(clock.ms) };
  return clock;
}

type Decided = { approval_id: string; status: string; decided_at: string };
const request = (built: BuiltServer) => ({
  async approval(action = 'payment.process'): Promise<string> {
    const response = await built.app.inject({ method: 'POST', url: '/api/sentinel/action/check', headers: agent, payload: { agent_id: 'bot', action, params: { amount: 5000 } } });
    return response.json().approval_id as string;
  },
  async decide(id: string, verb: 'approve' | 'reject'): Promise<Decided> {
    const response = await built.app.inject({ method: 'POST', url: `/local/approvals/${id}/${verb}`, headers: admin, payload: { approver: 'alice', reason: 'r' } });
    expect(response.statusCode).toBe(200);
    return response.json() as Decided;
  },
  async since(cursor: string): Promise<Array<{ request_id: string; status: string; decided_at: string }>> {
    const response = await built.app.inject({ method: 'GET', url: `/api/sentinel/approvals/since?since=${encodeURIComponent(cursor)}`, headers: agent });
    return response.json().decisions;
  },
});

describe('decision order', () => {
  it('two decisions in one millisecond get distinct, increasing timestamps, and since=<first> returns the second', async () => {
    const clock = handClock();
    const built = buildServer({ policy: POLICY, now: clock.now });
    try {
      const api = request(built);
      const [a, b] = [await api.approval(), await api.approval()];
      const first = await api.decide(a, 'approve');
      const second = await api.decide(b, 'reject');
      expect(Date.parse(second.decided_at)).toBeGreaterThan(Date.parse(first.decided_at));
      expect((await api.since(first.decided_at)).map((decision) => [decision.request_id, decision.status])).toEqual([[b, 'rejected']]);
    } finally {
      await built.app.close();
    }
  });

  it('approve, reject and an expiry in one millisecond: each cursor returns exactly the later ones', async () => {
    const clock = handClock();
    const built = buildServer({ policy: POLICY, now: clock.now });
    try {
      const api = request(built);
      const flash = await api.approval('flash.sale'); // ttl 1 s
      const [a, b] = [await api.approval(), await api.approval()];
      clock.ms += 5000; // the flash approval is past its ttl; the clock stands still from here
      await api.decide(a, 'approve'); // reading before deciding records the expiry first
      await api.decide(b, 'reject');
      const all = await api.since(new Date(T0).toISOString());
      expect(all.map((decision) => [decision.request_id, decision.status])).toEqual([[flash, 'expired'], [a, 'approved'], [b, 'rejected']]);
      const stamps = all.map((decision) => Date.parse(decision.decided_at));
      expect(new Set(stamps).size).toBe(3);
      expect([...stamps].sort((x, y) => x - y)).toEqual(stamps);
      for (const [index, decision] of all.entries()) expect((await api.since(decision.decided_at)).map((next) => next.request_id)).toEqual(all.slice(index + 1).map((next) => next.request_id));
    } finally {
      await built.app.close();
    }
  });

  it('an expiry is visible to a cursor later than the approval\'s expires_at: its time is when it was recorded', async () => {
    const clock = handClock();
    const built = buildServer({ policy: POLICY, now: clock.now });
    try {
      const api = request(built);
      const flash = await api.approval('flash.sale'); // expires at T0 + 1 s
      clock.ms = T0 + 5000;
      const cursor = new Date(T0 + 2000).toISOString(); // the client last saw something at T0 + 2 s
      const seen = await api.since(cursor);
      expect(seen.map((decision) => [decision.request_id, decision.status])).toEqual([[flash, 'expired']]);
      expect(Date.parse(seen[0]!.decided_at)).toBeGreaterThan(T0 + 2000);
    } finally {
      await built.app.close();
    }
  });

  it('the expiry sweep stamps its expiries in the same order', async () => {
    const clock = handClock();
    const built = buildServer({ policy: POLICY, now: clock.now });
    try {
      const api = request(built);
      const [x, y] = [await api.approval('flash.sale'), await api.approval('flash.sale')];
      clock.ms += 5000;
      const expired = await built.store.expireDue();
      expect(expired.map((approval) => approval.id)).toEqual([x, y]);
      expect(Date.parse(expired[1]!.decidedAt!)).toBeGreaterThan(Date.parse(expired[0]!.decidedAt!));
      expect((await api.since(expired[0]!.decidedAt!)).map((decision) => decision.request_id)).toEqual([y]);
    } finally {
      await built.app.close();
    }
  });

  it('the order holds across a restart on a file database, even with a clock that went back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haltstate-order-'));
    const db = join(dir, 'local.db');
    try {
      const clock = handClock();
      const first = buildServer({ policy: POLICY, now: clock.now, db });
      const api = request(first);
      const [a, b] = [await api.approval(), await api.approval()];
      const decidedA = await api.decide(a, 'approve');
      await first.app.close();
      clock.ms -= 60_000;
      const second = buildServer({ policy: POLICY, now: clock.now, db });
      try {
        const decidedB = await request(second).decide(b, 'approve');
        expect(Date.parse(decidedB.decided_at)).toBeGreaterThan(Date.parse(decidedA.decided_at));
        expect((await request(second).since(decidedA.decided_at)).map((decision) => decision.request_id)).toEqual([b]);
      } finally {
        await second.app.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the stream replay after last_seen=<first> includes a decision made in the same millisecond', async () => {
    const clock = handClock();
    const server = await createLocalServer({ policy: POLICY, now: clock.now, keepAliveMs: 60_000 });
    const controller = new AbortController();
    try {
      const api = request(server);
      const [a, b, c] = [await api.approval(), await api.approval(), await api.approval()];
      const first = await api.decide(a, 'approve');
      await api.decide(b, 'approve');
      const response = await fetch(`${server.url}/api/sentinel/approvals/stream?last_seen=${encodeURIComponent(first.decided_at)}`, { headers: agent, signal: controller.signal });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('"type":"CONNECTED"')) text += (await reader.read()).value ?? '';
      // A live decision after the replay marks its end, so the test never waits on an absence.
      await api.decide(c, 'approve');
      while (!text.includes(`"request_id":"${c}"`)) text += (await reader.read()).value ?? '';
      const events = text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => JSON.parse(block.slice(6)) as { type: string; request_id?: string; catchup?: boolean });
      expect(events.filter((event) => event.type === 'APPROVAL_DECISION').map((event) => [event.request_id, event.catchup])).toEqual([
        [b, true],
        [c, false],
      ]);
    } finally {
      controller.abort();
      await server.close();
    }
  });
});
