// Every list route pages with an opaque cursor: `limit` up to maxPageSize, `next_cursor` null at
// the end, stable while rows are added; the CLI and the admin client follow it.
import { AdminClient, buildServer, type BuiltServer, type LocalServer } from '@haltstate/local';
import { main, type CliIo } from '../../src/cli/index';
import { POLICY, startServer, TENANTS } from '../helpers/server';

const acme = TENANTS[0]!;
const admin = { authorization: `Bearer ${acme.adminKey}` };

const check = (built: BuiltServer, index: number) =>
  built.app.inject({ method: 'POST', url: '/api/sentinel/action/check', headers: { 'x-api-key': acme.apiKey }, payload: { agent_id: 'payment-bot-1', action: 'payment.process', params: { amount: 5000 + index } } });

describe('GET /local/approvals', () => {
  let built: BuiltServer;
  beforeEach(async () => {
    built = buildServer({ policy: POLICY, limits: { maxPageSize: 5 } });
    for (let index = 0; index < 7; index++) await check(built, index);
  });
  afterEach(() => built.app.close());
  const list = async (query: string) => {
    const response = await built.app.inject({ method: 'GET', url: `/local/approvals?${query}`, headers: admin });
    return { status: response.statusCode, body: response.json() as { approvals: Array<{ params: { amount: number } }>; next_cursor: string | null; detail?: string } };
  };

  it('pages by limit and cursor, next_cursor null on the last page, with rows added between pages seen once, in order', async () => {
    const first = await list('limit=3');
    expect(first.body.approvals.map((approval) => approval.params.amount)).toEqual([5000, 5001, 5002]);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    await check(built, 100);
    const second = await list(`limit=3&cursor=${first.body.next_cursor}`);
    expect(second.body.approvals.map((approval) => approval.params.amount)).toEqual([5003, 5004, 5005]);
    await check(built, 101);
    const third = await list(`limit=3&cursor=${second.body.next_cursor}`);
    expect(third.body.approvals.map((approval) => approval.params.amount)).toEqual([5006, 5100, 5101]);
    // A full last page already says it is the last: no empty page to fetch.
    expect(third.body.next_cursor).toBeNull();
    await check(built, 102);
    const after = await list(`limit=3&cursor=${second.body.next_cursor}`);
    expect(after.body.approvals.map((approval) => approval.params.amount)).toEqual([5006, 5100, 5101]);
    expect((await list(`limit=3&cursor=${after.body.next_cursor}`)).body).toMatchObject({ approvals: [{ params: { amount: 5102 } }], next_cursor: null });
  });

  it('without a limit, a page is at most maxPageSize', async () => {
    const page = await list('status=pending');
    expect(page.body.approvals).toHaveLength(5);
    expect((await list(`status=pending&cursor=${page.body.next_cursor}`)).body).toMatchObject({ approvals: [{}, {}], next_cursor: null });
  });

  it('a limit over maxPageSize, a forged cursor and an audit cursor are 422s that say so', async () => {
    expect(await list('limit=6')).toEqual({ status: 422, body: { detail: 'limit: at most 5 (server limit maxPageSize); follow next_cursor for more' } });
    expect((await list('cursor=bm9wZQ')).status).toBe(422);
    const audit = await built.app.inject({ method: 'GET', url: '/local/audit?limit=1', headers: admin });
    const auditCursor = audit.headers['x-next-cursor'] as string;
    expect((await list(`cursor=${auditCursor}`)).body.detail).toMatch(/not a cursor of approvals/);
  });
});

describe('GET /local/audit', () => {
  it('keeps its JSON array; the next cursor rides in X-Next-Cursor and Link; JSON Lines streams every page', async () => {
    const built = buildServer({ policy: POLICY, limits: { maxPageSize: 2 } });
    for (let index = 0; index < 3; index++) await check(built, index);
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const response = await built.app.inject({ method: 'GET', url: `/local/audit${cursor ? `?cursor=${cursor}` : ''}`, headers: admin });
      const entries = response.json() as Array<{ id: number }>;
      expect(entries.length).toBeLessThanOrEqual(2);
      seen.push(...entries.map((entry) => entry.id));
      cursor = response.headers['x-next-cursor'] as string | undefined;
      if (cursor === undefined) break;
      expect(response.headers.link).toBe(`</local/audit?cursor=${cursor}>; rel="next"`);
    }
    const lines = await built.app.inject({ method: 'GET', url: '/local/audit', headers: { ...admin, accept: 'application/x-ndjson' } });
    const exported = lines.body.trim().split('\n').map((line) => (JSON.parse(line) as { id: number }).id);
    expect(exported).toEqual(seen);
    expect(exported.length).toBeGreaterThan(2);
    expect(new Set(exported).size).toBe(exported.length);
    await built.app.close();
  });
});

describe('the admin client and the CLI follow the cursors', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startServer({ limits: { maxPageSize: 2 } });
    const built = { app: { inject: (options: { method: 'POST'; url: string; headers: Record<string, string>; payload: unknown }) => fetch(`${server.url}${options.url}`, { method: options.method, headers: { ...options.headers, 'content-type': 'application/json' }, body: JSON.stringify(options.payload) }) } };
    for (let index = 0; index < 5; index++) await check(built as unknown as BuiltServer, index);
  });
  afterAll(() => server.close());

  it('AdminClient.approvals() and audit() return every row across pages', async () => {
    const client = new AdminClient({ url: server.url, tenantId: acme.id, adminKey: acme.adminKey });
    expect((await client.approvals('pending')).map((approval) => approval.params.amount)).toEqual([5000, 5001, 5002, 5003, 5004]);
    expect((await client.audit()).filter((entry) => entry.kind === 'check')).toHaveLength(5);
  });

  it('haltstate approvals shows a page and names the command for the next one', async () => {
    const out: string[] = [];
    const io: CliIo = { out: (text) => out.push(text), err: () => undefined, env: { HALTSTATE_ADMIN_KEY: acme.adminKey } };
    expect(await main(['approvals', '--url', server.url, '--tenant', 'acme', '--limit', '2'], io)).toBe(0);
    const hint = out.at(-1)!;
    expect(hint).toMatch(/^more approvals: haltstate approvals --status pending --cursor \S+$/);
    out.length = 0;
    expect(await main(['approvals', '--url', server.url, '--tenant', 'acme', '--limit', '2', '--cursor', hint.split(' ').at(-1)!], io)).toBe(0);
    expect(out.filter((line) => line.includes('params'))).toEqual([expect.stringContaining('5002'), expect.stringContaining('5003')]);
    out.length = 0;
    expect(await main(['audit', '--url', server.url, '--tenant', 'acme', '--format', 'jsonl'], io)).toBe(0);
    expect(out.join('\n').split('\n').filter((line) => line.includes('"kind":"check"'))).toHaveLength(5);
  });
});
