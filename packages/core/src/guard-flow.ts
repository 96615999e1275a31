// The guard flow: ask, wait for a human while pending (asking again once decided), then run the
// function only when allowed or approved, and report how it ended. `execute` is the same flow
// for adapters, over a check when the call has no idempotency key.
import type { z } from 'zod';
import { awaitDecision, throwUnlessApproved, waitDeadline } from './approval-wait.js';
import { callMode, prepareInput, redactParams, validIdentifier, waitSettings } from './call-input.js';
import { elapsedMs, tellDecision } from './decision-hook.js';
import { check, decisionAttributes } from './check.js';
import type { ClientContext } from './client-context.js';
import { ActionAlreadyExecuted, ActionDenied, ActionExpired, ApprovalPending, HaltStateProtocolError, HaltStateValidationError, KillSwitchTriggered, type DecisionError } from './errors.js';
import { linkSignals, type Deadline } from './internal/abort.js';
import { announceApprovalRequested } from './internal/approval-notice.js';
import { inSpan, type SpanAttributes } from './internal/tracing.js';
import { toJsonObject, type JsonObject } from './json.js';
import { redact } from './redaction.js';
import { describeError, queueGuardReport, queueReport, queueShadowGuardReport } from './reporting.js';
import { KILL_SWITCH_POLICY_ID, ROUTES } from './routes.js';
import { guardResponse, toGuardState, toPermit, type guardRequest, type GuardResponse } from './schemas/guard.js';
import type { ApprovalRequest, Decision, ExecuteInput, HaltStateMode, GuardInput, GuardState, GuardStateInput, Permit, RequestOptions, WaitOptions } from './types.js';

/** `client.guard`: see its documentation. */
export async function guard<T>(ctx: ClientContext, input: GuardInput, fn: (permit: Permit) => T | Promise<T>, options: RequestOptions): Promise<Awaited<T>> {
  if (typeof fn !== 'function') throw new HaltStateValidationError('guard needs a function to run as its second argument', { path: 'fn' });
  ctx.killSwitch.assertAlive();
  const mode = callMode(input?.mode, ctx.options.mode);
  const { body, idempotencyKey, agentId, action } = guardRequestBody(ctx, input, mode);
  const { wait, waitMs } = waitSettings(input.wait);
  return inSpan('haltstate.guard', { 'haltstate.action': action, 'haltstate.agent.id': agentId, 'haltstate.mode': mode }, (span) => {
    const ask = async (signal?: AbortSignal) => {
      const startedAt = performance.now();
      const { data } = await ctx.transport.request({ method: 'POST', path: ROUTES.guard, body, bodyName: 'params', schema: guardResponse, trace: span.context }, signal ? { ...options, signal } : options);
      span.set(guardAttributes(data));
      tellDecision(ctx, { source: 'guard', action, agentId, idempotencyKey, decision: data.status, reason: data.reason ?? null, policyId: data.policy_id ?? null, approvalId: data.approval_id ?? null, latencyMs: elapsedMs(startedAt), mode, failedOpen: false });
      return data;
    };
    return guardFlow(ctx, { idempotencyKey, agentId, action, mode, wait, waitMs }, ask, fn, options);
  });
}

/** A guard answer's span attributes. */
function guardAttributes(answer: GuardResponse): SpanAttributes {
  return { 'haltstate.decision': answer.status, 'haltstate.policy.id': answer.policy_id ?? null, 'haltstate.approval.id': answer.approval_id ?? null };
}

/** The guard after its request is built: ask, wait while pending, run, report. */
async function guardFlow<T>(
  ctx: ClientContext,
  call: { idempotencyKey: string; agentId: string; action: string; mode: HaltStateMode; wait: WaitOptions | undefined; waitMs: number },
  ask: (signal?: AbortSignal) => Promise<GuardResponse>,
  fn: (permit: Permit) => T | Promise<T>,
  options: RequestOptions,
): Promise<Awaited<T>> {
  const { idempotencyKey, agentId, action, mode, wait, waitMs } = call;

  let answer: GuardResponse = await ask();
  if (mode === 'shadow') return runShadowGuard(ctx, answer, { idempotencyKey, action, agentId }, fn, options.signal);
  // Set when the guard starts to wait; the function never starts once it has passed.
  let deadline: Deadline | undefined;
  try {
    let decided = false;
    while (answer.status === 'pending') {
      const approvalId = answer.approval_id ?? idempotencyKey;
      if (!wait) throw new ApprovalPending({ approvalId, idempotencyKey, action });
      if (decided) throw new HaltStateProtocolError(`guard for "${action}" is still pending after approval ${approvalId} was decided`);
      announce(ctx, { approvalId, action, agentId, idempotencyKey }, wait, waitMs);
      deadline = waitDeadline(approvalId, waitMs);
      await awaitDecision(ctx, approvalId, deadline.signal, { ...options, pollIntervalMs: wait.pollIntervalMs });
      decided = true;
      // The server stays the source of truth: ask again with the same key, within the deadline.
      const link = linkSignals(options.signal, deadline.signal, ctx.closing);
      try {
        answer = await ask(link.signal);
      } finally {
        link.dispose();
      }
    }
    if (answer.status === 'denied') throw denial({ action, agentId, reason: answer.reason, policyId: answer.policy_id ?? null, approver: answer.approver ?? null });
    if (answer.status === 'expired') throw new ActionExpired({ action, approvalId: answer.approval_id ?? undefined });
    if (answer.status === 'executed') throw new ActionAlreadyExecuted({ action, approvalId: answer.approval_id ?? undefined, idempotencyKey, executedAt: answer.executed_at ?? null });
    await readyToRun(ctx, waitMs, options.signal, deadline);
  } finally {
    deadline?.dispose();
  }

  const permit = toPermit({ ...answer, status: answer.status }, { idempotencyKey, action, agentId });
  try {
    const value = await fn(permit);
    queueGuardReport(ctx, permit, 'success', null);
    return value;
  } catch (error) {
    queueGuardReport(ctx, permit, 'error', describeError(error));
    throw error;
  }
}

/** `client.guardState`: one guard request, mapped to a state; nothing runs, waits or reports. */
export async function guardState(ctx: ClientContext, input: GuardStateInput, options: RequestOptions): Promise<GuardState> {
  for (const key of ['wait', 'report', 'mode'] as const) {
    if (typeof input === 'object' && input !== null && key in input) throw new HaltStateValidationError(`guardState is a lookup: it never waits, runs or reports, so "${key}" has no meaning here; remove it (guard() waits and runs)`, { path: key });
  }
  ctx.killSwitch.assertAlive();
  const { body, idempotencyKey, agentId, action } = guardRequestBody(ctx, input, 'enforce');
  return inSpan('haltstate.guard_state', { 'haltstate.action': action, 'haltstate.agent.id': agentId }, async (span) => {
    const answer = (await ctx.transport.request({ method: 'POST', path: ROUTES.guard, body, bodyName: 'params', schema: guardResponse, trace: span.context }, options)).data;
    span.set(guardAttributes(answer));
    return toGuardState(answer, { idempotencyKey, action, agentId });
  });
}

/** The guard request of a call, and the key, agent and action it was built with. */
function guardRequestBody(ctx: ClientContext, input: GuardStateInput, mode: HaltStateMode): { body: z.input<typeof guardRequest>; idempotencyKey: string; agentId: string; action: string } {
  const { agentId, action, params } = prepareInput(input, ctx.options.agentId);
  const idempotencyKey = input.idempotencyKey ?? ctx.digest.idempotencyKey(ctx.options.tenantId, agentId, action, params);
  validIdentifier(idempotencyKey, 'idempotencyKey');
  const body = {
    agent_id: agentId,
    action,
    params: redactParams(params, ctx.options.redact, ctx.digest),
    idempotency_key: idempotencyKey,
    tenant_id: ctx.options.tenantId,
    ...metadata(ctx, input.metadata, mode),
  } satisfies z.input<typeof guardRequest>;
  return { body, idempotencyKey, agentId, action };
}

/**
 * The guard request's metadata: the caller's, redacted, and in shadow mode `haltstate_mode:
 * "shadow"`, so an approver of a request a shadow call opened sees that nothing waits for it.
 */
function metadata(ctx: ClientContext, given: GuardInput['metadata'], mode: HaltStateMode): { metadata?: JsonObject } {
  const shadow: JsonObject = mode === 'shadow' ? { haltstate_mode: 'shadow' } : {};
  if (given === undefined) return mode === 'shadow' ? { metadata: shadow } : {};
  return { metadata: { ...redact(toJsonObject(given, 'metadata'), ctx.options.redact), ...shadow } };
}

/**
 * Shadow mode runs whatever the policy said, but two stops stay: the kill switch (an operator's,
 * not a policy's: the client's, or the server's DENY under its policy id) and the caller's abort.
 */
function shadowMayRun(ctx: ClientContext, denied: { action: string; agentId: string; reason: string | null | undefined; policyId: string | null } | null, signal: AbortSignal | undefined): void {
  if (denied?.policyId === KILL_SWITCH_POLICY_ID) throw denial({ ...denied, approver: null });
  ctx.killSwitch.assertAlive();
  ctx.closing.throwIfAborted();
  signal?.throwIfAborted();
}

/**
 * Shadow mode's guard: the function runs whatever the answer was, without waiting for a human,
 * and its outcome goes out as a report marked shadow.
 */
async function runShadowGuard<T>(ctx: ClientContext, answer: GuardResponse, call: { idempotencyKey: string; action: string; agentId: string }, fn: (permit: Permit) => T | Promise<T>, signal: AbortSignal | undefined): Promise<Awaited<T>> {
  const { status } = answer;
  shadowMayRun(ctx, status === 'denied' ? { ...call, reason: answer.reason, policyId: answer.policy_id ?? null } : null, signal);
  const runs = status === 'allowed' || status === 'approved';
  const permit: Permit = runs ? toPermit({ ...answer, status }, call) : { ...toPermit({ ...answer, status: 'allowed' }, call), status: 'shadow', shadowedStatus: status, approver: null };
  const shadowed = { ...call, status, policyId: answer.policy_id ?? null };
  try {
    const value = await fn(permit);
    queueShadowGuardReport(ctx, shadowed, null);
    return value;
  } catch (error) {
    queueShadowGuardReport(ctx, shadowed, describeError(error));
    throw error;
  }
}

/** `client.execute`: with an idempotency key, `guard`; without one, check → run → report. */
export async function execute<T>(ctx: ClientContext, input: ExecuteInput, fn: (permit: Permit | null) => T | Promise<T>, options: RequestOptions): Promise<Awaited<T>> {
  if (input.idempotencyKey !== undefined) return guard(ctx, input, fn, options);
  const mode = callMode(input?.mode, ctx.options.mode);
  const { agentId, action } = prepareInput(input, ctx.options.agentId);
  return inSpan('haltstate.guard', { 'haltstate.action': action, 'haltstate.agent.id': agentId, 'haltstate.mode': mode }, async (span): Promise<Awaited<T>> => {
    const decision = await check(ctx, input, options, mode);
    span.set(decisionAttributes(decision));
    return checkFlow(ctx, input, decision, fn, options, mode);
  });
}

/** `execute` without a key, after its check: wait while approval is required, run, report. */
async function checkFlow<T>(ctx: ClientContext, input: ExecuteInput, decision: Decision, fn: (permit: Permit | null) => T | Promise<T>, options: RequestOptions, mode: HaltStateMode): Promise<Awaited<T>> {
  const { wait, waitMs } = waitSettings(input.wait);
  const report = input.report !== false;
  if (mode === 'shadow') {
    shadowMayRun(ctx, decision.denied ? decision : null, options.signal);
    return runReported(ctx, decision, fn, report, mode);
  }
  if (decision.denied) throw denial({ action: decision.action, agentId: decision.agentId, reason: decision.reason, policyId: decision.policyId, approver: null });
  let deadline: Deadline | undefined;
  try {
    if (decision.requiresApproval) {
      const approvalId = decision.approvalId!;
      if (!wait) throw new ApprovalPending({ approvalId, action: decision.action });
      announce(ctx, { approvalId, action: decision.action, agentId: decision.agentId, idempotencyKey: null }, wait, waitMs);
      deadline = waitDeadline(approvalId, waitMs);
      const state = await awaitDecision(ctx, approvalId, deadline.signal, { ...options, pollIntervalMs: wait.pollIntervalMs });
      throwUnlessApproved(state, decision.action, decision.policyId);
    }
    await readyToRun(ctx, waitMs, options.signal, deadline);
  } finally {
    deadline?.dispose();
  }
  return runReported(ctx, decision, fn, report, 'enforce');
}

/** The check flow's run: the function, then (unless `report` is off) its outcome reported. */
async function runReported<T>(ctx: ClientContext, decision: Decision, fn: (permit: null) => T | Promise<T>, report: boolean, mode: HaltStateMode): Promise<Awaited<T>> {
  try {
    const value = await fn(null);
    if (report) queueReport(ctx, decision, { status: 'success', result: value }, mode);
    return value;
  } catch (error) {
    if (report) queueReport(ctx, decision, { status: 'error', result: { error: describeError(error) } }, mode);
    throw error;
  }
}

/**
 * Just before a guarded function starts: never after KILL, held while PAUSE, not once the
 * caller aborted or the wait's deadline passed. Nothing is awaited after the last check.
 */
async function readyToRun(ctx: ClientContext, waitMs: number, signal: AbortSignal | undefined, deadline: Deadline | undefined): Promise<void> {
  ctx.killSwitch.assertAlive();
  if (ctx.killSwitch.status === 'PAUSE') {
    const link = linkSignals(signal, deadline?.signal, ctx.closing);
    try {
      await ctx.killSwitch.whenRunnable(waitMs, link.signal);
    } finally {
      link.dispose();
    }
  }
  ctx.killSwitch.assertAlive();
  ctx.closing.throwIfAborted();
  signal?.throwIfAborted();
  deadline?.signal.throwIfAborted();
}

/** A wait for a human starts: the debug line, then the client's hook and the call's. */
function announce(ctx: ClientContext, request: Omit<ApprovalRequest, 'url'>, wait: WaitOptions, waitMs: number): void {
  const url = ctx.options.approvalUrl?.(request.approvalId);
  announceApprovalRequested({
    request: { ...request, url },
    hooks: [ctx.options.onApprovalRequested, wait.onApprovalRequested],
    logger: ctx.options.logger,
    waitMs,
    scrub: (text) => ctx.transport.scrub(text),
  });
}

/**
 * A DENY from the server's kill switch is `KillSwitchTriggered` for this call (the server lifts it
 * on resume, so the client is not stopped for good); any other DENY is `ActionDenied`.
 */
function denial(details: { action: string; agentId: string; reason: string | null | undefined; policyId: string | null; approver: string | null }): DecisionError {
  const { action, agentId, reason, policyId, approver } = details;
  if (policyId === KILL_SWITCH_POLICY_ID) {
    const message = `The kill switch stopped "${action}" for agent "${agentId}"${reason ? ` (${reason})` : ''}; it did not run. It runs again once an operator resumes the agent`;
    return new KillSwitchTriggered({ agentId, agentStatus: 'KILL', message });
  }
  return new ActionDenied({ action, reason: reason || 'Policy violation', policyId, approver });
}
