import type { RunnableConfig } from '@langchain/core/runnables';
import type { StructuredToolInterface } from '@langchain/core/tools';
import {
  ActionDenied,
  ActionExpired,
  ApprovalPending,
  ApprovalTimeoutError,
  HaltStateValidationError,
  deriveIdempotencyKey,
  type ActionParams,
  type HaltStateClient,
  type JsonObject,
} from '@haltstate/core';
import { deniedResult, expiredResult, pendingResult, timeoutResult } from './to-tool-result.js';

/** What a guarded tool does when a human must approve first. */
export type OnPending = 'return' | 'wait' | 'throw';

/**
 * Options of {@link guardTool}.
 *
 * @example
 * guardTool(sendEmail, { client, agentId: 'support-bot', onPending: 'wait', waitTimeoutMs: 60_000 })
 */
export interface GuardToolOptions<Input = unknown> {
  client: HaltStateClient;
  /** @default the client's agentId */
  agentId?: string;
  /** The action name, or a function of the tool. @default `tool.<name>` */
  action?: string | ((tool: StructuredToolInterface) => string);
  /** The params the policy sees. @default the tool input (an object), or `{ input }` */
  params?: (input: Input) => ActionParams;
  /**
   * An idempotency key: the guard flow. @default derived from the tool call id, tool name, agent
   * and args when the call has an id (a replayed call asks for the same approval), else none
   * (check → run → report).
   */
  idempotencyKey?: (input: Input, config: RunnableConfig | undefined) => string | undefined;
  /** `return` (a result saying approval was requested), `wait` (at most waitTimeoutMs), or `throw` (ApprovalPending). @default 'return' */
  onPending?: OnPending;
  /** @unit milliseconds @default 300000 */
  waitTimeoutMs?: number;
}

type ToolCallFn = (input: unknown, runManager: unknown, config?: RunnableConfig & { toolCall?: { id?: string } }) => Promise<unknown>;

const GUARDED = Symbol.for('haltstate.langchain.guarded');

/**
 * Returns the same tool, gated by HaltState: same name, description and input schema (a model
 * sees no difference; it is the same class, too). Each call is checked (or guarded, with a tool
 * call id or an idempotency key) before the tool runs and reported after. A denial becomes a
 * tool result the model can read ("not allowed: <reason>"); a pending approval a result with
 * the approval id, or a wait, or an `ApprovalPending` throw (`onPending`). The tool's own
 * errors are reported and rethrown, as LangChain expects.
 *
 * @example
 * const tools = guardTools([searchTool, refundTool], { client, agentId: 'support-bot' });
 * const model = chatModel.bindTools(tools);
 */
export function guardTool<T extends StructuredToolInterface>(tool: T, options: GuardToolOptions<Parameters<T['invoke']>[0]>): T {
  if (!options || typeof options.client !== 'object' || options.client === null) throw new HaltStateValidationError('guardTool needs { client }: a HaltStateClient', { path: 'client' });
  const inner = tool as unknown as { _call: ToolCallFn; name: string; responseFormat?: string };
  if (typeof inner._call !== 'function') throw new HaltStateValidationError(`guardTool: "${tool.name}" is not a LangChain tool (no _call)`, { path: 'tool' });
  if ((tool as unknown as Record<symbol, unknown>)[GUARDED]) throw new HaltStateValidationError(`guardTool: "${tool.name}" is already guarded`, { path: 'tool' });
  const { client, onPending = 'return', waitTimeoutMs = 300_000 } = options;
  const action = typeof options.action === 'function' ? options.action(tool) : (options.action ?? `tool.${tool.name}`);
  const agentId = options.agentId ?? client.agentId;
  const original = inner._call;

  // The wrapper inherits everything from the tool (name, description, schema, class) and only
  // replaces _call, which StructuredTool.call runs after parsing the input against the schema.
  const guarded = Object.create(tool) as T;
  Object.defineProperty(guarded, GUARDED, { value: true });
  Object.defineProperty(guarded, '_call', {
    value: async function guardedCall(input: unknown, runManager: unknown, config?: RunnableConfig & { toolCall?: { id?: string } }) {
      const params = options.params ? options.params(input as never) : isObject(input) ? input : { input };
      const callId = config?.toolCall?.id;
      const idempotencyKey = options.idempotencyKey
        ? options.idempotencyKey(input as never, config)
        : callId
          ? deriveIdempotencyKey(client.tenantId, agentId, action, { tool_call_id: callId, args: toJsonish(params) })
          : undefined;
      const readable = (text: string) => (inner.responseFormat === 'content_and_artifact' ? [text, undefined] : text);
      try {
        return await client.execute(
          { action, agentId, params, ...(idempotencyKey ? { idempotencyKey } : {}), ...(onPending === 'wait' ? { wait: { timeoutMs: waitTimeoutMs } } : {}) },
          () => original.call(tool, input, runManager, config),
        );
      } catch (error) {
        if (error instanceof ActionDenied) return readable(deniedResult(error));
        if (error instanceof ActionExpired) return readable(expiredResult(error));
        if (error instanceof ApprovalPending && onPending === 'return') return readable(pendingResult(error));
        if (error instanceof ApprovalTimeoutError) return readable(timeoutResult(error, action));
        throw error;
      }
    },
  });
  return guarded;
}

/**
 * {@link guardTool} for a list of tools, with the same options.
 *
 * @example
 * const tools = guardTools([search, sendEmail], { client, onPending: 'throw' });
 */
export function guardTools<const Tools extends readonly StructuredToolInterface[]>(tools: Tools, options: GuardToolOptions): { -readonly [K in keyof Tools]: Tools[K] } {
  return tools.map((tool) => guardTool(tool, options as GuardToolOptions<Parameters<typeof tool.invoke>[0]>)) as { -readonly [K in keyof Tools]: Tools[K] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Params as JSON for key derivation (invalid values fail later, in the client, with a clear error). */
function toJsonish(value: ActionParams): JsonObject {
  try {
    return JSON.parse(JSON.stringify(value)) as JsonObject;
  } catch {
    return {};
  }
}
