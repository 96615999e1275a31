// The policy check: one POST, its answer mapped to a `Decision` (or, with `failOpen` and an
// unreachable service, a made-up ALLOW that says so), and told to `onDecision`.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { prepareInput, redactParams } from './call-input.js';
import type { ClientContext } from './client-context.js';
import { elapsedMs, tellDecision } from './decision-hook.js';
import { isHaltStateError } from './errors.js';
import { inSpan, type SpanAttributes, type TraceContext } from './internal/tracing.js';
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
  return inSpan('haltstate.check', { 'haltstate.action': action, 'haltstate.agent.id': agentId, 'haltstate.mode': mode }, async (span) => {
    const decision = await ask(ctx, { agentId, action, params }, options, mode, span.context);
    span.set(decisionAttributes(decision));
    return decision;
  });
}

/** A decision's span attributes: outcome, policy, approval, request id and fail-open. */
export function decisionAttributes(decision: Decision): SpanAttributes {
  return {
    'haltstate.decision': decision.decision,
    'haltstate.policy.id': decision.policyId,
    'haltstate.approval.id': decision.approvalId,
    'haltstate.request.id': decision.requestId,
    'haltstate.failed_open': decision.failOpen,
  };
}

async function ask(ctx: ClientContext, { agentId, action, params }: ReturnType<typeof prepareInput>, options: RequestOptions, mode: HaltStateMode, trace: TraceContext | undefined): Promise<Decision> {
  const requestId = randomUUID();
  const body = { agent_id: agentId, action, params: redactParams(params, ctx.options.redact, ctx.digest) } satisfies z.input<typeof checkRequest>;
  const startedAt = performance.now();
  let answer: CheckResponse;
  try {
    ({ data: answer } = await ctx.transport.request(
      // The id makes a retry recognisable; `unsent` keeps a check that may have created an
      // approval from being sent again to a server that does not dedupe by it.
      { method: 'POST', path: ROUTES.check, body, bodyName: 'params', schema: checkResponse, retry: 'unsent', requestId, trace },
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
