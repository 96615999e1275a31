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
