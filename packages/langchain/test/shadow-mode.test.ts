// guardTool({ mode: 'shadow' }): the tool runs whatever the decision, its call is recorded as
// shadow, and a pending approval never holds it.
import nock from 'nock';
import { z } from 'zod';
import { tool } from '@langchain/core/tools';
import { HaltStateClient } from '@haltstate/core';
import { guardTool } from '@haltstate/langchain';
import { testKey } from '@test-support/keys';
import { setupNock } from '@test-support/nock';

const BASE = 'https://haltstate.test';
const KEY = testKey('langchain');
const json = { 'content-type': 'application/json' };
const api = () => nock(BASE).matchHeader('x-api-key', KEY);

setupNock();

describe('guardTool({ mode })', () => {
  it('shadow: a pending call runs at once, the guard asked with the shadow mark, reported as shadow', async () => {
    let guardBody: Record<string, unknown> = {};
    let report: Record<string, unknown> = {};
    api().post('/api/sentinel/action/guard', (body) => ((guardBody = body), true)).reply(200, { status: 'pending', approval_id: 'apr_1' }, json);
    api().post('/api/sentinel/action/report', (body) => ((report = body), true)).reply(200, {}, json);
    const client = new HaltStateClient({ tenantId: 'acme', apiKey: KEY, baseUrl: BASE, agentId: 'agent-1', retries: 0, onReportError: () => undefined });
    const calls: string[] = [];
    const refund = tool(async ({ orderId }) => (calls.push(orderId), `refunded ${orderId}`), { name: 'refund', description: 'Refund', schema: z.object({ orderId: z.string() }) });
    const guarded = guardTool(refund, { client, mode: 'shadow', onPending: 'wait' });
    await expect(guarded.invoke({ orderId: 'o-1' })).resolves.toBe('refunded o-1');
    await client.flush();
    expect(calls).toEqual(['o-1']);
    expect(guardBody).toMatchObject({ action: 'tool.refund', metadata: { haltstate_mode: 'shadow' } });
    expect(report).toMatchObject({ decision: 'APPROVAL_REQUIRED', result: { shadow: true, guard_status: 'pending' } });
  });

  it("shadow with onPending 'interrupt': never pauses (nothing to resume), runs at once, no lookup is asked", async () => {
    let guardBody: Record<string, unknown> = {};
    api().post('/api/sentinel/action/guard', (body) => ((guardBody = body), true)).reply(200, { status: 'pending', approval_id: 'apr_2' }, json);
    api().post('/api/sentinel/action/report').reply(200, {}, json);
    const client = new HaltStateClient({ tenantId: 'acme', apiKey: KEY, baseUrl: BASE, agentId: 'agent-1', retries: 0, onReportError: () => undefined });
    const refund = tool(async ({ orderId }) => `refunded ${orderId}`, { name: 'refund', description: 'Refund', schema: z.object({ orderId: z.string() }) });
    // Outside a graph: an enforcing interrupt would refuse; a shadow call does not pause at all.
    await expect(guardTool(refund, { client, mode: 'shadow', onPending: 'interrupt' }).invoke({ orderId: 'o-2' })).resolves.toBe('refunded o-2');
    await client.flush();
    // One guard request (the shadow-marked one), no guardState lookup before it: setupNock fails on any other request.
    expect(guardBody).toMatchObject({ metadata: { haltstate_mode: 'shadow' } });
  });
});
