// Several `haltstate serve` processes on one PostgreSQL database behave as one server (issue 19):
// three real server processes (the built bin, as a user starts it), each its own pool and LISTEN
// connection, on a database of this file's own. Run the build first (npm test does).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { HaltStateClient, type Permit } from '@haltstate/core';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@test-support/postgres';
import { POLICY, TENANTS } from './helpers/server';

const BIN = join(__dirname, '../bin/haltstate.cjs');
const [acme] = TENANTS as [(typeof TENANTS)[number]];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ALICE = 'hs_approver_alice_multi_0123456789';
const BOB = 'hs_approver_bob_multi_0123456789ab';
const SESSION_SECRET = 'one-secret-for-every-instance-32-bytes+';

/** A running `haltstate serve` process. */
interface Instance {
  url: string;
  child: ChildProcess;
  exit: Promise<number | null>;
}

function startInstance(dir: string, policyFile: string, db: string): Promise<Instance> {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HALTSTATE_'))), HALTSTATE_SESSION_SECRET: SESSION_SECRET, HALTSTATE_DB_URL: db };
  const child = spawn(process.execPath, [BIN, 'serve', '--policy', policyFile, '--port', '0', '--drain-ms', '2000'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { event?: string; url?: string };
      if (entry.event === 'listening') resolve({ url: entry.url!, child, exit });
    });
    void exit.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${stderr}`)));
  });
}

const agentHeaders = { 'content-type': 'application/json', 'x-api-key': acme.apiKey, 'x-tenant-id': acme.id };
const approverHeaders = (key: string) => ({ 'content-type': 'application/json', 'x-approver-key': key, 'x-tenant-id': acme.id });

async function guardAt(instance: Instance, key: string, body: { agent_id?: string; action?: string; params?: object } = {}) {
  const response = await fetch(`${instance.url}/api/sentinel/action/guard`, { method: 'POST', headers: agentHeaders, body: JSON.stringify({ agent_id: 'payment-bot-1', action: 'payment.process', params: { amount: 5000, currency: 'USD' }, idempotency_key: key, tenant_id: acme.id, ...body }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function decideAt(instance: Instance, approvalId: string, approverKey: string, verb: 'approve' | 'reject' = 'approve') {
  const response = await fetch(`${instance.url}/local/approvals/${approvalId}/${verb}`, { method: 'POST', headers: approverHeaders(approverKey), body: JSON.stringify(verb === 'reject' ? { reason: 'no' } : {}) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** An agent's decision stream (SSE) on one instance: its events as they come. */
async function openDecisionStream(instance: Instance) {
  const controller = new AbortController();
  const response = await fetch(`${instance.url}/api/sentinel/approvals/stream?tenant_id=${acme.id}`, { headers: agentHeaders, signal: controller.signal });
  const events: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)) as Record<string, unknown>);
          for (const wake of [...waiters]) wake();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  const waitFor = (match: (event: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const look = () => {
        const found = events.find(match);
        if (found) (waiters.delete(look), resolve(found));
      };
      waiters.add(look);
      look();
    });
  await waitFor((event) => event.type === 'CONNECTED');
  return { events, waitFor, close: () => controller.abort() };
}

describeWithPostgres('three haltstate serve processes on one PostgreSQL database', () => {
  let db: TestDatabase;
  let instances: Instance[] = [];
  let keyCounter = 0;
  const key = (name: string) => `${name}-${process.pid}-${++keyCounter}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'haltstate-multi-'));
    const policyFile = join(dir, 'policy.json');
    const tenant = { ...acme, approvers: [{ id: 'alice', keySha256: sha256(ALICE) }, { id: 'bob', keySha256: sha256(BOB), agents: 'bob-*' }], forbidSelfApproval: true };
    const rules = [...POLICY.rules!, { id: 'bob-payments', match: { action: 'bobpay.*' }, decision: 'APPROVAL_REQUIRED', reason: 'Needs a human' }];
    writeFileSync(policyFile, JSON.stringify({ ...POLICY, tenants: [tenant], rules }));
    // Started together: the migrations run once, under the advisory lock.
    instances = await Promise.all([0, 1, 2].map(() => startInstance(dir, policyFile, db.url)));
  }, 60_000);

  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance.exit));
    await db?.drop();
  });

  it('every instance is ready on the one database', async () => {
    for (const instance of instances) expect(await (await fetch(`${instance.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('the same guard key arriving at three instances at once makes exactly one approval', async () => {
    const shared = key('same-key');
    const answers = await Promise.all(Array.from({ length: 30 }, (_, index) => guardAt(instances[index % 3]!, shared)));
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200]));
    const ids = new Set(answers.map((answer) => answer.body.approval_id));
    expect(ids.size).toBe(1);
    const pending = await fetch(`${instances[2]!.url}/local/approvals?status=pending&limit=500`, { headers: { 'x-admin-token': acme.adminKey } });
    const mine = ((await pending.json()) as { approvals: Array<{ approval_id: string }> }).approvals.filter((approval) => ids.has(approval.approval_id));
    expect(mine).toHaveLength(1);
  });

  it('a decision made on instance A reaches an SSE client connected to instance B, as a live event', async () => {
    const stream = await openDecisionStream(instances[1]!);
    try {
      const { body } = await guardAt(instances[2]!, key('fan-out'));
      const approvalId = body.approval_id as string;
      expect((await decideAt(instances[0]!, approvalId, ALICE)).status).toBe(200);
      const event = await stream.waitFor((event) => event.request_id === approvalId);
      expect(event).toMatchObject({ type: 'APPROVAL_DECISION', status: 'approved', approver: 'alice', catchup: false });
    } finally {
      stream.close();
    }
  });

  it('a client waiting on instance B runs the action once when alice approves on instance A; the permit names alice', async () => {
    let approvalId: string | undefined;
    let announce!: () => void;
    const requested = new Promise<void>((resolve) => (announce = resolve));
    const client = new HaltStateClient({ baseUrl: instances[1]!.url, tenantId: acme.id, apiKey: acme.apiKey, agentId: 'payment-bot-1', retries: 0, onReportError: () => undefined, onApprovalRequested: (notice) => ((approvalId = notice.approvalId), announce()) });
    let runs = 0;
    try {
      const waiting = client.guard({ action: 'payment.process', params: { amount: 7000, currency: 'USD' }, idempotencyKey: key('waited'), wait: { timeoutMs: 20_000 } }, (permit: Permit) => (runs++, permit.approver));
      await requested;
      expect((await decideAt(instances[0]!, approvalId!, ALICE)).status).toBe(200);
      expect(await waiting).toBe('alice');
      expect(runs).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('one approval decided at two instances at once is decided once', async () => {
    const { body } = await guardAt(instances[0]!, key('twice'));
    const approvalId = body.approval_id as string;
    const [first, second] = await Promise.all([decideAt(instances[1]!, approvalId, ALICE, 'approve'), decideAt(instances[2]!, approvalId, ALICE, 'reject')]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const winner = first.status === 200 ? first : second;
    for (const instance of instances) {
      const state = await fetch(`${instance.url}/api/sentinel/approval/${approvalId}`, { headers: agentHeaders });
      expect(await state.json()).toMatchObject({ status: winner.body.status });
    }
  });

  it('expiry is recorded once, and every instance shows it', async () => {
    const { body } = await guardAt(instances[0]!, key('expires'), { action: 'flash.sale' });
    const approvalId = body.approval_id as string;
    // The rule's window is 1 s; each instance's read marks a due approval at once (no waiting for a sweep).
    const stream = await openDecisionStream(instances[2]!);
    try {
      const event = await stream.waitFor((event) => event.request_id === approvalId);
      expect(event).toMatchObject({ type: 'APPROVAL_DECISION', status: 'expired' });
    } finally {
      stream.close();
    }
    for (const instance of instances) {
      const state = await fetch(`${instance.url}/api/sentinel/approval/${approvalId}`, { headers: agentHeaders });
      expect(await state.json()).toMatchObject({ status: 'expired' });
    }
    // The whole trail, as the export streams it (every page).
    const exported = await (await fetch(`${instances[1]!.url}/local/audit`, { headers: { 'x-admin-token': acme.adminKey, accept: 'application/x-ndjson' } })).text();
    const audit = exported.trim().split('\n').map((line) => JSON.parse(line) as { approvalId: string; kind: string; decision: string });
    expect(audit.filter((entry) => entry.approvalId === approvalId && entry.kind === 'approval_decided')).toEqual([expect.objectContaining({ decision: 'expired' })]);
  });

  it('the shared admin key cannot decide, an agent key cannot decide, and bob may not approve his own agent', async () => {
    const { body } = await guardAt(instances[0]!, key('self'), { agent_id: 'bob-helper', action: 'bobpay.send' });
    const approvalId = body.approval_id as string;
    const byAdmin = await fetch(`${instances[1]!.url}/local/approvals/${approvalId}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-admin-token': acme.adminKey }, body: JSON.stringify({ approver: 'alice' }) });
    expect(byAdmin.status).toBe(403);
    const byAgent = await fetch(`${instances[1]!.url}/local/approvals/${approvalId}/approve`, { method: 'POST', headers: agentHeaders, body: '{}' });
    expect([401, 403]).toContain(byAgent.status);
    const byBob = await decideAt(instances[2]!, approvalId, BOB);
    expect(byBob.status).toBe(403);
    expect(String(byBob.body.detail)).toMatch(/agent "bob-helper" acts for them.*forbids self-approval/);
    expect((await decideAt(instances[0]!, approvalId, ALICE)).status).toBe(200);
  });

  it('an instance that stops (SIGTERM) drains and exits 0; the others go on serving its clients\' approvals', async () => {
    const { body } = await guardAt(instances[2]!, key('after-stop'));
    instances[2]!.child.kill('SIGTERM');
    expect(await instances[2]!.exit).toBe(0);
    expect((await decideAt(instances[0]!, body.approval_id as string, ALICE)).status).toBe(200);
    const state = await fetch(`${instances[1]!.url}/api/sentinel/approval/${String(body.approval_id)}`, { headers: agentHeaders });
    expect(await state.json()).toMatchObject({ status: 'approved', approver: 'alice' });
  });
});
