import { HaltStateValidationError, deriveIdempotencyKey, isHaltStateError, type HaltStateClient, type JsonValue } from '@haltstate/core';

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
  const params = { tool: identity.tool, args: argsAsJson(identity.tool, identity.args) };
  // The one place the derivation is chosen, so moving to core's keyed (HMAC) derivation is a
  // one-line change here.
  return deriveIdempotencyKey(client.tenantId, identity.agentId, identity.action, params);
}

/**
 * The arguments as JSON, refusing what JSON would drop or change silently: two different
 * inputs must never collapse to one key (and so to one approval).
 */
function argsAsJson(tool: string, args: unknown): JsonValue {
  const refuse = (what: string): never => {
    throw new HaltStateValidationError(`guardTool: the input of "${tool}" is not JSON (${what}); pass idempotencyKey for such a tool`, { path: 'input' });
  };
  let text: string | undefined;
  try {
    text = JSON.stringify(args ?? null, (_key, value: unknown) => {
      if (typeof value === 'bigint') refuse('a BigInt');
      if (typeof value === 'function' || typeof value === 'symbol') refuse(`a ${typeof value}`);
      if (typeof value === 'number' && !Number.isFinite(value)) refuse(String(value));
      if (value instanceof Map || value instanceof Set) refuse(`a ${value instanceof Map ? 'Map' : 'Set'}`);
      return value;
    });
  } catch (error) {
    if (isHaltStateError(error, 'HALTSTATE_VALIDATION')) throw error;
    refuse(error instanceof Error ? error.message : String(error));
  }
  return JSON.parse(text!) as JsonValue;
}
