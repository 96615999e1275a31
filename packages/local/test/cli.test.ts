import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApprovalPending } from '@haltstate/core';
import type { LocalServer } from '@haltstate/local';
import { main, type CliIo } from '../src/cli/index';
import { clientFor, startServer, TENANTS, uniqueKey } from './helpers/server';

function io(extra: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text), env: {}, ...extra } satisfies CliIo };
}

let server: LocalServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
// The admin key from a file, as the docs advise (--admin-key works, with a warning).
let keyFile = '';
beforeAll(() => {
  keyFile = join(mkdtempSync(join(tmpdir(), 'haltstate-cli-key-')), 'admin-key');
  writeFileSync(keyFile, `${TENANTS[0]!.adminKey}\n`, { mode: 0o600 });
});
const connection = () => ['--url', server.url, '--tenant', 'acme', '--admin-key-file', keyFile];

describe('haltstate CLI', () => {
  it('lists approvals with the short id, the rule, params, metadata and times; approves and rejects by a prefix', async () => {
    const client = clientFor(server);
    const first = await client.check('payment.process', { params: { amount: 5000 } });
    const second = await client
      .guard({ action: 'payment.refund', params: { amount: 6000 }, metadata: { ticket: 'https://tickets.example.com/T-9' }, idempotencyKey: uniqueKey('cli') }, () => 'never')
      .catch((error: ApprovalPending) => error);
    expect(second).toBeInstanceOf(ApprovalPending);
    const secondId = (second as ApprovalPending).approvalId;
    const listing = io();
    expect(await main(['approvals', ...connection()], listing.io)).toBe(0);
    const text = listing.out.join('\n');
    expect(text).toContain(`${first.approvalId!.slice(0, 8)}  pending   payment.process by payment-bot-1  rule large-payments: Over the automatic limit\n    params    {"amount":5000}\n    waiting   `);
    expect(text).toMatch(new RegExp(`${secondId.slice(0, 8)}  pending   payment\\.refund by payment-bot-1  rule large-payments.*\\n    params    \\{"amount":6000\\}\\n    metadata  \\{"ticket":"https://tickets\\.example\\.com/T-9"\\}\\n    waiting   \\d+s \\(since .+\\) · expires in 1[45]m`));
    const approve = io();
    expect(await main(['approve', first.approvalId!.slice(0, 8), '--as', 'alice', '--reason', 'fine', ...connection()], approve.io)).toBe(0);
    expect(approve.out).toEqual([`approved ${first.approvalId!.slice(0, 8)} (payment.process by payment-bot-1) as alice`]);
    expect(await client.getApproval(first.approvalId!)).toMatchObject({ status: 'approved', approver: 'alice' });
    const reject = io();
    expect(await main(['reject', secondId.slice(0, 5), '--reason', 'too much', ...connection()], reject.io)).toBe(0);
    expect(await client.getApproval(secondId)).toMatchObject({ status: 'rejected', reason: 'too much' });
    const decided = io();
    expect(await main(['approvals', '--status', 'all', ...connection()], decided.io)).toBe(0);
    expect(decided.out.join('\n')).toMatch(new RegExp(`${secondId.slice(0, 8)}  rejected  payment\\.refund[^\\n]*\\n(.*\\n)*    requested .+ · rejected by \\S+ at .+: too much`));
  });

  it('prints approvals as JSON for scripts', async () => {
    const decision = await clientFor(server).check('payment.process', { params: { amount: 7100 } });
    const run = io();
    expect(await main(['approvals', '--json', ...connection()], run.io)).toBe(0);
    const approvals = JSON.parse(run.out.join('\n'));
    expect(approvals).toEqual(expect.arrayContaining([expect.objectContaining({ approval_id: decision.approvalId, status: 'pending', policy_id: 'large-payments', params: { amount: 7100 } })]));
    const none = io();
    expect(await main(['approvals', '--json', '--status', 'expired', ...connection()], none.io)).toBe(0);
    expect(JSON.parse(none.out.join('\n'))).toEqual([]);
  });

  it('an id prefix must be unique (ambiguous lists the candidates), known and 4+ characters', async () => {
    // Two ids that share a prefix: the store's ids come from node:crypto's randomUUID.
    const spy = jest.spyOn(jest.requireActual<typeof import('node:crypto')>('node:crypto'), 'randomUUID');
    spy.mockReturnValueOnce('abcd1111-0000-4000-8000-000000000001').mockReturnValueOnce('abcd2222-0000-4000-8000-000000000002');
    const request = { tenantId: 'acme', agentId: 'payment-bot-1', action: 'payment.process', policyId: 'large-payments', policyReason: 'Over the automatic limit', ttlMs: 60_000, metadata: null };
    const one = await server.store.createApproval({ ...request, params: { amount: 8001 } });
    const two = await server.store.createApproval({ ...request, params: { amount: 8002 } });
    spy.mockRestore();
    expect([one.id, two.id]).toEqual(['abcd1111-0000-4000-8000-000000000001', 'abcd2222-0000-4000-8000-000000000002']);
    const client = clientFor(server);
    const ambiguous = io();
    expect(await main(['approve', 'abcd', ...connection()], ambiguous.io)).toBe(1);
    expect(ambiguous.err.join('\n')).toBe(
      [
        'error: "abcd" matches 2 approvals; give more of the id:',
        '  abcd1111-0000-4000-8000-000000000001  pending   payment.process by payment-bot-1',
        '  abcd2222-0000-4000-8000-000000000002  pending   payment.process by payment-bot-1',
      ].join('\n'),
    );
    expect(await client.getApproval(one.id)).toMatchObject({ status: 'pending' });
    const unique = io();
    expect(await main(['approve', 'ABCD2', '--as', 'bob', ...connection()], unique.io)).toBe(0);
    expect(await client.getApproval(two.id)).toMatchObject({ status: 'approved', approver: 'bob' });
    const unknown = io();
    expect(await main(['approve', 'ffff0000', ...connection()], unknown.io)).toBe(1);
    expect(unknown.err.join('\n')).toBe('error: no approval of tenant acme has an id starting with "ffff0000"');
    const short = io();
    expect(await main(['reject', 'abc', '--reason', 'x', ...connection()], short.io)).toBe(1);
    expect(short.err.join('\n')).toMatch(/"abc" is too short: give at least 4 characters/);
  });

  it('says which --tenant to pass when the key belongs to another tenant than the one assumed', async () => {
    const defaulted = io();
    expect(await main(['approvals', '--url', server.url, '--admin-key', TENANTS[0]!.adminKey], defaulted.io)).toBe(1);
    expect(defaulted.err).toEqual([expect.stringMatching(/^warning: --admin-key puts the admin key in the process list/), 'error: the admin key is for tenant "acme", not "local" (the default): pass --tenant acme']);
    const named = io();
    expect(await main(['approvals', '--url', server.url, '--tenant', 'globex', '--admin-key-file', keyFile], named.io)).toBe(1);
    expect(named.err).toEqual(['error: the admin key is for tenant "acme", not "globex": pass --tenant acme']);
    const fromEnv = io({ env: { HALTSTATE_BASE_URL: server.url, HALTSTATE_ADMIN_KEY: TENANTS[1]!.adminKey } });
    expect(await main(['approvals'], fromEnv.io)).toBe(1);
    expect(fromEnv.err).toEqual(['error: the admin key is for tenant "globex", not "local" (the default): pass --tenant globex']);
  });

  it('prints its version', async () => {
    const run = io({ version: '9.8.7' });
    expect(await main(['--version'], run.io)).toBe(0);
    expect(run.out).toEqual(['9.8.7']);
  });

  it('reject without --reason, an unknown id, a wrong key and no key all fail with a message', async () => {
    const noReason = io();
    expect(await main(['reject', 'x', ...connection()], noReason.io)).not.toBe(0);
    expect(noReason.err.join('\n')).toMatch(/--reason/);
    const unknown = io();
    expect(await main(['approve', '00000000-0000-0000-0000-000000000000', ...connection()], unknown.io)).toBe(1);
    expect(unknown.err.join('\n')).toMatch(/404.*check the approval id/);
    expect(unknown.err.join('\n')).not.toContain('pass --tenant');
    const wrongKey = io();
    expect(await main(['approvals', '--url', server.url, '--tenant', 'acme', '--admin-key', 'hs_wrong_SECRET-do-not-leak'], wrongKey.io)).toBe(1);
    expect(wrongKey.err.join('\n')).toMatch(/401/);
    expect(wrongKey.err.join('\n')).not.toContain('SECRET');
    const noKey = io();
    expect(await main(['approvals', '--url', server.url], noKey.io)).toBe(1);
    expect(noKey.err.join('\n')).toMatch(/HALTSTATE_ADMIN_KEY/);
  });

  it('kills and resumes an agent, and prints the audit trail as a table with dates, JSON Lines or JSON', async () => {
    expect(await main(['kill', 'cli-bot', ...connection()], io().io)).toBe(0);
    expect(await clientFor(server, TENANTS[0], { agentId: 'cli-bot' }).heartbeat()).toBe('KILL');
    expect(await main(['resume', 'cli-bot', ...connection()], io().io)).toBe(0);
    expect(await clientFor(server, TENANTS[0], { agentId: 'cli-bot' }).heartbeat()).toBe('OK');
    const table = io();
    expect(await main(['audit', ...connection()], table.io)).toBe(0);
    const [header, , ...rows] = table.out.join('\n').split('\n');
    expect(header).toMatch(/^time \(UTC\)\s+event\s+agent\s+action\s+decision/);
    const today = new Date().toISOString().slice(0, 10);
    expect(rows.at(-1)).toMatch(new RegExp(`^${today} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\s+agent_status\\s+cli-bot`));
    const jsonl = io();
    expect(await main(['audit', '--format', 'jsonl', ...connection()], jsonl.io)).toBe(0);
    const lines = jsonl.out.join('\n').split('\n').map((line) => JSON.parse(line));
    expect(lines.some((entry) => entry.kind === 'agent_status' && entry.agentId === 'cli-bot')).toBe(true);
    for (const flags of [['--json'], ['--format', 'json']]) {
      const json = io();
      expect(await main(['audit', ...flags, ...connection()], json.io)).toBe(0);
      const entries = JSON.parse(json.out.join('\n'));
      expect(entries).toEqual(lines);
    }
  });

  describe('reset and dev --fresh', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haltstate-reset-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    /** A database with an approval, a guard state, an agent status and audit lines in it. */
    async function usedDatabase(name: string): Promise<string> {
      const db = join(dir, name);
      const used = await startServer({ db });
      const client = clientFor(used);
      await client.check('payment.process', { params: { amount: 5000 } });
      await client.guard({ action: 'read.x', idempotencyKey: 'reset-key' }, () => 1);
      await client.flush();
      await used.store.setAgentStatus('acme', 'payment-bot-1', 'KILL');
      await used.close();
      return db;
    }
    async function contents(db: string) {
      const reopened = await startServer({ db });
      try {
        return { approvals: (await reopened.store.listApprovals('acme')).length, audit: (await reopened.store.auditTrail('acme')).length, status: await reopened.store.agentStatus('acme', 'payment-bot-1') };
      } finally {
        await reopened.close();
      }
    }

    it('reset refuses without --yes and changes nothing', async () => {
      const db = await usedDatabase('keep.db');
      const run = io();
      expect(await main(['reset', '--db', db], run.io)).toBe(1);
      expect(run.err.join('\n')).toMatch(/deletes every approval.*--yes/s);
      expect(await contents(db)).toMatchObject({ approvals: 1, status: 'KILL' });
    });

    it('reset --yes clears every approval, guard state, agent status and the audit trail', async () => {
      const db = await usedDatabase('clear.db');
      const run = io();
      expect(await main(['reset', '--db', db, '--yes'], run.io)).toBe(0);
      expect(run.out.join('\n')).toMatch(/cleared .*clear\.db/);
      expect(await contents(db)).toEqual({ approvals: 0, audit: 0, status: 'OK' });
    });

    it('reset leaves a missing file, :memory: and a file that is not a HaltState database alone', async () => {
      const missing = io();
      expect(await main(['reset', '--db', join(dir, 'never.db'), '--yes'], missing.io)).toBe(0);
      expect(missing.out.join('\n')).toMatch(/nothing to reset/);
      const memory = io();
      expect(await main(['reset', '--db', ':memory:', '--yes'], memory.io)).toBe(1);
      expect(memory.err.join('\n')).toMatch(/:memory: keeps nothing/);
      const other = join(dir, 'notes.db');
      writeFileSync(other, 'my own notes, not a database');
      const foreign = io();
      expect(await main(['reset', '--db', other, '--yes'], foreign.io)).toBe(1);
      expect(foreign.err.join('\n')).toMatch(/not a HaltState database/);
      expect(readFileSync(other, 'utf8')).toBe('my own notes, not a database');
    });

    it('dev --fresh starts on a cleared database; dev without it keeps the data', async () => {
      for (const [fresh, approvals] of [[false, 1], [true, 0]] as const) {
        const db = await usedDatabase(`dev-${fresh}.db`);
        let stop = () => undefined as void;
        const run = io({ stopSignal: new Promise<void>((resolve) => (stop = resolve)) });
        let started: LocalServer | undefined;
        let ended = false;
        const exit = main(['dev', '--port', '0', '--db', db, ...(fresh ? ['--fresh'] : [])], { ...run.io, onServer: (s) => (started = s) }).finally(() => (ended = true));
        while (!started && !ended) await new Promise((resolve) => setImmediate(resolve));
        expect({ err: run.err.filter((line) => !line.startsWith('warning')), started: started !== undefined }).toEqual({ err: [], started: true });
        expect(await started!.store.listApprovals('acme')).toHaveLength(approvals);
        expect(run.out.join('\n').includes('cleared')).toBe(fresh);
        stop();
        expect(await exit).toBe(0);
      }
    });
  });

  describe('dev', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haltstate-cli-'));

    it('starts, prints the URL and the dev tenant keys, and stops', async () => {
      let stop = () => undefined as void;
      const run = io({ stopSignal: new Promise<void>((resolve) => (stop = resolve)) });
      let started: LocalServer | undefined;
      const exit = main(['dev', '--port', '0', '--db', ':memory:'], { ...run.io, onServer: (s) => (started = s) });
      while (!run.out.some((line) => line.includes('listening'))) await new Promise((resolve) => setImmediate(resolve));
      expect(run.err.join('\n')).toMatch(/no --policy given/);
      expect(run.out.join('\n')).toMatch(/tenant local · api key hs_local_[0-9a-f]+ · admin key hs_admin_[0-9a-f]+/);
      const health = await fetch(`${started!.url}/api/sentinel/heartbeat?agent_id=a`, { headers: { 'x-api-key': started!.tenants[0]!.apiKey } });
      expect(await health.json()).toEqual({ status: 'OK' });
      stop();
      expect(await exit).toBe(0);
    });

    it('says clearly when the port is in use', async () => {
      const port = new URL(server.url).port;
      const run = io();
      expect(await main(['dev', '--port', port, '--db', ':memory:'], run.io)).toBe(1);
      expect(run.err.join('\n')).toMatch(new RegExp(`port ${port} is in use.*--port 0`));
    });

    it('a missing policy file or a bad rule fails the start with exit code 2 and a code frame', async () => {
      const missing = io();
      expect(await main(['dev', '--policy', join(dir, 'nope.yaml'), '--port', '0', '--db', ':memory:'], missing.io)).toBe(2);
      expect(missing.err.join('\n')).toMatch(/nope\.yaml: file not found/);
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, 'rules:\n  - id: a\n    decision: MAYBE\n');
      const bad = io();
      expect(await main(['dev', '--policy', file, '--port', '0', '--db', ':memory:'], bad.io)).toBe(2);
      expect(bad.err.join('\n')).toMatch(/bad\.yaml: rules\[0\]\.decision.*\n  --> .*bad\.yaml:3:15\n  2 \|   - id: a\n> 3 \|     decision: MAYBE\n    \|               \^{5}/);
    });

    it('adds a tenant from flags, and wants all three flags', async () => {
      let stop = () => undefined as void;
      const run = io({ stopSignal: new Promise<void>((resolve) => (stop = resolve)) });
      let started: LocalServer | undefined;
      const exit = main(['dev', '--port', '0', '--db', ':memory:', '--tenant', 'flagged', '--api-key', 'hs_flag_api_key', '--admin-key', 'hs_flag_admin_key'], { ...run.io, onServer: (s) => (started = s) });
      while (!started) await new Promise((resolve) => setImmediate(resolve));
      expect(started.tenants.map((tenant) => tenant.id)).toEqual(['flagged']);
      expect(run.out.join('\n')).not.toContain('hs_flag_api_key');
      stop();
      expect(await exit).toBe(0);
      const partial = io();
      expect(await main(['dev', '--port', '0', '--tenant', 'x'], partial.io)).toBe(1);
      expect(partial.err.join('\n')).toMatch(/go together/);
    });

    it('rejects a bad --port', async () => {
      const run = io();
      expect(await main(['dev', '--port', 'eighty'], run.io)).toBe(1);
      expect(run.err.join('\n')).toMatch(/--port must be a number/);
    });
  });
});
