import type { StructuredToolInterface, ToolRunnableConfig } from '@langchain/core/tools';
import { HaltStateValidationError, isHaltStateClient, type ActionParams, type HaltStateClient, type HaltStateMode } from '@haltstate/core';
import { runGuarded, type OnPending } from './guarded-run.js';
import { notRunOutput, type ToolShape } from './not-run-output.js';
import { toolCallKey } from './tool-call-key.js';

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
   * The idempotency key of a call. @default derived from the agent, the action, the tool name and
   * the canonical arguments — never the tool-call id — so the model's retry (same arguments, a new
   * call id) and a direct `tool.invoke(args)` find the same approval. Return `undefined` to use
   * the default for that call.
   */
  idempotencyKey?: (input: Input, config: ToolRunnableConfig | undefined) => string | undefined;
  /**
   * `return` (a result saying approval was requested), `wait` (at most waitTimeoutMs), `throw`
   * (ApprovalPending), or `interrupt` (inside a LangGraph graph with a checkpointer: pause it with
   * an interrupt carrying the approval; see `resumeFromHaltState`). @default 'return'
   */
  onPending?: OnPending;
  /** @unit milliseconds @default 300000 */
  waitTimeoutMs?: number;
  /**
   * `'shadow'`: each call's decision is asked and recorded, but the tool runs whatever it says
   * and never waits for a human (docs/shadow-mode.md); a value other than enforce/shadow is
   * refused on the first call. @default the client's `mode`
   */
  mode?: HaltStateMode;
}

type ToolCallFn = (input: unknown, runManager: unknown, config?: ToolRunnableConfig) => Promise<unknown>;

const GUARDED = Symbol.for('haltstate.langchain.guarded');

/**
 * Returns the same tool, gated by HaltState: same name, description and input schema (a model
 * sees no difference; it is the same class, too). Each call is guarded before the tool runs and
 * reported after, under a key made of the agent, the tool and its arguments. A denial, a pending
 * approval (`onPending: 'return'`), an expiry or an approval that was already used becomes a
 * result the model can read — for a tool call, a `ToolMessage` with `status: 'error'` — and the
 * tool does not run. The tool's own errors are reported and rethrown, as LangChain expects.
 *
 * @example
 * const tools = guardTools([searchTool, refundTool], { client, agentId: 'support-bot' });
 * const model = chatModel.bindTools(tools);
 */
export function guardTool<T extends StructuredToolInterface>(tool: T, options: GuardToolOptions<Parameters<T['invoke']>[0]>): T {
  if (!options || !isHaltStateClient(options.client)) throw new HaltStateValidationError('guardTool needs { client }: a HaltStateClient', { path: 'client' });
  const inner = tool as unknown as ToolShape & { _call: ToolCallFn };
  if (typeof inner._call !== 'function') throw new HaltStateValidationError(`guardTool: "${tool.name}" is not a LangChain tool (no _call)`, { path: 'tool' });
  if ((tool as unknown as Record<symbol, unknown>)[GUARDED]) throw new HaltStateValidationError(`guardTool: "${tool.name}" is already guarded`, { path: 'tool' });
  const { client, onPending = 'return', waitTimeoutMs = 300_000, mode } = options;
  const action = typeof options.action === 'function' ? options.action(tool) : (options.action ?? `tool.${tool.name}`);
  const agentId = options.agentId ?? client.agentId;
  const original = inner._call;

  // The wrapper inherits everything from the tool (name, description, schema, class) and only
  // replaces _call, which StructuredTool.call runs after parsing the input against the schema.
  const guarded = Object.create(tool) as T;
  Object.defineProperty(guarded, GUARDED, { value: true });
  Object.defineProperty(guarded, '_call', {
    value: async function guardedCall(input: unknown, runManager: unknown, config?: ToolRunnableConfig) {
      const params = options.params ? options.params(input as never) : isObject(input) ? input : { input };
      const idempotencyKey = options.idempotencyKey?.(input as never, config) ?? toolCallKey(client, { agentId, action, tool: tool.name, args: input });
      const toolCallId = typeof config?.toolCall?.id === 'string' ? config.toolCall.id : null;
      const outcome = await runGuarded({ client, action, agentId, params, idempotencyKey, onPending, waitTimeoutMs, mode, toolName: tool.name, toolCallId }, () =>
        original.call(tool, input, runManager, config),
      );
      return outcome.ran ? outcome.output : notRunOutput(outcome.text, inner, toolCallId ?? undefined);
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
