import type { HaltStateClient, JsonValue } from '@haltstate/core';

/** What identifies one operation of a guarded tool. */
export interface ToolCallIdentity {
  agentId: string;
  action: string;
  /** The tool's name: two tools sharing one action are still two operations. */
  tool: string;
  /** The tool input after the schema parsed it. */
  args: unknown;
}

/**
 * The default idempotency key of a tool call: the agent, the action, the tool and its canonical
 * arguments — never the tool-call id. The model's retry (same arguments, a new call id) and a
 * direct `tool.invoke(args)` therefore find the same approval, and an approval that was used
 * once answers "already ran" to every identical call after it.
 *
 * @example
 * toolCallKey(client, { agentId: 'support-bot', action: 'tool.refund', tool: 'refund', args: { orderId: 'o-7' } })
 */
export function toolCallKey(client: HaltStateClient, identity: ToolCallIdentity): string {
  // Core refuses what JSON would drop or change silently (BigInt, Map, cycles…), so two different
  // inputs never collapse to one key, and so to one approval.
  const params = { tool: identity.tool, args: (identity.args ?? null) as JsonValue };
  return client.idempotencyKey({ agentId: identity.agentId, action: identity.action, params });
}

/** What identifies one tool call the framework gave an id to. */
export interface ToolCallIdIdentity extends ToolCallIdentity {
  /** The framework's id of the call (LangChain's `toolCall.id`), stable across a pause and its resume. */
  toolCallId: string;
}

/**
 * The idempotency key of one identified tool call: the agent, the action, the tool, the call id
 * and its arguments, as one digest. A graph that pauses and resumes replays the same call (same
 * id, same arguments), so it finds its approval again; another call, even with the same
 * arguments, is another operation, and arguments changed under the same id are one too (an
 * approval never covers arguments nobody saw).
 *
 * @example
 * toolCallIdKey(client, { agentId: 'support-bot', action: 'tool.refund', tool: 'refund', toolCallId: 'call_1', args: { orderId: 'o-7' } })
 */
export function toolCallIdKey(client: HaltStateClient, identity: ToolCallIdIdentity): string {
  const params = { tool: identity.tool, toolCallId: identity.toolCallId, args: (identity.args ?? null) as JsonValue };
  return client.idempotencyKey({ agentId: identity.agentId, action: identity.action, params });
}
