// What a guarded tool hands back for each HaltState answer, and which key it asks with.
import nock from 'nock';
import { z } from 'zod';
import { ToolMessage } from '@langchain/core/messages';
import { StructuredTool, tool } from '@langchain/core/tools';
import { HaltStateClient } from '@haltstate/core';
import { guardTool, guardTools } from '@haltstate/langchain';
import { testKey } from '@test-support/keys';
import { setupNock } from '@test-support/nock';

const BASE = 'https://haltstate.test';
const KEY = testKey('langchain-outcomes');
const GUARD = '/api/sentinel/action/guard';
const GUARD_REPORT = '/api/sentinel/action/guard/report';
const json = { 'content-type': 'application/json' };
const api = () => nock(BASE).matchHeader('x-api-key', KEY);
const makeClient = (agentId = 'agent-1') => new HaltStateClient({ tenantId: 'acme', apiKey: KEY, baseUrl: BASE, agentId, retries: 0, onReportError: () => undefined });

setupNock();

class RefundTool extends StructuredTool {
  name = 'refund';
  description = 'Refund an order';
  schema = z.object({ orderId: z.string(), amount: z.number() });
  calls = 0;
  protected async _call({ orderId, amount }: { orderId: string; amount: number }) {
    this.calls++;
    return `refunded ${amount} on ${orderId}`;
  }
}

const toolCall = (id: string, args: Record<string, unknown> = { orderId: 'o-1', amount: 40 }) => ({ type: 'tool_call' as const, id, name: 'refund', args });

/** A nock body matcher that records the idempotency key each guard call asked with. */
const recordKeys = (keys: string[]) => (body: { idempotency_key: string }) => (keys.push(body.idempotency_key), true);

describe('what the model reads', () => {
  it('allowed: the tool runs once, its output is a success ToolMessage, the outcome is reported', async () => {
    const client = makeClient();
    const refund = new RefundTool();
    const keys: string[] = [];
    api().post(GUARD, recordKeys(keys)).reply(200, { status: 'allowed', reason: 'Small refund' }, json);
    const report = api().post(GUARD_REPORT, (body) => body.idempotency_key === keys[0] && body.outcome === 'success' && body.action === 'tool.refund').reply(200, {}, json);
    const message = (await guardTool(refund, { client }).invoke(toolCall('call_1'))) as ToolMessage;
    expect(message).toBeInstanceOf(ToolMessage);
    expect([message.content, message.status, message.tool_call_id]).toEqual(['refunded 40 on o-1', 'success', 'call_1']);
    expect(refund.calls).toBe(1);
    await client.flush();
    report.done();
  });

  it('denied: the tool does not run; an error ToolMessage says "not allowed: <reason>"', async () => {
    const refund = new RefundTool();
    api().post(GUARD).reply(200, { status: 'denied', reason: 'Refunds over 100 need a manager', policy_id: 'refund-limit' }, json);
    const message = (await guardTool(refund, { client: makeClient() }).invoke(toolCall('call_2'))) as ToolMessage;
    expect([message.content, message.status, message.tool_call_id, message.name]).toEqual(['not allowed: Refunds over 100 need a manager', 'error', 'call_2', 'refund']);
    expect(refund.calls).toBe(0);
  });

  it("pending (onPending 'return'): an error ToolMessage with the approval id that says to call again with the same arguments once approved", async () => {
    const refund = new RefundTool();
    api().post(GUARD).reply(200, { status: 'pending', approval_id: 'apr-1' }, json);
    const message = (await guardTool(refund, { client: makeClient() }).invoke(toolCall('call_3'))) as ToolMessage;
    expect(message.status).toBe('error');
    expect(message.content).toBe(
      'approval requested: "tool.refund" needs a human\'s approval before it runs (approval id apr-1). It has not run. Tell the user it is waiting for approval; once it is approved, call it again with the same arguments and it will run.',
    );
    expect(refund.calls).toBe(0);
  });

  it('expired: an error ToolMessage; the tool does not run', async () => {
    const refund = new RefundTool();
    api().post(GUARD).reply(200, { status: 'expired', approval_id: 'apr-2', reason: 'Approval window closed' }, json);
    const message = (await guardTool(refund, { client: makeClient() }).invoke(toolCall('call_4'))) as ToolMessage;
    expect([message.content, message.status]).toEqual(['not allowed: the approval for "tool.refund" expired before it ran', 'error']);
    expect(refund.calls).toBe(0);
  });

  it('already executed on its approval: the tool does not run again; an error ToolMessage says what happened and what to do', async () => {
    const refund = new RefundTool();
    api().post(GUARD).reply(200, { status: 'executed', approval_id: 'apr-3', executed_at: '2026-01-05T10:00:00.000Z', reason: 'Already executed on this approval' }, json);
    const message = (await guardTool(refund, { client: makeClient() }).invoke(toolCall('call_5'))) as ToolMessage;
    expect(message.status).toBe('error');
    expect(message.content).toBe(
      'already done: "tool.refund" already ran on its approval (approval id apr-3, at 2026-01-05T10:00:00.000Z) and did not run again: one approval allows one run. Treat it as done; calling it again with the same arguments will not run it.',
    );
    expect(refund.calls).toBe(0);
  });

  it('called without a tool call (direct invoke), the same outcomes are plain text', async () => {
    const refund = new RefundTool();
    api().post(GUARD).reply(200, { status: 'executed', approval_id: 'apr-4' }, json);
    api().post(GUARD).reply(200, { status: 'denied', reason: 'No' }, json);
    const guarded = guardTool(refund, { client: makeClient() });
    await expect(guarded.invoke({ orderId: 'o-1', amount: 40 })).resolves.toMatch(/^already done: "tool.refund" already ran on its approval \(approval id apr-4\)/);
    await expect(guarded.invoke({ orderId: 'o-1', amount: 40 })).resolves.toBe('not allowed: No');
    expect(refund.calls).toBe(0);
  });

  it("a content_and_artifact tool: an error ToolMessage for a tool call, a [text, undefined] pair otherwise", async () => {
    let calls = 0;
    const lookup = tool(async () => (calls++, ['found', { rows: 1 }]), { name: 'lookup', description: 'Look up', schema: z.object({ q: z.string() }), responseFormat: 'content_and_artifact' });
    api().post(GUARD).twice().reply(200, { status: 'pending', approval_id: 'apr-5' }, json);
    const guarded = guardTool(lookup, { client: makeClient() });
    const message = (await guarded.invoke({ type: 'tool_call', id: 'call_6', name: 'lookup', args: { q: 'x' } })) as ToolMessage;
    expect([message.status, message.tool_call_id, message.artifact]).toEqual(['error', 'call_6', undefined]);
    expect(message.content).toMatch(/^approval requested: "tool.lookup"/);
    expect(await guarded.invoke({ q: 'x' })).toMatch(/^approval requested: "tool.lookup"/);
    expect(calls).toBe(0);
  });
});

describe('the key: agent, tool and canonical arguments, never the call id', () => {
  it("the model's retry (new call id) and a direct invoke(args) ask with the same key; once approved, the next identical call runs once", async () => {
    const client = makeClient();
    const refund = new RefundTool();
    const guarded = guardTool(refund, { client });
    const keys: string[] = [];
    api().post(GUARD, recordKeys(keys)).twice().reply(200, { status: 'pending', approval_id: 'apr-6' }, json);
    api().post(GUARD, recordKeys(keys)).reply(200, { status: 'approved', approval_id: 'apr-6', approver: 'alice', approved_at: '2026-01-05T10:00:00.000Z' }, json);
    const report = api().post(GUARD_REPORT, (body) => body.idempotency_key === keys[0] && body.outcome === 'success').reply(200, {}, json);

    const first = (await guarded.invoke(toolCall('call_a'))) as ToolMessage;
    const retry = (await guarded.invoke(toolCall('call_b'))) as ToolMessage;
    expect(retry.content).toBe(first.content);
    expect(refund.calls).toBe(0);
    // The arguments in another key order are the same arguments.
    await expect(guarded.invoke({ amount: 40, orderId: 'o-1' })).resolves.toBe('refunded 40 on o-1');
    expect(refund.calls).toBe(1);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^hs_auto_[0-9a-f]+$/);
    await client.flush();
    report.done();
  });

  it('other arguments, another agent, or another tool under the same action ask with another key', async () => {
    const keys: string[] = [];
    api().post(GUARD, recordKeys(keys)).times(4).reply(200, { status: 'pending', approval_id: 'apr-7' }, json);
    const [refund, refundCopy] = guardTools([new RefundTool(), Object.assign(new RefundTool(), { name: 'refund_v2' })], { client: makeClient(), action: 'billing.refund' });
    await refund.invoke(toolCall('call_1'));
    await refund.invoke(toolCall('call_1', { orderId: 'o-1', amount: 41 }));
    await refundCopy.invoke({ ...toolCall('call_1'), name: 'refund_v2' });
    await guardTool(new RefundTool(), { client: makeClient('agent-2'), action: 'billing.refund' }).invoke(toolCall('call_1'));
    expect(new Set(keys).size).toBe(4);
  });

  it('a custom idempotencyKey wins; one that returns undefined falls back to the derived key', async () => {
    const keys: string[] = [];
    api().post(GUARD, recordKeys(keys)).twice().reply(200, { status: 'pending', approval_id: 'apr-8' }, json);
    const guarded = guardTool(new RefundTool(), { client: makeClient(), idempotencyKey: (input, config) => ((input as { amount: number }).amount > 100 ? undefined : `refund-${config?.toolCall?.id}`) });
    await guarded.invoke(toolCall('call_9'));
    await guarded.invoke(toolCall('call_9', { orderId: 'o-1', amount: 400 }));
    expect(keys[0]).toBe('refund-call_9');
    expect(keys[1]).toMatch(/^hs_auto_/);
  });

  it('arguments that are not JSON are refused before anything is sent', async () => {
    const guarded = guardTool(
      tool(async () => 'ran', { name: 'odd', description: 'Odd input', schema: z.object({ when: z.bigint() }) }),
      { client: makeClient(), params: () => ({ ok: true }) },
    );
    await expect(guarded.invoke({ when: 10n })).rejects.toThrow(/params\.args\.when is a BigInt/);
  });
});
