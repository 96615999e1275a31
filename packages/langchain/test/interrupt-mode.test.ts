// The interrupt mode against a server pinned with nock: what the graph does when HaltState's
// answers change between the lookup and the guard. A pending answer never reaches LangGraph's
// ToolNode as an error (it would tell the model "please fix your mistakes").
import nock from 'nock';
import { z } from 'zod';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { MemorySaver } from '@langchain/langgraph';
import { createAgent, MiddlewareError } from 'langchain';
import { HaltStateClient, isHaltStateError } from '@haltstate/core';
import { isHaltStateInterrupt } from '@haltstate/langchain';
import { testKey } from '@test-support/keys';
import { setupNock } from '@test-support/nock';
import { haltStateMiddleware } from '../src/middleware';

const BASE = 'https://haltstate.test';
const json = { 'content-type': 'application/json' };
const GUARD = '/api/sentinel/action/guard';

setupNock();

let runs = 0;
beforeEach(() => (runs = 0));
const refund = tool(async ({ orderId }) => (runs++, `refunded ${orderId}`), { name: 'refund', description: 'Refund an order', schema: z.object({ orderId: z.string() }) });

async function runAgent(answers: object[]) {
  const client = new HaltStateClient({ tenantId: 'acme', apiKey: testKey('langchain-interrupt'), baseUrl: BASE, agentId: 'agent-1', retries: 0, onReportError: () => undefined });
  const scope = nock(BASE);
  for (const answer of answers) scope.post(GUARD).reply(200, answer, json);
  const model = fakeModel().respondWithTools([{ id: 'c1', name: 'refund', args: { orderId: 'o-1' } }]).respond(new AIMessage('ok'));
  const agent = createAgent({ model, tools: [refund], middleware: [haltStateMiddleware({ client })], checkpointer: new MemorySaver() });
  try {
    return await agent.invoke({ messages: [new HumanMessage('Refund o-1')] }, { configurable: { thread_id: 't' } });
  } finally {
    await client.close();
  }
}

it('the lookup said approved but the guard finds it pending: the graph pauses, the tool does not run', async () => {
  const result = await runAgent([
    { status: 'approved', approval_id: 'apr-1', approver: 'alice' },
    { status: 'pending', approval_id: 'apr-1' },
    { status: 'pending', approval_id: 'apr-1' },
  ]);
  expect(runs).toBe(0);
  expect((result.__interrupt__ ?? []).map((item) => isHaltStateInterrupt(item.value) && item.value.approvalId)).toEqual(['apr-1']);
});

it('a server that contradicts itself again: the model reads that approval was requested, nothing thrown, nothing run', async () => {
  const result = await runAgent([
    { status: 'approved', approval_id: 'apr-2', approver: 'alice' },
    { status: 'pending', approval_id: 'apr-2' },
    { status: 'approved', approval_id: 'apr-2', approver: 'alice' },
    { status: 'pending', approval_id: 'apr-2' },
  ]);
  expect(runs).toBe(0);
  expect(result.__interrupt__).toBeUndefined();
  const [message] = result.messages.filter((item): item is ToolMessage => ToolMessage.isInstance(item));
  expect([message!.status, message!.content]).toEqual(['error', expect.stringMatching(/^approval requested: "tool.refund" needs a human's approval before it runs \(approval id apr-2\)/)]);
});

it('HaltState unreachable: the run fails, the tool does not run (fail closed)', async () => {
  const error = await runAgent([]).then(() => undefined, (thrown: unknown) => thrown);
  // LangChain wraps an error out of a middleware in its MiddlewareError; the cause is HaltState's.
  expect(MiddlewareError.isInstance(error)).toBe(true);
  expect(isHaltStateError((error as Error).cause, 'HALTSTATE_CONNECTION')).toBe(true);
  expect(runs).toBe(0);
});
