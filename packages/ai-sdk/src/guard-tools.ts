import { HaltStateValidationError } from '@haltstate/core';
import { notRunOf, notRunText } from './not-run-text.js';
import { checkOptions, guardInputOf, inShadow, type HaltStateToolOptions } from './tool-call.js';

/**
 * What ai hands a tool's `execute` and `needsApproval` (ai 6 and 7 alike): the call's id.
 *
 * @example
 * await guarded.refund.execute({ orderId: 'o-1' }, { toolCallId: 'call_1' });
 */
export interface ToolCallOptionsRef {
  toolCallId: string;
}

/**
 * The part of an ai tool (ai 6 or 7) that {@link guardTools} replaces. Inputs are typed `never`
 * so that any tool's `execute` fits, whatever its input type.
 *
 * @example
 * const refund: GuardableTool = tool({ description: 'Refund', inputSchema, execute: async ({ orderId }) => refundOrder(orderId) });
 */
export interface GuardableTool {
  description?: unknown;
  inputSchema?: unknown;
  execute?: ((input: never, options: never) => unknown) | undefined;
  needsApproval?: unknown;
}

type Execute = (input: unknown, options: ToolCallOptionsRef) => unknown;

const GUARDED = Symbol.for('haltstate.ai-sdk.guarded');

/**
 * Returns the same tools, each gated by HaltState (ai 6 and ai 7). Every tool's `execute` runs
 * only inside core's `guard`, keyed by ai's toolCallId: it runs when HaltState allows or a
 * human approved (once per approval), its outcome is reported exactly once, and otherwise it
 * does not run and returns a text the model reads (`not allowed: <reason>`, `already done: …`,
 * `not run: … has not been approved`). So a tool-approval-response in the history that HaltState
 * did not back never runs a tool, whatever ai decided from it.
 *
 * Each tool also gets a `needsApproval` (replacing its own: HaltState decides) that asks
 * `client.guardState` — a stable lookup, safe for ai to repeat on every resume: `true` while a
 * human must decide, has approved, or the approval already ran (ai 6 turns a `false` on resume
 * into a denial, and a replay should read "already done"), `false` otherwise (allowed runs at
 * once; a denial comes back from `execute` as text). On ai 7,
 * {@link haltstateApproval} (given as `toolApproval`) takes precedence over `needsApproval`.
 * In shadow mode (`mode: 'shadow'`, or the client's) `needsApproval` answers `false` without
 * asking, and `execute` runs every call through the guard in shadow.
 *
 * @example
 * const tools = guardTools({ refund, searchDocs }, { client, agentId: 'support-bot' });
 * const result = await generateText({ model, tools, messages }); // ai 6: needsApproval pauses
 */
export function guardTools<const Tools extends Record<string, GuardableTool>>(tools: Tools, options: HaltStateToolOptions): Tools {
  checkOptions(options, 'guardTools');
  const guarded: Record<string, GuardableTool> = {};
  for (const [toolName, tool] of Object.entries(tools)) {
    if ((tool as Record<symbol, unknown>)[GUARDED]) throw new HaltStateValidationError(`guardTools: "${toolName}" is already guarded`, { path: toolName });
    // A tool without execute runs on the client (its result comes from the app): nothing to guard.
    guarded[toolName] = typeof tool.execute === 'function' ? guardTool(toolName, tool, tool.execute as Execute, options) : tool;
  }
  return guarded as Tools;
}

function guardTool(toolName: string, tool: GuardableTool, original: Execute, options: HaltStateToolOptions): GuardableTool {
  const { client } = options;
  const execute = async (input: unknown, callOptions: ToolCallOptionsRef) => {
    let started = false;
    try {
      const call = guardInputOf(options, { toolCallId: callOptions.toolCallId, toolName, input });
      return await client.guard(options.mode === undefined ? call : { ...call, mode: options.mode }, () => {
        started = true;
        return original(input, callOptions);
      });
    } catch (error) {
      // The tool's own errors (even a HaltState one, from a call it made) are its to throw; ai
      // hands them to the model as a tool error.
      const notRun = started ? undefined : notRunOf(error);
      if (!notRun) throw error;
      return notRunText(notRun);
    }
  };
  const needsApproval = async (input: unknown, callOptions: ToolCallOptionsRef) => {
    // Shadow never pauses: execute runs the call through the guard, which records it as shadow.
    if (inShadow(options)) return false;
    const state = await client.guardState(guardInputOf(options, { toolCallId: callOptions.toolCallId, toolName, input }));
    return state.status === 'pending' || state.status === 'approved' || state.status === 'executed';
  };
  return Object.defineProperty({ ...tool, execute, needsApproval }, GUARDED, { value: true });
}
