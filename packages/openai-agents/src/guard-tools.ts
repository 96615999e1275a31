import { defineToolInputGuardrail, ToolGuardrailFunctionOutputFactory, type RunContext } from '@openai/agents';
import { HaltStateValidationError, isHaltStateClient, type ActionParams, type HaltStateClient, type HaltStateMode, type WaitOptions } from '@haltstate/core';
import { callParams, callRequest, type CallBinding } from './call-request.js';
import { notRunErrorText, notRunText } from './decision-text.js';

/**
 * Options of {@link guardTools}.
 *
 * @example
 * guardTools([deleteFile], { client, agentId: 'ops-bot', action: (tool) => `files.${tool}` })
 */
export interface GuardToolsOptions {
  client: HaltStateClient;
  /** @default the client's agentId */
  agentId?: string;
  /** The action name, or a function of the tool's name and input. @default `tool.<toolName>` */
  action?: string | ((toolName: string, input: ActionParams) => string);
  /**
   * Block inside the tool until a human decided in HaltState (SSE, as core's guard), instead of
   * pausing the run with an interruption. For server-side agents with nobody to resume them.
   * `true` waits as long as core's default. @default false
   */
  wait?: boolean | WaitOptions;
  /**
   * `shadow`: every call runs whatever HaltState answers and is recorded as a shadow run; nothing
   * pauses, waits or is rejected by the guardrail (see docs/shadow-mode.md).
   * @default the client's mode
   */
  mode?: HaltStateMode;
}

/** The shape every OpenAI Agents function tool has; other tools (hosted, computer…) are refused. */
export interface GuardableTool {
  type: 'function';
  name: string;
}

type Invoke = (runContext: RunContext, input: string, details?: { toolCall?: { callId?: string }; signal?: AbortSignal }) => Promise<unknown>;
type NeedsApproval = (runContext: RunContext, input: unknown, callId?: string) => Promise<boolean>;
interface ToolInternals {
  invoke: Invoke;
  needsApproval: NeedsApproval;
  inputGuardrails?: unknown[];
}

const BINDING = Symbol.for('haltstate.openai-agents.binding');

/** The binding of a tool guarded by {@link guardTools}, or `undefined` for any other tool. */
export function bindingOf(tool: unknown): CallBinding | undefined {
  return typeof tool === 'object' && tool !== null ? (tool as Record<symbol, CallBinding | undefined>)[BINDING] : undefined;
}

/**
 * Returns the same function tools with HaltState as their approval authority. Each tool gets:
 *
 * - `needsApproval`: a lookup of the call's guard state (keyed by the call id), `true` while a
 *   human has not decided in HaltState. It never uses anything up, so the runner may call it on
 *   every resume; it replaces the tool's own `needsApproval`.
 * - an input guardrail: a DENY (or an expired approval, or one already used, or an approval the
 *   run claims but HaltState never gave) becomes a rejection the model reads, with the reason.
 * - a guarded `invoke`: the tool runs only inside `client.guard` with the same key, so it runs
 *   once per approval and its outcome is reported once — even when `state.approve(item)` was
 *   called without HaltState's yes.
 *
 * With `wait`, nothing pauses: the tool blocks until a human decided. In shadow mode (`mode:
 * 'shadow'`, or the client's) nothing pauses or is rejected: `needsApproval` is `false` and the
 * guardrail allows without asking, and the guarded `invoke` runs every call in shadow. An unreachable HaltState
 * fails the run (fail closed). Errors the tool throws out of `invoke` are reported and rethrown;
 * with the framework's default `errorFunction` a tool's error is already its text output.
 *
 * @example
 * const agent = new Agent({ name: 'ops', tools: guardTools([deleteFile], { client, agentId: 'ops-bot' }) });
 * const result = await run(agent, 'Delete /tmp/report.csv');
 * // result.interruptions: the calls waiting for a human in HaltState
 */
export function guardTools<const Tools extends readonly GuardableTool[]>(tools: Tools, options: GuardToolsOptions): { -readonly [K in keyof Tools]: Tools[K] } {
  if (!options || !isHaltStateClient(options.client)) throw new HaltStateValidationError('guardTools needs { client }: a HaltStateClient', { path: 'client' });
  const { mode } = options;
  if (mode !== undefined && mode !== 'enforce' && mode !== 'shadow') throw new HaltStateValidationError(`guardTools: mode must be "enforce" or "shadow", got ${JSON.stringify(mode)}`, { path: 'mode' });
  return tools.map((tool) => guardTool(tool, options)) as { -readonly [K in keyof Tools]: Tools[K] };
}

function guardTool<T extends GuardableTool>(tool: T, options: GuardToolsOptions): T {
  const inner = tool as unknown as T & ToolInternals;
  if (tool?.type !== 'function' || typeof inner.invoke !== 'function') throw new HaltStateValidationError(`guardTools: "${String(tool?.name)}" is not a function tool`, { path: 'tools' });
  if (bindingOf(tool)) throw new HaltStateValidationError(`guardTools: "${tool.name}" is already guarded`, { path: 'tools' });
  const { client, wait } = options;
  // Shadow (the adapter's mode, else the client's): never pause or reject; the guard records it.
  const shadow = () => (options.mode ?? client.mode) === 'shadow';
  const name = tool.name;
  const action = options.action;
  const binding: CallBinding = {
    tool: name,
    agentId: options.agentId ?? client.agentId,
    action: typeof action === 'function' ? (input) => action(name, input) : () => action ?? `tool.${name}`,
  };
  const request = (callId: string | undefined, args: unknown) => {
    // The call id is the approval's identity; without it two calls could share one approval.
    if (!callId) throw new HaltStateValidationError(`guardTools: a call of "${name}" came without a call id`, { path: 'callId' });
    return callRequest(client, binding, callId, callParams(args));
  };

  // A human's decision can only come from HaltState: pending → pause the run. Every other state
  // lets the runner go on to the guardrail and the guarded invoke, which never run an undecided
  // call. With `wait` the guarded invoke waits instead, so nothing pauses.
  const needsApproval: NeedsApproval = async (_runContext, input, callId) => {
    if (wait || shadow()) return false;
    return (await client.guardState(request(callId, input))).status === 'pending';
  };

  const guardrail = defineToolInputGuardrail({
    name: 'haltstate',
    run: async ({ toolCall }) => {
      if (shadow()) return ToolGuardrailFunctionOutputFactory.allow();
      const state = await client.guardState(request(toolCall.callId, toolCall.arguments));
      if (state.status === 'allowed' || state.status === 'approved' || (wait && state.status === 'pending')) return ToolGuardrailFunctionOutputFactory.allow();
      return ToolGuardrailFunctionOutputFactory.rejectContent(notRunText(state), { haltstate: state });
    },
  });

  const original = inner.invoke;
  const invoke: Invoke = async (runContext, input, details) => {
    const call = request(details?.toolCall?.callId, input);
    let started = false;
    try {
      // The runner's signal (the tool's timeoutMs, a sibling call's failure) ends a wait too: a
      // call the model was told timed out must not run when the approval comes later.
      const guardInput = { ...call, ...(wait ? { wait } : {}), ...(options.mode ? { mode: options.mode } : {}) };
      const run = () => {
        started = true;
        return original.call(tool, runContext, input, details);
      };
      return await client.guard(guardInput, run, details?.signal ? { signal: details.signal } : {});
    } catch (error) {
      // An error of the tool's own (even a HaltState one, from a call it made) is its to throw.
      const text = started ? undefined : notRunErrorText(error, call.action);
      if (text === undefined) throw error;
      return text;
    }
  };

  const guarded = { ...inner, needsApproval, invoke, inputGuardrails: [...(inner.inputGuardrails ?? []), guardrail] };
  Object.defineProperty(guarded, BINDING, { value: binding });
  return guarded as T;
}

