import { ToolMessage } from '@langchain/core/messages';

/** The parts of a tool that shape what its `_call` must return. */
export interface ToolShape {
  name: string;
  responseFormat?: string;
  metadata?: Record<string, unknown>;
}

/**
 * What `_call` returns when HaltState kept the tool from running. For a tool call, a
 * `ToolMessage` with `status: 'error'`: LangChain passes a message through as it is, while it
 * would wrap plain text as a success. Without a tool call, the text itself.
 */
export function notRunOutput(text: string, tool: ToolShape, toolCallId: string | undefined): unknown {
  const content = toolCallId ? new ToolMessage({ content: text, status: 'error', tool_call_id: toolCallId, name: tool.name, ...(tool.metadata ? { metadata: tool.metadata } : {}) }) : text;
  // Such a tool's _call must return a [content, artifact] pair; there is no artifact.
  return tool.responseFormat === 'content_and_artifact' ? [content, undefined] : content;
}
