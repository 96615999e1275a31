// X-Request-Id on POST /action/check: a retried check (its first answer was lost) gets the first
// answer again — no second approval, no second audit line — and an id reused for another body is
// a 409. Remembered ids are kept in SQLite with the check and forgotten after a window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, type BuiltServer } from '@haltstate/local';
import { POLICY, TENANTS, uniqueKey } from './helpers/server';

const [acme, globex] = TENANTS as [(typeof TENANTS)[0], (typeof TENANTS)[0]];
const adminHeaders = { 'x-tenant-id': acme.id, authorization: `Bearer ${acme.adminKey}` };
const large = { agent_id: 'payment-bot-1', action: 'payment.process', params: { amount: 5000, invoice: 'INV-1' } };

const check = (built: BuiltServer, body: object, requestId?: string, tenant = acme) =>
  built.app.inject({ method: 'POST', url: '/api/sentinel/action/check', headers: { 'x-tenant-id': tenant.id, 'x-api-key': tenant.apiKey, ...(requestId === undefined ? {} : { 'x-request-id': requestId }) }, payload: body });
const approvals = async (built: BuiltServer) => ((await built.app.inject({ method: 'GET', url: '/local/approvals', headers: adminHeaders })).json() as { approvals: unknown[] }).approvals.length;
const auditFor = async (built: BuiltServer, requestId: string) =>
  ((await built.app.inject({ method: 'GET', url: '/local/audit', headers: adminHeaders })).json() as Array<{ kind: string; requestId: string | null; approvalId: string | null }>).filter((entry) => entry.requestId === requestId);

describe('X-Request-Id on check', () => {
  let built: BuiltServer;
  beforeEach(() => {
    built = buildServer({ policy: POLICY });
  });
  afterEach(() => built.app.close());

  it('a repeat of (tenant, id) answers the first answer: same approval, no second approval, no second audit line', async () => {
    const id = uniqueKey('req');
    const first = await check(built, large, id);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ decision: 'APPROVAL_REQUIRED', approval_id: expect.any(String) });
    expect(first.headers['x-request-id']).toBe(id);
    const before = await approvals(built);
    // Key order does not make it another body.
    const again = await check(built, { params: { invoice: 'INV-1', amount: 5000 }, action: 'payment.process', agent_id: 'payment-bot-1' }, id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await approvals(built)).toBe(before);
    expect((await auditFor(built, id)).map((entry) => entry.kind)).toEqual(['check']);
  });

  it('the same id with another body is a 409 and changes nothing', async () => {
    const id = uniqueKey('req');
    await check(built, large, id);
    const before = await approvals(built);
    const other = await check(built, { ...large, params: { amount: 5001, invoice: 'INV-1' } }, id);
    expect(other.statusCode).toBe(409);
    expect(other.json().detail).toMatch(/X-Request-Id .* was already used for a check with another body/);
    expect(await approvals(built)).toBe(before);
    expect(await auditFor(built, id)).toHaveLength(1);
  });

  it('ids are per tenant, and checks without an id are each their own', async () => {
    const id = uniqueKey('req');
    const a = (await check(built, large, id)).json();
    const b = (await check(built, large, id, globex)).json();
    expect(b.approval_id).not.toBe(a.approval_id);
    const [x, y] = [(await check(built, large)).json(), (await check(built, large)).json()];
    expect(x.approval_id).not.toBe(y.approval_id);
  });

  it('an id longer than 200 characters is refused with 422', async () => {
    const response = await check(built, large, 'x'.repeat(201));
    expect(response.statusCode).toBe(422);
    expect(response.json().detail).toMatch(/X-Request-Id/);
  });
});

it('a remembered id survives a restart (file DB) and is forgotten after the window', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haltstate-request-id-'));
  const db = join(dir, 'local.db');
  let now = Date.parse('2026-03-01T12:00:00Z');
  // No sweep during the test: the test prunes by hand, so it can count what was forgotten.
  const options = { policy: POLICY, db, now: () => new Date(now), requestIdWindowMs: 60_000, expirySweepMs: 3_600_000 };
  try {
    const id = uniqueKey('req');
    const first = buildServer(options);
    const answer = (await check(first, large, id)).json();
    await first.app.close();
    const second = buildServer(options);
    try {
      now += 59_000;
      expect((await check(second, large, id)).json()).toEqual(answer);
      now += 2_000;
      expect(await second.store.forgetRequestIds()).toBe(1);
      const fresh = (await check(second, large, id)).json();
      expect(fresh.approval_id).not.toBe(answer.approval_id);
    } finally {
      await second.app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
