import { HaltStateValidationError, isHaltStateClient, type ActionParams, type GuardStateInput, type HaltStateClient, type HaltStateMode } from '@haltstate/core';

/**
 * The options every export of this package takes. Give the same ones to {@link guardTools},
 * {@link haltstateApproval} and {@link approvalResponses}: they must derive the same action and
 * key for a call, or the approval hook and the guarded `execute` would ask about two calls.
 *
 * @example
 * const haltstate: HaltStateToolOptions = { client, agentId: 'ops-bot', action: (toolName) => `ops.${toolName}` };
 */
export interface HaltStateToolOptions {
  client: HaltStateClient;
  /** @default the client's agentId */
  agentId?: string | undefined;
  /** The action name the policy matches, per tool call. @default `tool.<toolName>` */
  action?: ((toolName: string, input: unknown) => string) | undefined;
  /**
   * `shadow`: every call runs whatever HaltState answers, is recorded as a shadow run, and
   * nothing pauses for a human (the hooks answer "no approval needed"); see docs/shadow-mode.md.
   * @default the client's mode
   */
  mode?: HaltStateMode | undefined;
}

/**
 * One tool call as ai describes it, in a history, a hook or `execute`.
 *
 * @example
 * const call: ToolCallRef = { toolCallId: 'call_1', toolName: 'refund', input: { orderId: 'o-1' } };
 */
export interface ToolCallRef {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

/**
 * The guard input of one tool call: action, agent, params (the tool input) and a key made from
 * ai's toolCallId, namespaced by tenant, agent, action and tool (an HMAC, so it always passes
 * core's identifier rules and two tools or agents never share one). The same call asked from the
 * approval hook, from `execute` or after a restart finds the same HaltState approval.
 */
export function guardInputOf(options: HaltStateToolOptions, call: ToolCallRef): GuardStateInput & { action: string; params: ActionParams; idempotencyKey: string } {
  const { client } = options;
  const action = options.action ? options.action(call.toolName, call.input) : `tool.${call.toolName}`;
  const agentId = options.agentId ?? client.agentId;
  const params = isObject(call.input) ? call.input : { input: call.input };
  const idempotencyKey = client.idempotencyKey({ agentId, action, params: { tool: call.toolName, toolCallId: call.toolCallId } });
  return { action, agentId, params, idempotencyKey };
}

/** Fails early, and in words, when the options carry no client or an unknown mode. */
export function checkOptions(options: HaltStateToolOptions | undefined, where: string): asserts options is HaltStateToolOptions {
  if (!options || !isHaltStateClient(options.client)) throw new HaltStateValidationError(`${where} needs { client }: a HaltStateClient`, { path: 'client' });
  const { mode } = options;
  if (mode !== undefined && mode !== 'enforce' && mode !== 'shadow') throw new HaltStateValidationError(`${where}: mode must be "enforce" or "shadow", got ${JSON.stringify(mode)}`, { path: 'mode' });
}

/** True when calls run in shadow: the adapter's `mode`, else the client's. */
export const inShadow = (options: HaltStateToolOptions): boolean => (options.mode ?? options.client.mode) === 'shadow';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
