import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isHaltStateError, type ActionParams, type HaltStateClient, type HaltStateMode, type WaitOptions } from '@haltstate/core';
import { notRunText } from './not-run-text.js';

/** One tool call, as both `guardMcpServer` and the proxy ask HaltState about it. */
export interface ToolCall {
  client: HaltStateClient;
  /** The tool's name, as the host calls it: part of the idempotency key. */
  tool: string;
  action: string;
  agentId: string;
  /** The call's arguments: the action's params (core redacts them as usual). */
  params: ActionParams;
  /** Shown to the approver: the server, the tool and its annotations (hints, not facts). */
  metadata: ActionParams;
  mode?: HaltStateMode | undefined;
  wait?: boolean | WaitOptions | undefined;
  signal?: AbortSignal | undefined;
  approvalUrl?: ((approvalId: string) => string) | undefined;
  /** Told when the call answers "pending" (it did not run; a human must decide first). */
  onPending?: ((approvalId: string) => void) | undefined;
}

/** A tool's own `isError` result: thrown inside the guard so the audit records an error outcome. */
class ToolError extends Error {
  constructor(readonly result: CallToolResult) {
    super(toolErrorMessage(result));
  }
}

function toolErrorMessage(result: CallToolResult): string {
  const text = result.content?.find((part) => part.type === 'text');
  return `the tool answered isError${text && 'text' in text ? `: ${String(text.text).slice(0, 200)}` : ''}`;
}

/** A result the host's model reads as the tool's failure. */
export function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/**
 * The idempotency key of a tool call: the agent, the action, the tool and the canonical
 * arguments. MCP has no call id, so the same call repeated (the model's retry, or the user's
 * "try again" after an approval) finds the same approval, and two tools that share one action
 * name never share an approval.
 */
export function callKey(call: Pick<ToolCall, 'client' | 'agentId' | 'action' | 'tool' | 'params'>): string {
  return call.client.idempotencyKey({ agentId: call.agentId, action: call.action, params: { tool: call.tool, arguments: call.params } });
}

/**
 * Runs `run` inside core's guard flow and answers a `CallToolResult` whatever HaltState says:
 * the tool's own result when allowed or approved (its outcome reported once), an `isError` text
 * the model reads when denied, pending, killed or unreachable (the tool never ran). Errors thrown
 * by the tool itself after it started are rethrown: they are the tool's, and were reported.
 */
export async function guardCall(call: ToolCall, run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  // Core holds a guarded call while PAUSE lasts; an MCP call cannot outlive the host's 60 s
  // request timeout, so without a bounded wait a paused agent's call answers at once.
  if (!call.wait && call.client.agentStatus === 'PAUSE') {
    return errorResult(`paused: HaltState's kill switch pauses agent "${call.agentId}"; the tool did not run. The same call can be made again once the agent is resumed.`);
  }
  let started = false;
  const input = {
    action: call.action,
    agentId: call.agentId,
    params: call.params,
    metadata: call.metadata,
    idempotencyKey: callKey(call),
    ...(call.wait ? { wait: call.wait } : {}),
    ...(call.mode ? { mode: call.mode } : {}),
  };
  try {
    return await call.client.guard(
      input,
      async () => {
        started = true;
        const result = await run();
        if (result.isError) throw new ToolError(result);
        return result;
      },
      call.signal ? { signal: call.signal } : {},
    );
  } catch (error) {
    if (error instanceof ToolError) return error.result;
    if (started) throw error;
    if (isHaltStateError(error, 'HALTSTATE_APPROVAL_PENDING') || isHaltStateError(error, 'HALTSTATE_APPROVAL_TIMEOUT')) call.onPending?.(error.approvalId);
    return errorResult(notRunText(error, call));
  }
}
