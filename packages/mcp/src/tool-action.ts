import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { HaltStateValidationError, type ActionParams } from '@haltstate/core';

/**
 * How a tool call is named to HaltState: a prefix (`'mcp.files'` → `mcp.files.<tool>`) or a
 * function of the tool's name and annotations.
 *
 * @example
 * const action: ActionOption = (tool, annotations) => (annotations.readOnlyHint ? `read.${tool}` : `write.${tool}`);
 */
export type ActionOption = string | ((tool: string, annotations: ToolAnnotations) => string);

/**
 * The action namer of an {@link ActionOption}, `mcp.<server>.<tool>` by default.
 *
 * @example
 * actionNamer(undefined, 'files')('delete', {}) // 'mcp.files.delete'
 */
export function actionNamer(option: ActionOption | undefined, serverName: string): (tool: string, annotations: ToolAnnotations) => string {
  if (typeof option === 'function') return option;
  if (option !== undefined && (typeof option !== 'string' || option.length === 0)) {
    throw new HaltStateValidationError('action must be a non-empty prefix (e.g. "mcp.files") or a function (tool, annotations) => string', { path: 'action' });
  }
  const prefix = option ?? `mcp.${serverName}`;
  return (tool) => `${prefix}.${tool}`;
}

/**
 * What the approver sees besides the params: the server, the tool, and the tool's annotations.
 * Annotations are the server's own claims (`readOnlyHint`, `destructiveHint`, …): hints, not facts.
 *
 * @example
 * toolMetadata('files', 'delete', { destructiveHint: true })
 */
export function toolMetadata(serverName: string, tool: string, annotations: ToolAnnotations | undefined, extra: ActionParams = {}): ActionParams {
  return { mcp_server: serverName, mcp_tool: tool, annotations: { ...(annotations ?? {}) }, annotations_are_hints: true, ...extra };
}

/** A call's arguments as params: the object the host sent, `{}` when it sent none. */
export function argumentsAsParams(args: unknown): ActionParams {
  if (args === undefined || args === null) return {};
  return typeof args === 'object' && !Array.isArray(args) ? (args as ActionParams) : { input: args };
}
