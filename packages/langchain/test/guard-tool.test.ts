import nock from 'nock';
import { z } from 'zod';
import { ToolMessage } from '@langchain/core/messages';
import { DynamicStructuredTool, StructuredTool, tool } from '@langchain/core/tools';
import { ApprovalPending, HaltStateClient, deriveIdempotencyKey } from '@haltstate/core';
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

  it('without a tool call id: check → run → report with the (redacted) output', async () => {
    const calls: unknown[] = [];
    const client = makeClient();
    const guarded = guardTool(makeRefund(calls), { client });
    api().post('/api/sentinel/action/check', { agent_id: 'agent-1', action: 'tool.refund', params: { orderId: 'o-1', amount: 5 } }).reply(200, { decision: 'ALLOW' }, json);
    const report = api()
      .post('/api/sentinel/action/report', (body) => body.status === 'success' && body.action === 'tool.refund' && body.result.value === '{"refunded":"o-1","amount":5,"token":"tok_1"}')
      .reply(200, {}, json);
    await expect(guarded.invoke({ orderId: 'o-1', amount: 5 })).resolves.toBe('{"refunded":"o-1","amount":5,"token":"tok_1"}');
    expect(calls).toEqual([['o-1', 5]]);
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

  it('with a tool call id: the guard flow with a key derived from call id, tool, agent and args; replays ask the same', async () => {
    const client = makeClient();
    const guarded = guardTool(new WeatherTool(), { client });
    const key = deriveIdempotencyKey('acme', 'agent-1', 'tool.weather', { tool_call_id: 'call_9', args: { city: 'Oslo' } });
    api().post('/api/sentinel/action/guard', { agent_id: 'agent-1', action: 'tool.weather', params: { city: 'Oslo' }, idempotency_key: key, tenant_id: 'acme' }).twice().reply(200, { status: 'pending', approval_id: 'apr-9' }, json);
    for (let replay = 0; replay < 2; replay++) {
      const message = (await guarded.invoke({ type: 'tool_call', id: 'call_9', name: 'weather', args: { city: 'Oslo' } })) as ToolMessage;
      expect(message.content).toBe('approval requested: "tool.weather" needs a human\'s approval before it runs (approval id apr-9). It has not run; do not call it again until it is approved.');
    }
  });

  it("onPending 'throw' throws ApprovalPending for graph-level handling", async () => {
    const guarded = guardTool(new WeatherTool(), { client: makeClient(), onPending: 'throw' });
    api().post('/api/sentinel/action/check').reply(200, { decision: 'APPROVAL_REQUIRED', approval_id: 'apr-1' }, json);
    await expect(guarded.invoke({ city: 'Rome' })).rejects.toBeInstanceOf(ApprovalPending);
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
    api().post('/api/sentinel/action/check').reply(200, { decision: 'ALLOW' }, json);
    const report = api().post('/api/sentinel/action/report', (body) => body.status === 'error' && body.result.error === 'payment provider down').reply(200, {}, json);
    await expect(guarded.invoke({ amount: 1 })).rejects.toThrow('payment provider down');
    await client.flush();
    report.done();
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
  });

  it('invalid input is refused by the schema before anything is asked', async () => {
    const guarded = guardTool(makeRefund([]), { client: makeClient() });
    await expect(guarded.invoke({ orderId: 1 } as never)).rejects.toThrow(/did not match expected schema/);
  });
});
