// The moment an agent starts waiting for a human is the moment to tell one. The hooks are the
// user's code: whatever they do (throw, reject, hang), the wait and its outcome are the SDK's.
import type { HaltStateLogger } from '../options.js';
import type { ApprovalRequest, ApprovalRequestedHook } from '../types.js';

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
  const failed = (error: unknown) => {
    const reason = scrub(error instanceof Error ? error.message || error.name : String(error));
    const message = `onApprovalRequested failed for approval ${approvalId}: ${reason}; the wait goes on`;
    process.emitWarning(message, { code: 'HALTSTATE_HOOK_FAILED' });
    log(logger, message);
  };
  for (const hook of hooks) {
    if (hook === undefined) continue;
    try {
      const result: unknown = hook({ ...request });
      if (result instanceof Promise) result.catch(failed);
    } catch (error) {
      failed(error);
    }
  }
}

/** A logger that throws must not break the call either. */
function log(logger: HaltStateLogger | undefined, message: string): void {
  try {
    logger?.debug(message);
  } catch {
    // The user's logger failed; there is nowhere better to say so.
  }
}
