export { guardTools } from './guard-tools.js';
export type { GuardableTool, ToolCallOptionsRef } from './guard-tools.js';
export { haltstateApproval } from './tool-approval.js';
export type { HaltStateApprovalOptions, HaltStateApprovalStatus, HaltStateToolApproval } from './tool-approval.js';
export { approvalResponses } from './approval-responses.js';
export type { ApprovalResponses, HistoryMessage, PendingToolApproval, ToolApprovalResponsePart } from './approval-responses.js';
export type { HaltStateToolOptions, ToolCallRef } from './tool-call.js';
export { notRunText } from './not-run-text.js';
export type { NotRun } from './not-run-text.js';
