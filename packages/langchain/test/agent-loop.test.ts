// An agent loop: a (scripted) chat model emits tool calls, guarded tools run against the real
// local HaltState server, tool results go back to the model.
import { z } from 'zod';
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { tool, type StructuredToolInterface } from '@langchain/core/tools';
import { HaltStateClient } from '@haltstate/core';
import { guardTools } from '@haltstate/langchain';
import { ScriptedChatModel } from './helpers/scripted-model';
import { useSupportServer } from './helpers/support-server';

const halt = useSupportServer('lc');
const { tenant } = halt;

const ran: string[] = [];
const rawTools = () => [
  tool(async ({ query }) => (ran.push(`search ${query}`), `3 results for ${query}`), { name: 'search', description: 'Search the docs', schema: z.object({ query: z.string() }) }),
  tool(async ({ userId }) => (ran.push(`delete ${userId}`), 'deleted'), { name: 'delete_account', description: 'Delete an account', schema: z.object({ userId: z.string() }) }),
  tool(async ({ orderId }) => (ran.push(`refund ${orderId}`), `refunded ${orderId}`), { name: 'refund', description: 'Refund an order', schema: z.object({ orderId: z.string() }) }),
];

/** The classic loop: ask the model, run the tool calls it makes, hand back the results. */
async function runAgent(model: ScriptedChatModel, tools: StructuredToolInterface[], prompt: string): Promise<BaseMessage[]> {
  const bound = model.bindTools();
  const byName = new Map(tools.map((entry) => [entry.name, entry]));
  const messages: BaseMessage[] = [new HumanMessage(prompt)];
  for (let turn = 0; turn < 5; turn++) {
    const reply = (await bound.invoke(messages)) as AIMessage;
    messages.push(reply);
    if (!reply.tool_calls?.length) break;
    for (const call of reply.tool_calls) messages.push((await byName.get(call.name)!.invoke({ ...call, type: 'tool_call' })) as ToolMessage);
  }
  return messages;
}

const callTool = (id: string, name: string, args: Record<string, unknown>) => new AIMessage({ content: '', tool_calls: [{ id, name, args, type: 'tool_call' }] });

it('an allowed call runs; a denied call does not, and the model receives the reason', async () => {
  ran.length = 0;
  const client = new HaltStateClient({ baseUrl: halt.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'support-bot', retries: 0 });
  const model = new ScriptedChatModel([callTool('c1', 'search', { query: 'refund policy' }), callTool('c2', 'delete_account', { userId: 'u-1' }), new AIMessage('I cannot delete accounts.')]);
  const messages = await runAgent(model, guardTools(rawTools(), { client }), 'Find the refund policy, then delete user u-1');
  expect(ran).toEqual(['search refund policy']);
  const toolMessages = messages.filter((message): message is ToolMessage => message instanceof ToolMessage);
  expect(toolMessages.map((message) => [message.tool_call_id, message.content])).toEqual([
    ['c1', '3 results for refund policy'],
    ['c2', 'not allowed: Deleting accounts is never automatic'],
  ]);
  expect(toolMessages.map((message) => message.status)).toEqual(['success', 'error']);
  // What the model read on its last turn includes the denial.
  expect(model.seen[2]!.at(-1)!.content).toBe('not allowed: Deleting accounts is never automatic');
  await client.close();
});

it("an approval-required call runs only after a human approves (onPending: 'wait')", async () => {
  ran.length = 0;
  const client = new HaltStateClient({ baseUrl: halt.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'support-bot', retries: 0 });
  const model = new ScriptedChatModel([callTool('c3', 'refund', { orderId: 'o-42' }), new AIMessage('Refunded.')]);
  const done = runAgent(model, guardTools(rawTools(), { client, onPending: 'wait', waitTimeoutMs: 30_000 }), 'Refund order o-42');

  let pending;
  while (!(pending = (await halt.admin.approvals('pending')).find((approval) => approval.action === 'tool.refund'))) await new Promise((resolve) => setImmediate(resolve));
  expect(pending.params).toEqual({ orderId: 'o-42' });
  expect(ran).toEqual([]);
  await halt.admin.approve(pending.approval_id, { approver: 'alice' });

  const messages = await done;
  expect(ran).toEqual(['refund o-42']);
  expect(messages.find((message) => message instanceof ToolMessage)!.content).toBe('refunded o-42');
  await client.close();
});

const toolMessage = (messages: BaseMessage[]) => messages.find((message): message is ToolMessage => message instanceof ToolMessage)!;
/** A direct `tool.invoke(args)`, outside any model turn: what an app's own code does. */
const invokeDirectly = (tools: StructuredToolInterface[], name: string, args: Record<string, unknown>) => tools.find((entry) => entry.name === name)!.invoke(args);
const pendingFor = async (orderId: string) => (await halt.admin.approvals('pending')).filter((approval) => approval.action === 'tool.refund' && approval.params.orderId === orderId);

it("with onPending: 'return', the model reads that approval was requested; its retry (a new call id) and a direct invoke ask for the same approval", async () => {
  ran.length = 0;
  const client = new HaltStateClient({ baseUrl: halt.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'support-bot', retries: 0 });
  const tools = guardTools(rawTools(), { client });
  const first = toolMessage(await runAgent(new ScriptedChatModel([callTool('c4', 'refund', { orderId: 'o-7' })]), tools, 'Refund o-7'));
  const retry = toolMessage(await runAgent(new ScriptedChatModel([callTool('c5', 'refund', { orderId: 'o-7' })]), tools, 'Refund o-7'));
  expect(first.content).toMatch(/^approval requested: "tool.refund" needs a human's approval before it runs \(approval id [0-9a-f-]{36}\)/);
  expect([first.status, retry.status]).toEqual(['error', 'error']);
  expect(retry.content).toBe(first.content);
  expect(await invokeDirectly(tools, 'refund', { orderId: 'o-7' })).toBe(first.content);
  expect(await pendingFor('o-7')).toHaveLength(1);
  expect(ran).toEqual([]);
  await client.close();
});

/** Asks for a refund (pending), approves it as alice through the admin route, and returns the first answer. */
async function requestAndApprove(tools: StructuredToolInterface[], orderId: string): Promise<ToolMessage> {
  const asked = toolMessage(await runAgent(new ScriptedChatModel([callTool(`ask-${orderId}`, 'refund', { orderId }), new AIMessage('Waiting for approval.')]), tools, `Refund ${orderId}`));
  const [pending] = await pendingFor(orderId);
  await halt.admin.approve(pending!.approval_id, { approver: 'alice' });
  return asked;
}

it("with onPending: 'return', once a human approves, the model's retry with a new call id runs the tool once", async () => {
  ran.length = 0;
  const client = new HaltStateClient({ baseUrl: halt.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'support-bot', retries: 0 });
  const tools = guardTools(rawTools(), { client });
  const asked = await requestAndApprove(tools, 'o-8');
  expect([asked.status, ran]).toEqual(['error', []]);

  const model = new ScriptedChatModel([callTool('retry-o-8', 'refund', { orderId: 'o-8' }), new AIMessage('Refunded o-8.')]);
  const done = toolMessage(await runAgent(model, tools, 'It is approved, go ahead'));
  expect([done.tool_call_id, done.content, done.status]).toEqual(['retry-o-8', 'refunded o-8', 'success']);
  expect(ran).toEqual(['refund o-8']);
  expect(await pendingFor('o-8')).toEqual([]);
  await client.close();
});

it('a later identical call after the approved one ran does not run again: the model reads that it already ran', async () => {
  ran.length = 0;
  const client = new HaltStateClient({ baseUrl: halt.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'support-bot', retries: 0 });
  const tools = guardTools(rawTools(), { client });
  await requestAndApprove(tools, 'o-9');
  await runAgent(new ScriptedChatModel([callTool('retry-o-9', 'refund', { orderId: 'o-9' })]), tools, 'Approved, go ahead');
  expect(ran).toEqual(['refund o-9']);
  await client.flush(); // the guard report is what tells the server the approval was used

  const again = toolMessage(await runAgent(new ScriptedChatModel([callTool('again-o-9', 'refund', { orderId: 'o-9' })]), tools, 'Refund o-9 again'));
  expect(again.status).toBe('error');
  expect(again.content).toMatch(/^already done: "tool.refund" already ran on its approval \(approval id [0-9a-f-]{36}, at [^)]+\) and did not run again: one approval allows one run\. Treat it as done; calling it again with the same arguments will not run it\.$/);
  expect(await invokeDirectly(tools, 'refund', { orderId: 'o-9' })).toBe(again.content);
  expect(ran).toEqual(['refund o-9']);
  await client.close();
});
