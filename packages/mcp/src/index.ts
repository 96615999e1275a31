export { guardMcpServer } from './guard-mcp-server.js';
export type { GuardMcpServerOptions } from './guard-mcp-server.js';
export { createMcpProxy } from './proxy.js';
export { MAX_WAIT_MS, DEFAULT_ELICITATION_WAIT_MS } from './wait-limits.js';
export type { McpProxyOptions } from './proxy.js';
export type { ActionOption } from './tool-action.js';
export { notRunText, pendingText } from './not-run-text.js';
export { runProxy } from './cli/run-proxy.js';
export type { CliIo } from './cli/run-proxy.js';
