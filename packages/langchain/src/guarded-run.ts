import { isHaltStateError, type HaltStateMode } from '@haltstate/core';
import { pauseWhilePending, type PausedCall } from './approval-interrupt.js';
import { decisionText } from './to-tool-result.js';

/**
 * What a guarded tool does when a human must approve first.
 *
 * @example
 * guardTools(tools, { client, onPending: 'interrupt' }) // inside a graph with a checkpointer
 */
export type OnPending = 'return' | 'wait' | 'throw' | 'interrupt';

/** One guarded tool call and how it waits. */
export interface GuardedCall extends PausedCall {
  onPending: OnPending;
  /** @unit milliseconds */
  waitTimeoutMs: number;
  /** `shadow`: asked and recorded, run whatever the answer, never paused. @default the client's */
  mode?: HaltStateMode | undefined;
}

/** The tool ran (its output), or HaltState kept it from running (what the model reads). */
export type GuardedOutcome<T> = { ran: true; output: T } | { ran: false; text: string };

/**
 * The one guard flow of every guarded tool call, for `guardTool` and the agent middleware alike:
 * in `interrupt` mode the graph pauses while HaltState says pending; then `client.guard` runs the
 * tool at most once under the call's key and reports the outcome. A decision that kept the tool
 * from running comes back as text; the tool's own errors and anything else are thrown.
 */
export async function runGuarded<T>(call: GuardedCall, run: () => Promise<T>): Promise<GuardedOutcome<T>> {
  const { client, action, agentId, params, idempotencyKey, onPending, mode } = call;
  // A shadow call never waits for a human, so it never pauses the graph either.
  const pauses = onPending === 'interrupt' && mode !== 'shadow';
  let started = false;
  // Twice at most: the lookup said decided but the guard found it pending (the server changed its
  // mind in between) pauses again once; a server that keeps contradicting itself is an error.
  for (let attempt = 0; ; attempt++) {
    if (pauses) await pauseWhilePending(call);
    try {
      const wait = onPending === 'wait' ? { wait: { timeoutMs: call.waitTimeoutMs } } : {};
      const output = await client.guard({ action, agentId, params, idempotencyKey, ...wait, ...(mode === undefined ? {} : { mode }) }, () => {
        started = true;
        return run();
      });
      return { ran: true, output: output as T };
    } catch (error) {
      // An error of the tool's own (even a HaltState one, from a call it made) is its to throw.
      if (started) throw error;
      if (pauses && attempt === 0 && isHaltStateError(error, 'HALTSTATE_APPROVAL_PENDING')) continue;
      // In interrupt mode a pending answer is never thrown: LangGraph's ToolNode would turn the
      // error into "please fix your mistakes" for the model.
      const text = decisionText(error, { action, returnPending: onPending === 'return' || onPending === 'interrupt' });
      if (text === undefined) throw error;
      return { ran: false, text };
    }
  }
}
