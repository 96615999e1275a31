// What a human reads in a terminal is what is there: an action or param with `\r\x1b[2K…`, bidi
// overrides or invisible characters is printed visibly escaped by every command.
import { formatAuditTable, type LocalServer } from '@haltstate/local';
import { main, type CliIo } from '../../src/cli/index';
import { visibleText } from '../../src/cli/terminal-text';
import { startServer, TENANTS } from '../helpers/server';

const acme = TENANTS[0]!;
// Rewrites the approver's line: carriage return, "erase line", then a harmless-looking text.
const REWRITE = 'payment.process\r\x1b[2Kread.report';
const RLO = 'invoice\u202Efdp.exe';
// Anything a terminal would act on or a reader could not see.
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

function capture(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (text) => out.push(text), err: (text) => err.push(text), env: { HALTSTATE_ADMIN_KEY: acme.adminKey } } };
}

describe('visibleText', () => {
  it('escapes controls, bidi and invisible characters as \\uXXXX, keeps newlines, tabs and ordinary text', () => {
    expect(visibleText(REWRITE)).toBe('payment.process\\u000d\\u001b[2Kread.report');
    expect(visibleText(RLO)).toBe('invoice\\u202efdp.exe');
    expect(visibleText('a\u200bb\u2066c\u00add\ufeffe\u0085f')).toBe('a\\u200bb\\u2066c\\u00add\\ufeffe\\u0085f');
    expect(visibleText('line 1\n\tline 2 · ünïcødé 😀')).toBe('line 1\n\tline 2 · ünïcødé 😀');
    expect(visibleText('lone \ud83d surrogate')).toBe('lone \\ud83d surrogate');
  });

  it('keeps JSON valid and equal in meaning', () => {
    const value = { action: REWRITE, note: RLO };
    expect(JSON.parse(visibleText(JSON.stringify(value, null, 2)))).toEqual(value);
  });

  it('the audit table escapes before padding, so the columns stay aligned', () => {
    const entry = { id: 1, time: '2026-01-01T00:00:00.000Z', tenantId: 'acme', kind: 'check' as const, agentId: RLO, action: REWRITE, decision: 'DENY', policyId: null, approver: null, outcome: null, approvalId: null, idempotencyKey: null, requestId: null, reason: null, traceId: null };
    const table = formatAuditTable([entry]);
    expect(table).not.toMatch(RAW);
    const [head, , row] = table.split('\n');
    expect(row!.indexOf('DENY')).toBe(head!.indexOf('decision'));
  });
});

describe('the CLI prints hostile text escaped', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startServer({ policy: { version: 1, default: 'APPROVAL_REQUIRED', tenants: TENANTS, rules: [] } });
  });
  afterAll(() => server.close());

  it('approvals, approve, reject and audit: no raw control or bidi character reaches the terminal', async () => {
    const ids: string[] = [];
    for (const action of [REWRITE, `${RLO}.send`]) {
      const response = await fetch(`${server.url}/api/sentinel/action/check`, {
        method: 'POST',
        headers: { 'x-api-key': acme.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ agent_id: `bot\u202E1`, action, params: { memo: `ok\r\x1b[1A\x1b[2Kapproved by alice`, file: RLO } }),
      });
      ids.push(((await response.json()) as { approval_id: string }).approval_id);
    }
    const connection = ['--url', server.url, '--tenant', 'acme'];
    const runs = [
      ['approvals', ...connection],
      ['approvals', '--json', ...connection],
      ['approve', ids[0]!, '--as', 'ali\u202Ece', ...connection],
      ['reject', ids[1]!, '--reason', `no\x1b[2K`, ...connection],
      ['audit', ...connection],
      ['audit', '--format', 'jsonl', ...connection],
    ];
    const printed: string[] = [];
    for (const argv of runs) {
      const run = capture();
      expect(await main(argv, run.io)).toBe(0);
      printed.push(...run.out, ...run.err);
    }
    const text = printed.join('\n');
    expect(text).not.toMatch(RAW);
    expect(text).toContain('payment.process\\u000d\\u001b[2Kread.report');
    expect(text).toContain('invoice\\u202efdp.exe');
    // The JSON a script reads still parses to what the agent sent.
    const json = capture();
    await main(['approvals', '--status', 'all', '--json', ...connection], json.io);
    expect((JSON.parse(json.out.join('\n')) as Array<{ action: string }>).map((approval) => approval.action)).toEqual([REWRITE, `${RLO}.send`]);
  });

  it('errors that echo input are escaped too', async () => {
    const run = capture();
    expect(await main(['approve', `abcd\x1b[2J`, '--url', server.url, '--tenant', 'acme'], run.io)).toBe(1);
    expect(run.err.join('\n')).not.toMatch(RAW);
    expect(run.err.join('\n')).toContain('\\u001b[2J');
  });
});
