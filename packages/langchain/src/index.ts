export { guardTool, guardTools } from './guard-tool.js';
export type { GuardToolOptions, OnPending } from './guard-tool.js';
export { deniedResult, pendingResult, timeoutResult, expiredResult, executedResult } from './to-tool-result.js';
