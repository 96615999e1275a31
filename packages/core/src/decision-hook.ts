// Every answer of the policy service, told to the client's `onDecision` hook and counted in the
// metrics: the one place a decision becomes an event, so check, guard, fail-open and shadow
// answers read alike.
import type { ClientContext } from './client-context.js';
import { callHook } from './internal/hooks.js';
import { recordDecision } from './internal/metrics.js';
import type { DecisionEvent } from './types.js';

/** Milliseconds since `startedAt` (a `performance.now()`), whole. */
export const elapsedMs = (startedAt: number): number => Math.round(performance.now() - startedAt);

/** Calls `onDecision` with the event, not awaited; a failing hook becomes a warning. */
export function tellDecision(ctx: ClientContext, event: DecisionEvent): void {
  recordDecision(event);
  callHook(ctx.options.onDecision, event, (reason) => `onDecision failed for "${event.action}" (${event.decision}): ${reason}; the call goes on`, {
    logger: ctx.options.logger,
    scrub: (text) => ctx.transport.scrub(text),
  });
}
