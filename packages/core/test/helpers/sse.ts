import { PassThrough } from 'node:stream';

export const sseHeaders = { 'content-type': 'text/event-stream' };

/** An SSE body a test writes to while the client reads it. */
export function sseStream(): { body: PassThrough; send: (event: object) => void; comment: (text?: string) => void; end: () => void } {
  const body = new PassThrough();
  return {
    body,
    send: (event) => body.write(`data: ${JSON.stringify(event)}\n\n`),
    comment: (text = 'keep-alive') => body.write(`: ${text}\n\n`),
    end: () => body.end(),
  };
}

/**
 * Resolves as soon as `condition()` holds, checking on every I/O turn (no sleeps). Fails after
 * `limitMs` of real time (process.hrtime, which fake timers do not touch) so a bug cannot hang.
 */
export async function until(condition: () => boolean, limitMs = 5000): Promise<void> {
  const limit = process.hrtime.bigint() + BigInt(limitMs) * 1_000_000n;
  while (!condition()) {
    if (process.hrtime.bigint() > limit) throw new Error('condition never held');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Advances fake time in small steps with a real I/O turn between them, so responses in flight land first. */
export async function advance(ms: number, step = 100): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    await jest.advanceTimersByTimeAsync(Math.min(step, ms - done));
  }
}

/**
 * Records the delays the client asks `sleep()` for (retry backoff, poll intervals), leaving out
 * every other timer (deadlines, body reads). Call `stop()` to restore setTimeout.
 */
export function recordSleeps(): { delays: number[]; stop: () => void } {
  const delays: number[] = [];
  const original = global.setTimeout;
  const spy = jest.spyOn(global, 'setTimeout').mockImplementation(((handler: () => void, ms?: number, ...args: unknown[]) => {
    if (new Error().stack?.includes('at sleep ')) delays.push(ms ?? 0);
    return original(handler, ms, ...args);
  }) as typeof setTimeout);
  return { delays, stop: () => spy.mockRestore() };
}

/**
 * Settles the promise while advancing fake time, and returns the delays the client slept for
 * between attempts. Asserting on requested delays, not elapsed time, keeps the tests exact
 * however slow the machine is.
 */
export async function drive<T>(promise: Promise<T>): Promise<{ result: PromiseSettledResult<T>; waits: number[] }> {
  const sleeps = recordSleeps();
  const settled = Promise.allSettled([promise]);
  let done = false;
  void settled.then(() => (done = true));
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    await jest.advanceTimersByTimeAsync(5);
  }
  sleeps.stop();
  return { result: (await settled)[0]!, waits: sleeps.delays };
}
