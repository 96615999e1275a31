import nock from 'nock';
import { z } from 'zod';
import { ToolMessage } from '@langchain/core/messages';
import { DynamicStructuredTool, StructuredTool, tool } from '@langchain/core/tools';
import { ActionDenied, ApprovalPending, HaltStateClient } from '@haltstate/core';
import { guardTool, guardTools } from '@haltstate/langchain';
import { testKey } from '@test-support/keys';
import { setupNock } from '@test-support/nock';

const BASE = 'https://haltstate.test';
const KEY = testKey('langchain');
const json = { 'content-type': 'application/json' };
const api = () => nock(BASE).matchHeader('x-api-key', KEY);
const makeClient = () => new HaltStateClient({ tenantId: 'acme', apiKey: KEY, baseUrl: BASE, agentId: 'agent-1', retries: 0, onReportError: () => undefined });

setupNock();

const refundSchema = z.object({ orderId: z.string().describe('the order'), amount: z.number() });
const makeRefund = (calls: unknown[]) =>
  tool(
    async ({ orderId, amount }) => {
      calls.push([orderId, amount]);
      return JSON.stringify({ refunded: orderId, amount, token: 'tok_1' });
    },
    { name: 'refund', description: 'Refund an order', schema: refundSchema },
  );

class WeatherTool extends StructuredTool {
  name = 'weather';
  description = 'Current weather for a city';
  schema = z.object({ city: z.string() });
  calls = 0;
  protected async _call({ city }: { city: string }) {
    this.calls++;
    return `sunny in ${city}`;
  }
}

describe('guardTool', () => {
  it('keeps name, description, schema and class, for tool(), DynamicStructuredTool and StructuredTool subclasses', () => {
    const client = makeClient();
    const made = makeRefund([]);
    const dynamic = new DynamicStructuredTool({ name: 'lookup', description: 'Look up', schema: z.object({ q: z.string() }), func: async ({ q }) => q });
    const weather = new WeatherTool();
    for (const original of [made, dynamic, weather]) {
      const guarded = guardTool(original, { client });
      expect(guarded.name).toBe(original.name);
      expect(guarded.description).toBe(original.description);
      expect(guarded.schema).toBe(original.schema);
      expect(guarded).toBeInstanceOf(original.constructor);
      expect(guarded).toBeInstanceOf(StructuredTool);
    }
    expect(() => guardTool(guardTool(weather, { client }), { client })).toThrow(/already guarded/);
  });

  it('a direct invoke: guard (the tool input as params, a derived key) → run → guard report', async () => {
    const calls: unknown[] = [];
    const client = makeClient();
    const guarded = guardTool(makeRefund(calls), { client });
    let key = '';
    api()
      .post('/api/sentinel/action/guard', (body) => ((key = body.idempotency_key), true))
      .reply(function (_uri, body) {
        const { idempotency_key: _key, ...rest } = body as Record<string, unknown>;
        expect(rest).toEqual({ agent_id: 'agent-1', action: 'tool.refund', params: { orderId: 'o-1', amount: 5 }, tenant_id: 'acme' });
        return [200, { status: 'allowed' }, json];
      });
    const report = api().post('/api/sentinel/action/guard/report', (body) => body.idempotency_key === key && body.outcome === 'success' && body.action === 'tool.refund' && body.error === null).reply(200, {}, json);
    await expect(guarded.invoke({ orderId: 'o-1', amount: 5 })).resolves.toBe('{"refunded":"o-1","amount":5,"token":"tok_1"}');
    expect(calls).toEqual([['o-1', 5]]);
    expect(key).toMatch(/^hs_auto_/);
    await client.flush();
    report.done();
  });

  it('denied: the tool does not run and the model reads "not allowed: <reason>" in a ToolMessage', async () => {
    const calls: unknown[] = [];
    const client = makeClient();
    const guarded = guardTool(makeRefund(calls), { client });
    api().post('/api/sentinel/action/guard').reply(200, { status: 'denied', reason: 'Refunds over 100 need a manager', policy_id: 'refund-limit' }, json);
    const message = (await guarded.invoke({ type: 'tool_call', id: 'call_1', name: 'refund', args: { orderId: 'o-2', amount: 500 } })) as ToolMessage;
    expect(message).toBeInstanceOf(ToolMessage);
    expect(message.tool_call_id).toBe('call_1');
    expect(message.content).toBe('not allowed: Refunds over 100 need a manager');
    expect(calls).toEqual([]);
  });

  it("onPending 'throw' throws ApprovalPending for graph-level handling", async () => {
    const guarded = guardTool(new WeatherTool(), { client: makeClient(), onPending: 'throw' });
    api().post('/api/sentinel/action/guard').reply(200, { status: 'pending', approval_id: 'apr-1' }, json);
    await expect(guarded.invoke({ type: 'tool_call', id: 'call_1', name: 'weather', args: { city: 'Rome' } })).rejects.toBeInstanceOf(ApprovalPending);
  });

  it('the tool\'s own error is reported and rethrown untouched', async () => {
    const failing = tool(
      async () => {
        throw new Error('payment provider down');
      },
      { name: 'charge', description: 'Charge', schema: z.object({ amount: z.number() }) },
    );
    const client = makeClient();
    const guarded = guardTool(failing, { client });
    api().post('/api/sentinel/action/guard').reply(200, { status: 'allowed' }, json);
    const report = api().post('/api/sentinel/action/guard/report', (body) => body.outcome === 'error' && body.error === 'payment provider down').reply(200, {}, json);
    await expect(guarded.invoke({ amount: 1 })).rejects.toThrow('payment provider down');
    await client.flush();
    report.done();
  });

  it('a HaltState error thrown by the tool itself is rethrown, not read as a decision about this call', async () => {
    const inner = tool(
      async () => {
        throw new ActionDenied({ action: 'bank.transfer', reason: 'Over the limit' });
      },
      { name: 'pay', description: 'Pay', schema: z.object({ amount: z.number() }) },
    );
    const client = makeClient();
    api().post('/api/sentinel/action/guard').reply(200, { status: 'allowed' }, json);
    api().post('/api/sentinel/action/guard/report', (body) => body.outcome === 'error').reply(200, {}, json);
    await expect(guardTool(inner, { client }).invoke({ type: 'tool_call', id: 'call_2', name: 'pay', args: { amount: 1 } })).rejects.toThrow('Action "bank.transfer" denied: Over the limit');
    await client.flush();
  });

  it('custom action, params and idempotency key', async () => {
    const client = makeClient();
    const guarded = guardTool(makeRefund([]), {
      client,
      agentId: 'billing-bot',
      action: (t) => `billing.${t.name}`,
      params: (input) => ({ order: (input as { orderId: string }).orderId }),
      idempotencyKey: (input) => `refund-${(input as { orderId: string }).orderId}`,
    });
    api().post('/api/sentinel/action/guard', { agent_id: 'billing-bot', action: 'billing.refund', params: { order: 'o-7' }, idempotency_key: 'refund-o-7', tenant_id: 'acme' }).reply(200, { status: 'allowed' }, json);
    api().post('/api/sentinel/action/guard/report', { idempotency_key: 'refund-o-7', action: 'billing.refund', agent_id: 'billing-bot', outcome: 'success', error: null }).reply(200, {}, json);
    await expect(guarded.invoke({ orderId: 'o-7', amount: 1 })).resolves.toContain('"refunded":"o-7"');
    await client.flush();
  });

  it('guardTools guards each tool with the same options', () => {
    const [a, b] = guardTools([makeRefund([]), new WeatherTool()], { client: makeClient() });
    expect([a.name, b.name]).toEqual(['refund', 'weather']);
    expect(() => guardTool(new WeatherTool(), {} as never)).toThrow(/needs \{ client \}/);
    expect(() => guardTool(new WeatherTool(), { client: { tenantId: 'acme', agentId: 'a' } as never })).toThrow(/needs \{ client \}: a HaltStateClient/);
  });

  it('invalid input is refused by the schema before anything is asked', async () => {
    const guarded = guardTool(makeRefund([]), { client: makeClient() });
    await expect(guarded.invoke({ orderId: 1 } as never)).rejects.toThrow(/did not match expected schema/);
  });
});
