// X-Request-Id on every request, the same on every attempt of one call; and which failures each
// kind of call retries. A check creates an approval on the server, so it is retried only when it
// surely did not reach it (refused connection, 429, 503); guard, reports and GETs are idempotent
// on the server and retry every passing failure.
import { createServer } from 'node:net';
import nock from 'nock';
import { HaltStateClient, type ClientOptions } from '@haltstate/core';
import { api, BASE_URL, json, KEY, makeClient, PREFIX, setupNock, TENANT } from './helpers/api';
import { drive, sseHeaders, sseStream, until } from './helpers/sse';

setupNock();

/** A client whose every request's path and X-Request-Id are recorded on the way out. */
function recordingClient(options: ClientOptions = {}) {
  const sent: Array<{ path: string; id: string | null }> = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    sent.push({ path: new URL(String(input)).pathname.replace(PREFIX, ''), id: headersOf(init).get('x-request-id') });
    return globalThis.fetch(input, init);
  };
  return { client: makeClient({ ...options, fetch }), sent };
}

// The transport calls fetch(url, init) (see 'what a custom fetch is handed').
const headersOf = (init?: RequestInit) => new Headers(init?.headers);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const refused = () => ({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:443' });

describe('X-Request-Id', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => {
    nock.abortPendingRequests();
    jest.useRealTimers();
  });

  it('check: one id for every attempt, and it is the Decision.requestId', async () => {
    api().post(`${PREFIX}/action/check`).replyWithError(refused());
    api().post(`${PREFIX}/action/check`).reply(429, 'slow down');
    api().post(`${PREFIX}/action/check`).reply(503, 'busy');
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW' }, json);
    const { client, sent } = recordingClient({ retries: 3 });
    const { result } = await drive(client.check('a.b'));
    expect(result.status).toBe('fulfilled');
    const decision = (result as PromiseFulfilledResult<Awaited<ReturnType<typeof client.check>>>).value;
    expect(decision.requestId).toMatch(UUID);
    expect(sent).toEqual(Array(4).fill({ path: '/action/check', id: decision.requestId }));
  });

  it('each call gets its own id; guard keeps one id across its retries', async () => {
    api().post(`${PREFIX}/action/guard`).reply(502, 'bad gateway');
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied' }, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied' }, json);
    const { client, sent } = recordingClient({ retries: 2 });
    await drive(client.guard({ action: 'a.b', idempotencyKey: 'k' }, jest.fn()));
    await drive(client.guard({ action: 'a.b', idempotencyKey: 'k' }, jest.fn()));
    expect(sent).toHaveLength(3);
    expect(sent[0]!.id).toMatch(UUID);
    expect(sent[1]!.id).toBe(sent[0]!.id);
    expect(sent[2]!.id).not.toBe(sent[0]!.id);
  });

  it('a report keeps its id across the queue\'s delivery attempts', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW' }, json);
    api().post(`${PREFIX}/action/report`).twice().reply(503, 'down');
    const delivered = api().post(`${PREFIX}/action/report`).reply(200, {}, json);
    const { client, sent } = recordingClient();
    const { result } = await drive(client.execute({ action: 'a.b' }, () => 'ok'));
    expect(result.status).toBe('fulfilled');
    while (!delivered.isDone()) await drive(new Promise((resolve) => setTimeout(resolve, 500)));
    const reports = sent.filter((entry) => entry.path === '/action/report');
    expect(reports).toHaveLength(3);
    expect(new Set(reports.map((entry) => entry.id)).size).toBe(1);
    expect(reports[0]!.id).not.toBe(sent[0]!.id);
    await client.close();
  });

  it('GETs and the SSE stream carry one too', async () => {
    api().get(`${PREFIX}/heartbeat`).query(true).reply(200, { status: 'OK' }, json);
    api().get(`${PREFIX}/approval/ap`).reply(200, { status: 'approved' }, json);
    const stream = sseStream();
    const opened = api().get(`${PREFIX}/approvals/stream`).query(true).reply(200, () => stream.body, sseHeaders);
    const { client, sent } = recordingClient();
    await client.heartbeat();
    await client.getApproval('ap');
    const controller = new AbortController();
    const loop = (async () => {
      for await (const _ of client.approvals({ signal: controller.signal })) void _;
    })();
    await until(() => opened.isDone());
    controller.abort();
    await loop;
    stream.end();
    expect(sent.map((entry) => entry.path)).toEqual(['/heartbeat', '/approval/ap', '/approvals/stream']);
    for (const entry of sent) expect(entry.id).toMatch(UUID);
    expect(new Set(sent.map((entry) => entry.id)).size).toBe(3);
  });
});

describe('what a custom fetch is handed', () => {
  it('a URL and a plain RequestInit: every header of its attempt, the JSON body, redirect manual; nothing of the SDK beside it', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW' }, json);
    api().get(`${PREFIX}/approval/ap`).reply(200, { status: 'approved' }, json);
    const handed: Array<{ url: unknown; init: RequestInit; headers: Record<string, string> }> = [];
    const client = makeClient({
      fetch: (input, init = {}) => {
        const headers: Record<string, string> = {};
        headersOf(init).forEach((value, name) => (headers[name] = value));
        handed.push({ url: input, init, headers });
        return globalThis.fetch(input, init);
      },
    });
    const decision = await client.check({ action: 'a.b', params: { amount: 5 } });
    await client.getApproval('ap');
    expect(handed.map((entry) => typeof entry.url)).toEqual(['string', 'string']);
    for (const { init } of handed) {
      expect(Object.keys(init).sort()).toEqual(['body', 'headers', 'method', 'redirect', 'signal']);
      expect(init.redirect).toBe('manual');
      expect(init.signal).toBeInstanceOf(AbortSignal);
    }
    const [check, read] = handed;
    expect(check!.init.method).toBe('POST');
    expect(JSON.parse(check!.init.body as string)).toMatchObject({ action: 'a.b', params: { amount: 5 } });
    expect(check!.headers).toMatchObject({ 'x-request-id': decision.requestId, 'content-type': 'application/json', 'x-tenant-id': TENANT, 'x-api-key': KEY });
    expect(check!.headers).not.toHaveProperty('x-admin-token');
    expect(read!.init).toMatchObject({ method: 'GET', body: undefined });
    expect(read!.url).toBe(`${BASE_URL}${PREFIX}/approval/ap`);
    expect(read!.headers).toMatchObject({ 'x-request-id': expect.stringMatching(UUID), 'x-admin-token': KEY });
    expect(read!.headers).not.toHaveProperty('content-type');
    await client.close();
  });

  it("the call's signal: the user's abort reaches the fetch in flight", async () => {
    let handed: AbortSignal | undefined;
    const client = makeClient({
      // A fetch that answers only by failing when its signal aborts.
      fetch: (_input, init = {}) =>
        new Promise<Response>((_resolve, reject) => {
          handed = init.signal ?? undefined;
          handed?.addEventListener('abort', () => reject(handed!.reason));
        }),
    });
    const controller = new AbortController();
    const call = client.check('a.b', {}, { signal: controller.signal });
    while (handed === undefined) await new Promise((resolve) => setImmediate(resolve));
    expect(handed.aborted).toBe(false);
    controller.abort(new Error('user gave up'));
    await expect(call).rejects.toThrow('user gave up');
    expect(handed.aborted).toBe(true);
    await client.close();
  });
});

describe('what each kind of call retries', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => {
    nock.abortPendingRequests();
    nock.cleanAll();
    jest.useRealTimers();
  });

  type Fault = [string, (scope: nock.Interceptor) => nock.Scope];
  // drive() advances fake time 5 ms per I/O turn while nock's replies travel on real turns: with
  // a short deadline, a loaded machine timed out the retry's own reply (seen: four attempts, the
  // last three finding no reply left). Only the timeout fault has a deadline, and a long one.
  const deadline = (name: string) => ({ retries: 3, ...(name === 'a timeout' ? { timeoutMs: 20_000 } : {}) });
  const reached: Fault[] = [
    ['500', (i) => i.reply(500, 'boom')],
    ['502', (i) => i.reply(502, 'bad gateway')],
    ['504', (i) => i.reply(504, 'gateway timeout')],
    ['408', (i) => i.reply(408, 'request timeout')],
    ['a reset', (i) => i.replyWithError({ code: 'ECONNRESET', message: 'socket hang up' })],
    ['a timeout', (i) => i.delay(600_000).reply(200, {}, json)],
  ];
  const unreached: Fault[] = [
    ['a refused connection', (i) => i.replyWithError(refused())],
    ['a failed DNS lookup', (i) => i.replyWithError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND haltstate.test' })],
    ['429', (i) => i.reply(429, 'slow down')],
    ['503', (i) => i.reply(503, 'unavailable')],
  ];

  it.each(reached)('check: %s is not retried (the server may have acted), one attempt', async (name, fault) => {
    fault(api().post(`${PREFIX}/action/check`));
    const { client, sent } = recordingClient(deadline(name));
    const { result, waits } = await drive(client.check('a.b'));
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'HaltStateConnectionError', message: expect.stringContaining('not retried') });
    expect(sent).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it.each(unreached)('check: %s is retried with the same id', async (name, fault) => {
    fault(api().post(`${PREFIX}/action/check`));
    fault(api().post(`${PREFIX}/action/check`));
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'DENY' }, json);
    const { client, sent } = recordingClient(deadline(name));
    const { result } = await drive(client.check('a.b'));
    expect(result).toMatchObject({ status: 'fulfilled', value: { denied: true } });
    expect(sent).toHaveLength(3);
    expect(sent[0]!.id).toMatch(UUID);
    expect(new Set(sent.map((entry) => entry.id)).size).toBe(1);
  });

  it.each([...reached, ...unreached])('guard: %s is retried with the same id', async (name, fault) => {
    fault(api().post(`${PREFIX}/action/guard`));
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied' }, json);
    const { client, sent } = recordingClient(deadline(name));
    const { result } = await drive(client.guard({ action: 'a.b', idempotencyKey: 'k' }, jest.fn()));
    expect(result).toMatchObject({ status: 'rejected', reason: { name: 'ActionDenied' } });
    expect(sent).toHaveLength(2);
    expect(sent[0]!.id).toMatch(UUID);
    expect(sent[1]!.id).toBe(sent[0]!.id);
  });

  it.each(reached)('GET heartbeat: %s is retried', async (name, fault) => {
    fault(api().get(`${PREFIX}/heartbeat`).query(true));
    api().get(`${PREFIX}/heartbeat`).query(true).reply(200, { status: 'PAUSE' }, json);
    const { client, sent } = recordingClient(deadline(name));
    const { result } = await drive(client.heartbeat());
    expect(result).toMatchObject({ status: 'fulfilled', value: 'PAUSE' });
    expect(sent).toHaveLength(2);
    expect(sent[0]!.id).toMatch(UUID);
    expect(sent[1]!.id).toBe(sent[0]!.id);
  });

  it('check: a real refused connection (nothing listening) is retried, then a connection error', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    nock.enableNetConnect('127.0.0.1');
    try {
      const sent: string[] = [];
      const client = new HaltStateClient({
        tenantId: TENANT, apiKey: KEY, baseUrl: `http://127.0.0.1:${port}`, retries: 2,
        fetch: (input, init) => (sent.push(headersOf(init).get('x-request-id')!), globalThis.fetch(input, init)),
      });
      const { result, waits } = await drive(client.check('a.b'));
      expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'HaltStateConnectionError', message: expect.stringContaining('3 attempt') });
      expect(waits).toHaveLength(2);
      expect(sent).toHaveLength(3);
      expect(sent[0]).toMatch(UUID);
      expect(new Set(sent).size).toBe(1);
    } finally {
      nock.disableNetConnect();
    }
  });
});
