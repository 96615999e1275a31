// The policy check: one POST, its answer mapped to a `Decision` (or, with `failOpen` and an
// unreachable service, a made-up ALLOW that says so), and told to `onDecision`.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { prepareInput, redactParams } from './call-input.js';
import type { ClientContext } from './client-context.js';
import { elapsedMs, tellDecision } from './decision-hook.js';
import { isHaltStateError } from './errors.js';
import { ROUTES } from './routes.js';
import { checkResponse, toDecision, type checkRequest, type CheckResponse } from './schemas/check.js';
import type { CheckInput, Decision, HaltStateMode, RequestOptions } from './types.js';

/**
 * `POST /action/check`: asks whether an action may run; runs nothing. `mode` only marks the
 * `onDecision` event: a check answers the same in either mode (the caller acts on it).
 */
export async function check(ctx: ClientContext, input: CheckInput, options: RequestOptions, mode: HaltStateMode = ctx.options.mode): Promise<Decision> {
  ctx.killSwitch.assertAlive();
  const { agentId, action, params } = prepareInput(input, ctx.options.agentId);
  const requestId = randomUUID();
  const body = { agent_id: agentId, action, params: redactParams(params, ctx.options.redact, ctx.digest) } satisfies z.input<typeof checkRequest>;
  const startedAt = performance.now();
  let answer: CheckResponse;
  try {
    ({ data: answer } = await ctx.transport.request(
      // The id makes a retry recognisable; `unsent` keeps a check that may have created an
      // approval from being sent again to a server that does not dedupe by it.
      { method: 'POST', path: ROUTES.check, body, bodyName: 'params', schema: checkResponse, retry: 'unsent', requestId },
      options,
    ));
  } catch (error) {
    if (ctx.options.failOpen && isHaltStateError(error, 'HALTSTATE_CONNECTION')) {
      const decision: Decision = { decision: 'ALLOW', allowed: true, denied: false, requiresApproval: false, reason: 'Fail-open: connection error', policyId: null, latencyMs: 0, approvalId: null, requestId, failOpen: true, action, agentId };
      tellCheck(ctx, decision, elapsedMs(startedAt), mode);
      return decision;
    }
    throw error;
  }
  const decision = toDecision(answer, { requestId, action, agentId });
  tellCheck(ctx, decision, elapsedMs(startedAt), mode);
  return decision;
}

function tellCheck(ctx: ClientContext, decision: Decision, latencyMs: number, mode: HaltStateMode): void {
  const { action, agentId, policyId, approvalId, failOpen } = decision;
  tellDecision(ctx, { source: 'check', action, agentId, decision: decision.decision, reason: decision.reason || null, policyId, approvalId, latencyMs, mode, failedOpen: failOpen });
}
