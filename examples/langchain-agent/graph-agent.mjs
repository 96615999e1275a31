// The same support agent on LangChain v1's createAgent, with HaltState as its middleware: every
// tool call goes through HaltState, and a call that needs a human pauses the graph (a LangGraph
// interrupt carrying the approval id) until HaltState has the decision. Runs offline: a fake
// chat model, the bundled local server, an in-memory checkpointer.
import { z } from 'zod';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { Command, MemorySaver } from '@langchain/langgraph';
import { createAgent } from 'langchain';
import { HaltStateClient } from '@haltstate/core';
import { resumeFromHaltState } from '@haltstate/langchain';
import { haltStateMiddleware } from '@haltstate/langchain/middleware';
import { startHaltState } from './haltstate-server.mjs';

const tools = [
  tool(async ({ query }) => `Refunds are allowed within 30 days (searched: ${query})`, { name: 'search_docs', description: 'Search the help center', schema: z.object({ query: z.string() }) }),
  tool(async ({ orderId, amount }) => `Refunded ${amount} USD on ${orderId}`, { name: 'refund', description: 'Refund an order', schema: z.object({ orderId: z.string(), amount: z.number() }) }),
  tool(async ({ userId }) => `Deleted ${userId}`, { name: 'delete_account', description: 'Delete a customer account', schema: z.object({ userId: z.string() }) }),
];

const { server, tenant, admin } = await startHaltState();
const newClient = () => new HaltStateClient({ baseUrl: server.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'support-bot' });
// The checkpointer outlives the "processes" below: in real life a database-backed one.
const checkpointer = new MemorySaver();
const newAgent = (client, model) => createAgent({ model, tools, middleware: [haltStateMiddleware({ client })], checkpointer });
const config = { configurable: { thread_id: 'ticket-42' } };

/** Prints the tool results after the first `from` messages, the pauses, and the final answer. */
function show(result, from = 0) {
  for (const message of result.messages.slice(from)) {
    if (message.tool_call_id) console.log(`   🔧 ${message.name} [${message.tool_call_id}] → ${message.status ?? 'success'}: ${message.content}`);
  }
  for (const pause of result.__interrupt__ ?? []) console.log(`   ⏸  paused: ${pause.value.action} waits for approval ${pause.value.approvalId}`);
  if (!result.__interrupt__) console.log(`🤖 ${result.messages.at(-1).content}`);
}

// ── process 1: the user asks; the refund pauses the graph ───────────────
const first = newClient();
const model = fakeModel()
  .respondWithTools([
    { id: 'call_1', name: 'search_docs', args: { query: 'refund policy' } },
    { id: 'call_2', name: 'delete_account', args: { userId: 'u-17' } },
    { id: 'call_3', name: 'refund', args: { orderId: 'ord-981', amount: 40 } },
  ]);
console.log('🧑 Refund order ord-981 and delete my account u-17.');
show(await newAgent(first, model).invoke({ messages: [new HumanMessage('Refund order ord-981 and delete my account u-17.')] }, config));
await first.close();

// ── a human decides in HaltState (the approvals page, `haltstate approve`, the dashboard) ──
const [pending] = await admin.approvals('pending');
console.log(`   👤 alice approves ${pending.action} ${JSON.stringify(pending.params)}`);
await admin.approve(pending.approval_id, { approver: 'alice' });

// ── process 2, after a restart: only the thread id and the checkpointer are left ──
const client = newClient();
try {
  const agent = newAgent(client, fakeModel().respond(new AIMessage('Refunded ord-981. I could not delete your account: that needs a human.')));
  const saved = await agent.graph.getState(config);
  const interrupts = saved.tasks.flatMap((task) => task.interrupts);
  const { resume, pending: stillPending } = await resumeFromHaltState(client, interrupts);
  console.log(`   ▶  resuming from HaltState: ${Object.values(resume ?? {}).map((decision) => `${decision.status} by ${decision.approver}`).join(', ')}; still pending: ${stillPending.length}`);
  show(await agent.invoke(new Command({ resume }), config), saved.values.messages.length);
} finally {
  await client.close();
  await server.close();
}
