import { ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import { createMiddleware, type AgentMiddleware } from 'langchain';
import { HaltStateValidationError, isHaltStateClient, type ActionParams, type HaltStateClient } from '@haltstate/core';
import { runGuarded } from './guarded-run.js';
import { toolCallIdKey, toolCallKey } from './tool-call-key.js';

/**
 * Options of {@link haltStateMiddleware}.
 *
 * @example
 * haltStateMiddleware({ client, agentId: 'support-bot', action: (toolName) => `support.${toolName}` })
 */
export interface HaltStateMiddlewareOptions {
  client: HaltStateClient;
  /** @default the client's agentId */
  agentId?: string;
  /** The action name of a tool call. @default `tool.<toolName>` */
  action?: (toolName: string, input: Record<string, unknown>) => string;
  /** The params the policy and the approver see. @default the tool call's arguments */
  params?: (toolName: string, input: Record<string, unknown>) => ActionParams;
  /**
   * The idempotency key of a tool call. @default a digest of the agent, the action, the tool, the
   * call id and the arguments (agent, action, tool and arguments for a call without an id).
   * Return `undefined` to use the default for that call.
   */
  idempotencyKey?: (toolCall: ToolCall) => string | undefined;
  /**
   * `interrupt` (pause the graph with an interrupt carrying the approval; needs a checkpointer;
   * resume with `resumeFromHaltState`), `wait` (block at most waitTimeoutMs), or `return` (the
   * model reads that approval was requested). @default 'interrupt'
   */
  onPending?: 'interrupt' | 'wait' | 'return';
  /** @unit milliseconds @default 300000 */
  waitTimeoutMs?: number;
}

/**
 * A LangChain v1 `createAgent` middleware that puts every tool call through HaltState: the policy
 * decides, a call that needs a human pauses the graph (a LangGraph interrupt with the approval id)
 * until HaltState has the decision, a denial reaches the model as a `ToolMessage` with
 * `status: 'error'` and the reason, and an allowed or approved call runs once inside
 * `client.guard`, which reports its outcome. Approvals are keyed by the tool call id, so the
 * replay after a resume (or after a restart, from the checkpointer) finds its approval.
 *
 * @example
 * import { createAgent } from 'langchain';
 * import { MemorySaver } from '@langchain/langgraph';
 * import { haltStateMiddleware } from '@haltstate/langchain/middleware';
 *
 * const agent = createAgent({ model, tools: [search, refund], middleware: [haltStateMiddleware({ client })], checkpointer: new MemorySaver() });
 */
export function haltStateMiddleware(options: HaltStateMiddlewareOptions): AgentMiddleware {
  if (!options || !isHaltStateClient(options.client)) throw new HaltStateValidationError('haltStateMiddleware needs { client }: a HaltStateClient', { path: 'client' });
  const { client, onPending = 'interrupt', waitTimeoutMs = 300_000 } = options;
  const agentId = options.agentId ?? client.agentId;
  return createMiddleware({
    name: 'HaltStateMiddleware',
    wrapToolCall: async (request, handler) => {
      const { toolCall } = request;
      const args = toolCall.args;
      const action = options.action?.(toolCall.name, args) ?? `tool.${toolCall.name}`;
      const params = options.params?.(toolCall.name, args) ?? args;
      const toolCallId = toolCall.id ?? null;
      const identity = { agentId, action, tool: toolCall.name, args };
      const idempotencyKey = options.idempotencyKey?.(toolCall) ?? (toolCallId ? toolCallIdKey(client, { ...identity, toolCallId }) : toolCallKey(client, identity));
      const outcome = await runGuarded({ client, action, agentId, params, idempotencyKey, onPending, waitTimeoutMs, toolName: toolCall.name, toolCallId }, async () => handler(request));
      if (outcome.ran) return outcome.output;
      return new ToolMessage({ content: outcome.text, status: 'error', tool_call_id: toolCallId ?? '', name: toolCall.name });
    },
  });
}
