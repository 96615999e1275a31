// A support agent built with LangChain.js whose tools are guarded by HaltState. Runs offline:
// the chat model is scripted (swap in ChatOpenAI & co. in real life), and HaltState is the
// bundled local server with examples/policy.yaml plus a few tool rules.
import { z } from 'zod';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { HaltStateClient } from '@haltstate/core';
import { guardTools } from '@haltstate/langchain';
import { startHaltState } from './haltstate-server.mjs';

// ── the tools, as any LangChain app defines them ──────────────────────────
const searchDocs = tool(async ({ query }) => `Refunds are allowed within 30 days (searched: ${query})`, {
  name: 'search_docs',
  description: 'Search the help center',
  schema: z.object({ query: z.string() }),
});
const refund = tool(async ({ orderId, amount }) => `Refunded ${amount} USD on ${orderId}`, {
  name: 'refund',
  description: 'Refund an order',
  schema: z.object({ orderId: z.string(), amount: z.number() }),
});
const deleteAccount = tool(async ({ userId }) => `Deleted ${userId}`, {
  name: 'delete_account',
  description: 'Delete a customer account',
  schema: z.object({ userId: z.string() }),
});

// ── a scripted model: one answer per turn ─────────────────────────────────
class ScriptedModel extends FakeStreamingChatModel {
  #turn = 0;
  constructor(script) {
    super({});
    this.script = script;
  }
  bindTools() {
    return this;
  }
  async _generate() {
    const message = this.script[this.#turn++] ?? new AIMessage('Done.');
    return { generations: [{ text: String(message.content), message }] };
  }
}
const call = (id, name, args) => new AIMessage({ content: '', tool_calls: [{ id, name, args, type: 'tool_call' }] });

// ── HaltState: the local server, and a policy for the tools ───────────────
const { server, tenant, admin } = await startHaltState();
const client = new HaltStateClient({ baseUrl: server.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'support-bot' });

// One line: every tool guarded before it runs, reported after. With the default
// onPending: 'return', a call that needs a human returns at once with a readable result; the
// approval is keyed by the agent, the tool and its arguments, so the model's later retry (same
// arguments, a new call id) finds it and runs once it is approved.
const tools = guardTools([searchDocs, refund, deleteAccount], { client });
const byName = new Map(tools.map((entry) => [entry.name, entry]));

// ── the agent loop ────────────────────────────────────────────────────────
const model = new ScriptedModel([
  // the user's first message
  call('call_1', 'search_docs', { query: 'refund policy' }),
  call('call_2', 'delete_account', { userId: 'u-17' }),
  call('call_3', 'refund', { orderId: 'ord-981', amount: 40 }),
  new AIMessage('I asked a human to approve the refund. I could not delete your account: that needs a human.'),
  // the user's second message, after the approval: the model retries with a new call id
  call('call_4', 'refund', { orderId: 'ord-981', amount: 40 }),
  new AIMessage('Your order ord-981 was refunded.'),
]).bindTools(tools);
const messages = [];

/** One user turn: ask the model, run the tool calls it makes, hand back the results. */
async function userSays(text) {
  console.log(`🧑 ${text}`);
  messages.push(new HumanMessage(text));
  for (let turn = 0; turn < 6; turn++) {
    const reply = await model.invoke(messages);
    messages.push(reply);
    if (!reply.tool_calls?.length) return console.log(`🤖 ${reply.content}`);
    for (const toolCall of reply.tool_calls) {
      console.log(`🔧 ${toolCall.name}(${JSON.stringify(toolCall.args)})  [${toolCall.id}]`);
      // A ToolMessage: `status` is 'success' when the tool ran, 'error' when HaltState kept it
      // from running (denied, waiting for approval, already ran on its approval).
      const result = await byName.get(toolCall.name).invoke(toolCall);
      console.log(`   → ${result.status}: ${result.content}`);
      messages.push(result);
    }
  }
}

try {
  await userSays('Refund order ord-981 and delete my account u-17.');
  // A human approves the refund (in real life: the approvals page or `haltstate approve`).
  const [pending] = await admin.approvals('pending');
  console.log(`   👤 alice approves ${pending.action} ${JSON.stringify(pending.params)}`);
  await admin.approve(pending.approval_id, { approver: 'alice' });
  await userSays('It is approved now, please go ahead.');
} finally {
  await client.close();
  await server.close();
}
