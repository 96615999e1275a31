export { jsonObject, decisionValue, identifier, errorBody } from './common.js';
export type { DecisionValue } from './common.js';
export { checkRequest, checkResponse } from './check.js';
export type { CheckRequest, CheckResponse } from './check.js';
export { reportRequest, guardReportRequest, reportAcknowledgement } from './report.js';
export type { ReportRequest, GuardReportRequest } from './report.js';
export { guardRequest, guardResponse, guardStatus } from './guard.js';
export type { GuardRequest, GuardResponse, GuardStatus } from './guard.js';
export {
  approvalStatus,
  approvalResponse,
  approvalDecision,
  approvalsSinceResponse,
  approvalDecisionEvent,
  streamEventEnvelope,
  streamErrorEvent,
} from './approval.js';
export type { ApprovalStatus, ApprovalResponse, ApprovalDecision, ApprovalsSinceResponse, ApprovalDecisionEvent } from './approval.js';
export { heartbeatResponse, toAgentStatus } from './heartbeat.js';
export type { HeartbeatResponse, AgentStatus } from './heartbeat.js';
