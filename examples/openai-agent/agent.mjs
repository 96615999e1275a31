// A support agent built with OpenAI Agents JS whose tool approvals come from HaltState.
//   node agent.mjs          runs the agent; the refund pauses the run, which is saved to a file
//   node agent.mjs resume   (a new process) restores the run and resumes it from HaltState's decision
// The model is scripted (use a real one in life: drop `model`, set OPENAI_API_KEY). HaltState is
// `haltstate dev --policy examples/openai-agent/policy.yaml`, or HALTSTATE_BASE_URL.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { Agent, RunState, run, setTracingDisabled, tool } from '@openai/agents';
import { ScriptedModel, assistantMessage, functionCall } from '@openai/agents/testing';
import { HaltStateClient } from '@haltstate/core';
import { guardTools, resolveInterruptions } from '@haltstate/openai-agents';

setTracingDisabled(true); // offline: no traces sent to OpenAI
const saved = process.env.RUN_STATE_FILE ?? '.haltstate/openai-agent-run.json';

// ── the tools, as any OpenAI Agents app defines them ──────────────────────
const searchDocs = tool({ name: 'search_docs', description: 'Search the help center', parameters: z.object({ query: z.string() }), execute: async ({ query }) => `Refunds are allowed within 30 days (searched: ${query})` });
const refund = tool({ name: 'refund', description: 'Refund an order', parameters: z.object({ orderId: z.string(), amount: z.number() }), execute: async ({ orderId, amount }) => `Refunded ${amount} USD on ${orderId}` });
const deleteAccount = tool({ name: 'delete_account', description: 'Delete a customer account', parameters: z.object({ userId: z.string() }), execute: async ({ userId }) => `Deleted ${userId}` });

const client = new HaltStateClient({
  baseUrl: process.env.HALTSTATE_BASE_URL ?? 'http://127.0.0.1:8787',
  tenantId: process.env.HALTSTATE_TENANT_ID ?? 'demo',
  apiKey: process.env.HALTSTATE_API_KEY ?? 'hs_local_demo_key',
  agentId: 'support-bot',
});

// One line: HaltState decides every call of these tools (needsApproval, a DENY guardrail, a guarded run).
const agentWith = (model) => new Agent({ name: 'support', instructions: 'Help customers.', model, tools: guardTools([searchDocs, refund, deleteAccount], { client }) });

function printTools(result, callIds) {
  for (const item of result.newItems) {
    if (callIds && !callIds.includes(item.rawItem.callId)) continue;
    if (item.type === 'tool_call_item') console.log(`🔧 ${item.rawItem.name}(${item.rawItem.arguments})  [${item.rawItem.callId}]`);
    if (item.type === 'tool_call_output_item') console.log(`   → ${typeof item.output === 'string' ? item.output : JSON.stringify(item.output)}`);
  }
}

async function start() {
  const model = new ScriptedModel([
    [functionCall('search_docs', { query: 'refund policy' }, { callId: 'call_1' }), functionCall('delete_account', { userId: 'u-17' }, { callId: 'call_2' }), functionCall('refund', { orderId: 'ord-981', amount: 40 }, { callId: 'call_3' })],
  ]);
  console.log('🧑 Refund order ord-981 and delete my account u-17.');
  const result = await run(agentWith(model), 'Refund order ord-981 and delete my account u-17.');
  printTools(result);
  // The run paused: the refund waits for a human in HaltState. Save it; this process may end here.
  mkdirSync(dirname(saved), { recursive: true });
  writeFileSync(saved, result.state.toString());
  const { pending } = await resolveInterruptions(result.state, { client });
  for (const { item, state } of pending) console.log(`⏸  ${item.name} waits for a human: approval id ${state.approvalId}`);
  console.log(`saved the run to ${saved}. Approve it (haltstate approve <approval id>, or the approvals page), then: node agent.mjs resume`);
}

async function resume() {
  if (!existsSync(saved)) return console.log(`no saved run at ${saved}: run node agent.mjs first`);
  // A new process: a fresh agent, a fresh client, and the saved string.
  const model = new ScriptedModel([[assistantMessage('Your order ord-981 was refunded. I could not delete your account: that needs a human.')]]);
  const agent = agentWith(model);
  const state = await RunState.fromString(agent, readFileSync(saved, 'utf8'));
  const { pending, approved, rejected } = await resolveInterruptions(state, { client });
  for (const { item, state: where } of [...approved, ...rejected]) console.log(`👤 ${item.name}: ${where.status}${where.approver ? ` by ${where.approver}` : ''}`);
  if (pending.length > 0) return console.log(`still waiting for a human: ${pending.map(({ state: where }) => where.approvalId).join(', ')}`);
  const result = await run(agent, state);
  printTools(result, [...approved, ...rejected].map(({ item }) => item.rawItem.callId));
  console.log(`🤖 ${result.finalOutput}`);
  rmSync(saved);
}

try {
  await (process.argv[2] === 'resume' ? resume() : start());
} finally {
  await client.close();
}
