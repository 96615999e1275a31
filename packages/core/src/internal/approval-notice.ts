// The moment an agent starts waiting for a human is the moment to tell one. The hooks are the
// user's code: whatever they do (throw, reject, hang), the wait and its outcome are the SDK's.
import type { HaltStateLogger } from '../options.js';
import type { ApprovalRequest, ApprovalRequestedHook } from '../types.js';
import { callHook, log } from './hooks.js';

export interface ApprovalNotice {
  request: ApprovalRequest;
  /** Client hook first, then the call's. */
  hooks: ReadonlyArray<ApprovalRequestedHook | undefined>;
  logger: HaltStateLogger | undefined;
  waitMs: number;
  /** Removes the API key from text that came from a hook's error. */
  scrub: (text: string) => string;
}

/** Logs the request and calls each hook once, without awaiting it; their failures become warnings. */
export function announceApprovalRequested({ request, hooks, logger, waitMs, scrub }: ApprovalNotice): void {
  const { approvalId, action, agentId, idempotencyKey, url } = request;
  const key = idempotencyKey === null ? '' : ` (key ${idempotencyKey})`;
  log(logger, `approval ${approvalId} requested: "${action}" by agent "${agentId}"${key} waits for a human decision, up to ${Math.round(waitMs / 1000)} s${url ? `: ${url}` : ''}`);
  for (const hook of hooks) {
    callHook(hook, { ...request }, (reason) => `onApprovalRequested failed for approval ${approvalId}: ${reason}; the wait goes on`, { logger, scrub });
  }
}
