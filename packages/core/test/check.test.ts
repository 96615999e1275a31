import { gzipSync } from 'node:zlib';
import {
  HaltStateAuthError,
  HaltStateConnectionError,
  HaltStateError,
  HaltStateNotFoundError,
  HaltStatePolicyError,
  HaltStateProtocolError,
  HaltStateValidationError,
  IdempotencyConflictError,
} from '@haltstate/core';
import { api, json, makeClient, PREFIX, setupNock } from './helpers/api';

setupNock();

describe('check()', () => {
  it('posts agent_id, action and params and maps the decision', async () => {
    const scope = api()
      .matchHeader('content-type', 'application/json')
      .post(`${PREFIX}/action/check`, { agent_id: 'payment-bot-01', action: 'payment.process', params: { amount: 5000 } })
      .reply(200, { decision: 'ALLOW', reason: 'Small payment', policy_id: 'pol_1', latency_ms: 4 }, json);
    const decision = await makeClient().check({ action: 'payment.process', params: { amount: 5000 }, agentId: 'payment-bot-01' });
    expect(decision).toEqual({
      decision: 'ALLOW', allowed: true, denied: false, requiresApproval: false, reason: 'Small payment', policyId: 'pol_1', latencyMs: 4,
      approvalId: null, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), failOpen: false, action: 'payment.process', agentId: 'payment-bot-01',
    });
    scope.done();
  });

  it('accepts (action, { params, agentId }) and defaults agent and params', async () => {
    api().post(`${PREFIX}/action/check`, { agent_id: 'bot-1', action: 'email.send', params: {} }).reply(200, { decision: 'DENY' }, json);
    const decision = await makeClient().check('email.send');
    expect(decision).toMatchObject({ denied: true, reason: '', policyId: null, latencyMs: 0 });
  });

  it('reads approval_id, falling back to an older server\'s request_id', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'APPROVAL_REQUIRED', approval_id: 'apr_1' }, json);
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'APPROVAL_REQUIRED', request_id: 'req_9' }, json);
    const client = makeClient();
    expect((await client.check('a.b')).approvalId).toBe('apr_1');
    expect((await client.check('a.b')).approvalId).toBe('req_9');
  });

  it.each([
    ['an unknown decision', { decision: 'MAYBE' }, json],
    ['APPROVAL_REQUIRED without an approval id', { decision: 'APPROVAL_REQUIRED' }, json],
    ['a decision of the wrong type', { decision: true }, json],
    ['an HTML page', '<html>login</html>', { 'content-type': 'text/html' }],
    ['truncated JSON', '{"decision":"ALL', json],
  ])('treats %s as a protocol error, never an allow', async (_, body, headers) => {
    api().post(`${PREFIX}/action/check`).reply(200, body as never, headers);
    await expect(makeClient({ failOpen: true }).check('a.b')).rejects.toBeInstanceOf(HaltStateProtocolError);
  });

  it('refuses a response body larger than 1 MiB', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, JSON.stringify({ decision: 'ALLOW', reason: 'x'.repeat(1_100_000) }), json);
    await expect(makeClient().check('a.b')).rejects.toThrow(/larger than/);
  });

  it('refuses a gzip body that inflates past 1 MiB, though its declared (compressed) length is small', async () => {
    const inflated = JSON.stringify({ decision: 'ALLOW', reason: 'x'.repeat(2_000_000) });
    const compressed = gzipSync(inflated);
    expect(compressed.length).toBeLessThan(100_000);
    api().post(`${PREFIX}/action/check`).reply(200, compressed, { ...json, 'content-encoding': 'gzip', 'content-length': String(compressed.length) });
    await expect(makeClient().check('a.b')).rejects.toThrow(/larger than/);
  });

  it.each([
    [401, HaltStateAuthError],
    [403, HaltStateAuthError],
    [404, HaltStateNotFoundError],
    [409, IdempotencyConflictError],
    [400, HaltStatePolicyError],
    [422, HaltStatePolicyError],
    [418, HaltStateError],
  ])('maps status %i to %p with method, route and status in the message', async (status, type) => {
    api().post(`${PREFIX}/action/check`).reply(status, { detail: 'server says no' }, { ...json, 'x-request-id': 'srv-1' });
    const error = (await makeClient({ failOpen: true }).check('a.b').catch((e: unknown) => e)) as HaltStateError;
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ status, requestId: 'srv-1' });
    expect(error.message).toContain('POST /api/sentinel/action/check');
    expect(error.message).toContain('server says no');
  });

  it('keeps the server detail of a 422 and scrubs the API key out of it', async () => {
    api().post(`${PREFIX}/action/check`).reply(422, { detail: [{ loc: ['body', 'action'], msg: 'field required' }] }, json);
    const error = (await makeClient().check('a.b').catch((e: unknown) => e)) as HaltStatePolicyError;
    expect(error.detail).toContain('field required');
  });

  it('uses the branded prefix when asked', async () => {
    api().post('/api/haltstate/sentinel/action/check').reply(200, { decision: 'ALLOW' }, json);
    expect((await makeClient({ namespace: 'branded' }).check('a.b')).allowed).toBe(true);
  });

  describe('fail-open', () => {
    it('returns a marked synthetic ALLOW only when the service is unreachable', async () => {
      api().post(`${PREFIX}/action/check`).reply(503, 'down');
      const decision = await makeClient({ failOpen: true }).check('a.b');
      expect(decision).toMatchObject({ decision: 'ALLOW', allowed: true, failOpen: true, reason: 'Fail-open: connection error' });
    });

    it('fails closed by default', async () => {
      api().post(`${PREFIX}/action/check`).replyWithError('ECONNRESET');
      await expect(makeClient().check('a.b')).rejects.toBeInstanceOf(HaltStateConnectionError);
    });

    it('never opens on auth errors', async () => {
      api().post(`${PREFIX}/action/check`).reply(401, { detail: 'bad key' }, json);
      await expect(makeClient({ failOpen: true }).check('a.b')).rejects.toBeInstanceOf(HaltStateAuthError);
    });
  });

  describe('bad input is refused before any request', () => {
    // No interceptor is set up: a request would fail the test with a connection error.
    it.each([
      ['an empty action', { action: '' }, 'action'],
      ['a non-string action', { action: 42 }, 'action'],
      ['an action with spaces around it', { action: ' pay ' }, 'action'],
      ['params that are an array', { action: 'a.b', params: [1] }, 'params'],
      ['a BigInt param', { action: 'a.b', params: { amount: 10n } }, 'params.amount'],
      ['a function param', { action: 'a.b', params: { cb: () => 1 } }, 'params.cb'],
      ['a symbol param', { action: 'a.b', params: { s: Symbol('x') } }, 'params.s'],
      ['NaN', { action: 'a.b', params: { n: Number.NaN } }, 'params.n'],
      ['a Map', { action: 'a.b', params: { m: new Map() } }, 'params.m'],
      ['an invalid Date', { action: 'a.b', params: { d: new Date('nope') } }, 'params.d'],
    ])('%s', async (_, input, path) => {
      const error = await makeClient().check(input as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HaltStateValidationError);
      expect((error as HaltStateValidationError).path).toBe(path);
    });

    it('a cycle', async () => {
      const params: Record<string, unknown> = { a: 1 };
      params.self = params;
      await expect(makeClient().check({ action: 'a.b', params })).rejects.toThrow(/params\.self is a circular reference/);
    });
  });
});
