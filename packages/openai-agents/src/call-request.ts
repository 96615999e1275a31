import type { ActionParams, GuardStateInput, HaltStateClient } from '@haltstate/core';

/**
 * How a guarded tool names its calls to HaltState, kept on the tool so that
 * `resolveInterruptions` asks about an interruption exactly as the tool itself did.
 */
export interface CallBinding {
  /** The guarded tool's name, as the model calls it. */
  tool: string;
  agentId: string;
  action: (input: ActionParams) => string;
}

/**
 * The guard request of one tool call, the same from `needsApproval`, the input guardrail, the
 * guarded `invoke` and `resolveInterruptions`. The key is derived from the agent, the action, the
 * tool and the framework's call id: a resumed or restored run finds the approval its first ask
 * created, and two tools or two agents never share one. Params are the call's arguments as the
 * model sent them (the runner hands `needsApproval` the same JSON): one key, one set of params.
 */
export function callRequest(client: HaltStateClient, binding: CallBinding, callId: string, input: ActionParams): GuardStateInput {
  const action = binding.action(input);
  const idempotencyKey = client.idempotencyKey({ agentId: binding.agentId, action, params: { tool: binding.tool, callId } });
  return { action, agentId: binding.agentId, params: input, idempotencyKey };
}

/** A call's arguments as params: the parsed JSON object, or `{ input }` for anything else. */
export function callParams(args: unknown): ActionParams {
  let value = args;
  if (typeof args === 'string') {
    try {
      value = JSON.parse(args);
    } catch {
      value = args;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ActionParams) : { input: value };
}
