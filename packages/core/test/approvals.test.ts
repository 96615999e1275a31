import { HaltStateAuthError, type ApprovalEvent } from '@haltstate/core';
import { api, json, makeClient, PREFIX, setupNock, TENANT } from './helpers/api';
import { advance, sseHeaders, sseStream, until } from './helpers/sse';

setupNock();

const decision = (id: string, timestamp: string) => ({ type: 'APPROVAL_DECISION', request_id: id, status: 'approved', approver: 'alice', reason: null, agent_id: 'bot', action: 'a.b', timestamp, catchup: false });

describe('approvals()', () => {
  it('yields decisions and reconnects after a drop, resuming from the last timestamp', async () => {
    const first = sseStream();
    const second = sseStream();
    api().get(`${PREFIX}/approvals/stream`).query({ tenant_id: TENANT, last_seen: '2026-01-01T00:00:00.000Z' }).reply(200, () => first.body, sseHeaders);
    const resumed = api().get(`${PREFIX}/approvals/stream`).query({ tenant_id: TENANT, last_seen: '2026-01-01T00:00:05Z' }).reply(200, () => second.body, sseHeaders);
    const client = makeClient();
    const controller = new AbortController();
    const seen: ApprovalEvent[] = [];
    const loop = (async () => {
      for await (const event of client.approvals({ lastSeen: new Date('2026-01-01T00:00:00Z'), signal: controller.signal })) seen.push(event);
    })();
    first.send({ type: 'CONNECTED' });
    first.body.write('data: {"type":"APPROVAL_DECI');
    first.body.write('SION","request_id":"a1","status":"approved","approver":"alice","reason":null,"agent_id":"bot","action":"a.b","timestamp":"2026-01-01T00:00:05Z","catchup":true}\n\n');
    await until(() => seen.length === 1);
    first.body.write('data: not json\n\n');
    first.end();
    await until(() => resumed.isDone());
    second.send({ type: 'CONNECTED' });
    second.send(decision('a2', '2026-01-01T00:00:09Z'));
    await until(() => seen.length === 2);
    expect(seen).toEqual([
      { approvalId: 'a1', status: 'approved', approver: 'alice', reason: null, agentId: 'bot', action: 'a.b', timestamp: '2026-01-01T00:00:05Z', catchup: true },
      expect.objectContaining({ approvalId: 'a2', catchup: false }),
    ]);
    controller.abort();
    await loop;
    second.end();
  });

  it('throws on auth errors instead of reconnecting', async () => {
    api().get(`${PREFIX}/approvals/stream`).query(true).reply(401, { detail: 'bad key' }, json);
    const iterate = async () => {
      for await (const _ of makeClient().approvals()) void _;
    };
    await expect(iterate()).rejects.toBeInstanceOf(HaltStateAuthError);
  });

  it('refuses a stream that is not text/event-stream', async () => {
    api().get(`${PREFIX}/approvals/stream`).query(true).reply(200, '{}', json);
    const iterate = async () => {
      for await (const _ of makeClient().approvals()) void _;
    };
    await expect(iterate()).rejects.toMatchObject({ name: 'HaltStateProtocolError' });
  });

  it('a line over 1 MiB on the first connection is a clear protocol error', async () => {
    const stream = sseStream();
    api().get(`${PREFIX}/approvals/stream`).query(true).reply(200, () => stream.body, sseHeaders);
    const iterate = async () => {
      for await (const _ of makeClient().approvals()) void _;
    };
    const result = iterate().catch((e: unknown) => e);
    const piece = 'q'.repeat(64 * 1024);
    stream.body.write('data: ');
    for (let index = 0; index < 17; index++) stream.body.write(piece);
    expect(await result).toMatchObject({ name: 'HaltStateProtocolError', message: expect.stringMatching(/approvals\/stream sent a line longer than 1 MiB/) });
    // The client cancelled the body; nock would fail closing it again on a clean end.
    stream.body.destroy();
  });

  it('a line over 1 MiB after the stream connected drops it and reconnects from the last timestamp', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const first = sseStream();
    const second = sseStream();
    api().get(`${PREFIX}/approvals/stream`).query({ tenant_id: TENANT }).reply(200, () => first.body, sseHeaders);
    const resumed = api().get(`${PREFIX}/approvals/stream`).query({ tenant_id: TENANT, last_seen: '2026-01-01T00:00:05Z' }).reply(200, () => second.body, sseHeaders);
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of makeClient().approvals({ signal: controller.signal })) seen.push(event.approvalId);
    })();
    first.send({ type: 'CONNECTED' });
    first.send(decision('a1', '2026-01-01T00:00:05Z'));
    await until(() => seen.length === 1);
    first.body.write('data: ');
    const piece = 'q'.repeat(64 * 1024);
    for (let index = 0; index < 17; index++) first.body.write(piece);
    while (!resumed.isDone()) await advance(100);
    second.send({ type: 'CONNECTED' });
    second.send(decision('a2', '2026-01-01T00:00:06Z'));
    await until(() => seen.length === 2);
    expect(seen).toEqual(['a1', 'a2']);
    controller.abort();
    await loop;
    first.body.destroy();
    second.end();
    jest.useRealTimers();
  });

  it('onApproval calls back until unsubscribed', async () => {
    const stream = sseStream();
    api().get(`${PREFIX}/approvals/stream`).query(true).reply(200, () => stream.body, sseHeaders);
    const client = makeClient();
    const events: string[] = [];
    const unsubscribe = client.onApproval((event) => events.push(event.approvalId));
    stream.send({ type: 'CONNECTED' });
    stream.send(decision('x1', '2026-01-01T00:00:01Z'));
    await until(() => events.length === 1);
    unsubscribe();
    stream.send(decision('x2', '2026-01-01T00:00:02Z'));
    stream.end();
    expect(events).toEqual(['x1']);
  });

  it('approvalsSince sends tenant, since and limit and maps decisions', async () => {
    api()
      .matchHeader('x-admin-token', /SECRET/)
      .get(`${PREFIX}/approvals/since`)
      .query({ tenant_id: TENANT, since: '2026-01-01T00:00:00.000Z', limit: '50' })
      .reply(200, { decisions: [{ request_id: 'a1', status: 'rejected', approver: 'bob', reason: 'no', agent_id: 'bot', action: 'a.b', decided_at: '2026-01-01T01:00:00Z' }] }, json);
    const out = await makeClient().approvalsSince(new Date('2026-01-01T00:00:00Z'), { limit: 50 });
    expect(out).toEqual([{ approvalId: 'a1', status: 'rejected', approver: 'bob', reason: 'no', agentId: 'bot', action: 'a.b', timestamp: '2026-01-01T01:00:00Z', catchup: false }]);
    await expect(makeClient().approvalsSince('yesterday')).rejects.toMatchObject({ path: 'since' });
    await expect(makeClient().approvalsSince(new Date(), { limit: 501 })).rejects.toMatchObject({ path: 'limit' });
  });

  it('waitForApproval resolves when approved and throws ActionDenied when rejected', async () => {
    api().get(`${PREFIX}/approval/ok`).reply(200, { status: 'approved', approver: 'alice', action: 'a.b' }, json);
    api().get(`${PREFIX}/approval/no`).reply(200, { status: 'rejected', approver: 'bob', reason: 'too big', action: 'a.b' }, json);
    api().get(`${PREFIX}/approval/gone`).reply(404, { detail: 'Approval not found' }, json);
    const client = makeClient();
    await expect(client.waitForApproval('ok')).resolves.toMatchObject({ status: 'approved', approver: 'alice' });
    await expect(client.waitForApproval('no')).rejects.toMatchObject({ name: 'ActionDenied', reason: 'too big', approver: 'bob' });
    await expect(client.waitForApproval('gone')).rejects.toMatchObject({ name: 'HaltStateNotFoundError', status: 404 });
  });
});
