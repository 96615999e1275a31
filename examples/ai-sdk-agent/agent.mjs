// A support agent on the Vercel AI SDK (ai 7) whose tool approvals are decided by HaltState.
// Runs offline against `haltstate dev` (the model is ai's mock, scripted; use a real one in life):
//
//   node agent.mjs           the user's request: runs what policy allows, pauses on the refund,
//                            stores the conversation in a file and exits
//   haltstate approve <id>   a human decides, in HaltState (or the approvals page)
//   node agent.mjs resume    a new process: reads the conversation back, asks HaltState what was
//                            decided, resumes, and the refund runs once
//
// It reads HALTSTATE_BASE_URL, HALTSTATE_TENANT_ID and HALTSTATE_API_KEY (defaults: the local
// server with this folder's policy.yaml) and HISTORY_FILE (default ./history.json).
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { generateText, isStepCount, tool } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { HaltStateClient } from '@haltstate/core';
import { approvalResponses, guardTools, haltstateApproval } from '@haltstate/ai-sdk';

// ── the tools, as any ai app defines them ─────────────────────────────────
const tools = {
  search_docs: tool({
    description: 'Search the help center',
    inputSchema: z.object({ query: z.string() }),
    execute: async ({ query }) => `Refunds are allowed within 30 days (searched: ${query})`,
  }),
  refund: tool({
    description: 'Refund an order',
    inputSchema: z.object({ orderId: z.string(), amount: z.number() }),
    execute: async ({ orderId, amount }) => {
      console.log(`   💸 the refund tool runs: ${amount} USD on ${orderId}`);
      return `Refunded ${amount} USD on ${orderId}`;
    },
  }),
  delete_account: tool({
    description: 'Delete a customer account',
    inputSchema: z.object({ userId: z.string() }),
    execute: async ({ userId }) => `Deleted ${userId}`,
  }),
};

// ── a scripted model: one answer per model call ───────────────────────────
const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 1, text: 1, reasoning: undefined } };
const calls = (...list) => ({ content: list.map(([toolCallId, toolName, input]) => ({ type: 'tool-call', toolCallId, toolName, input: JSON.stringify(input) })), finishReason: { unified: 'tool-calls', raw: undefined }, usage, warnings: [] });
const says = (text) => ({ content: [{ type: 'text', text }], finishReason: { unified: 'stop', raw: undefined }, usage, warnings: [] });
const model = (script) => new MockLanguageModelV4({ doGenerate: async () => script.shift() ?? says('Done.') });

// ── HaltState ─────────────────────────────────────────────────────────────
const client = new HaltStateClient({
  baseUrl: process.env.HALTSTATE_BASE_URL ?? 'http://127.0.0.1:8787',
  tenantId: process.env.HALTSTATE_TENANT_ID ?? 'demo',
  apiKey: process.env.HALTSTATE_API_KEY ?? 'hs_local_demo_key',
  agentId: 'support-bot',
});
// The same options for the tools, the approval hook and the resume: they key each call by ai's
// toolCallId, so all three ask HaltState about the same call.
const haltstate = { client };
const guarded = guardTools(tools, haltstate); // execute runs only inside HaltState's guard
const toolApproval = haltstateApproval(haltstate); // allow → approved, deny → denied with the reason, else pause
const historyFile = process.env.HISTORY_FILE ?? 'history.json';

/** One generateText call over the history; prints what happened to each tool call. */
async function run(messages, script) {
  const result = await generateText({ model: model(script), tools: guarded, toolApproval, messages, stopWhen: isStepCount(5) });
  for (const message of result.responseMessages) {
    for (const part of Array.isArray(message.content) ? message.content : []) {
      if (part.type === 'tool-call') console.log(`🔧 ${part.toolName}(${JSON.stringify(part.input)})  [${part.toolCallId}]`);
      if (part.type === 'tool-result') console.log(`   → ${part.toolCallId}: ${part.output.type}: ${part.output.value ?? part.output.reason}`);
      if (part.type === 'tool-approval-request' && !part.isAutomatic) console.log(`   ⏸ ${part.toolCallId}: waiting for a human in HaltState`);
    }
  }
  if (result.text) console.log(`🤖 ${result.text}`);
  return [...messages, ...result.responseMessages];
}

try {
  if (process.argv[2] !== 'resume') {
    const messages = [{ role: 'user', content: 'Refund order ord-981 (40 USD) and delete my account u-17.' }];
    console.log(`🧑 ${messages[0].content}`);
    const history = await run(messages, [
      calls(['call_1', 'search_docs', { query: 'refund policy' }], ['call_2', 'delete_account', { userId: 'u-17' }], ['call_3', 'refund', { orderId: 'ord-981', amount: 40 }]),
    ]);
    // The history is plain JSON: store it anywhere (a database, the chat UI's state).
    writeFileSync(historyFile, JSON.stringify(history, null, 2));
    const { pending } = await approvalResponses({ ...haltstate, messages: history });
    for (const request of pending) console.log(`   approve it: npx --no-install haltstate approve ${request.haltstateApprovalId} --admin-key hs_admin_demo_key`);
    console.log(`then: node agent.mjs resume`);
  } else {
    const history = JSON.parse(readFileSync(historyFile, 'utf8'));
    // Only HaltState's decisions answer the requests: a "yes" that HaltState did not back would
    // not run the tool anyway (its execute asks HaltState again).
    const { message, pending } = await approvalResponses({ ...haltstate, messages: history });
    if (pending.length > 0) {
      for (const request of pending) console.log(`⏸ still waiting for a human: ${request.action} (approval id ${request.haltstateApprovalId})`);
    } else if (!message) {
      console.log('nothing to resume: every request in the history has its answer');
    } else {
      console.log(`✅ HaltState decided: ${message.content.map((part) => `${part.approved ? 'approved' : `rejected (${part.reason})`}`).join(', ')}`);
      const resumed = await run([...history, message], [says('Your order ord-981 was refunded. I could not delete your account: that needs a human.')]);
      writeFileSync(historyFile, JSON.stringify(resumed, null, 2));
    }
  }
} finally {
  await client.close();
}
