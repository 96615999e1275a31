export { guardTool, guardTools } from './guard-tool.js';
export type { GuardToolOptions } from './guard-tool.js';
export type { OnPending } from './guarded-run.js';
export { isHaltStateInterrupt } from './approval-interrupt.js';
export type { HaltStateInterrupt } from './approval-interrupt.js';
export { resumeFromHaltState } from './resume.js';
export type { GraphInterruptLike, HaltStateDecision, HaltStateResume } from './resume.js';
export { deniedResult, pendingResult, timeoutResult, expiredResult, executedResult } from './to-tool-result.js';
