import { KillSwitchTriggered } from '../errors.js';
import type { AgentStatus } from '../statuses.js';

/**
 * The state the heartbeat sets: OK, PAUSE (new guarded actions wait) or KILL (for good: every
 * later call throws and every waiting guarded action is stopped through `signal`).
 */
export class KillSwitch {
  #status: AgentStatus = 'OK';
  #agentId: string;
  readonly #killed = new AbortController();
  #resumed: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(agentId: string) {
    this.#agentId = agentId;
  }

  get status(): AgentStatus {
    return this.#status;
  }

  /** Aborted, with a `KillSwitchTriggered` reason, once KILL was seen. */
  get signal(): AbortSignal {
    return this.#killed.signal;
  }

  watch(agentId: string, timer: NodeJS.Timeout): void {
    this.stop();
    this.#agentId = agentId;
    this.#timer = timer;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  update(status: AgentStatus): void {
    if (this.#status === 'KILL') return;
    this.#status = status;
    if (status === 'KILL') {
      this.stop();
      this.#killed.abort(this.#error('KILL'));
    }
    if (status !== 'PAUSE') {
      const waiters = this.#resumed;
      this.#resumed = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Throws `KillSwitchTriggered` when KILL was seen; sends no request. */
  assertAlive(): void {
    if (this.#status === 'KILL') throw this.#error('KILL');
  }

  /** Resolves at once unless PAUSE; then when the agent runs again, or rejects after `timeoutMs`. */
  async whenRunnable(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    this.assertAlive();
    if (this.#status !== 'PAUSE') return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#killed.signal.removeEventListener('abort', onAbort);
        this.#resumed = this.#resumed.filter((waiter) => waiter !== onResume);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onResume = () => done(this.#status === 'KILL' ? this.#error('KILL') : undefined);
      const onAbort = () => done(this.#killed.signal.aborted ? this.#killed.signal.reason : signal?.reason);
      const timer = setTimeout(
        () => done(new KillSwitchTriggered({ agentId: this.#agentId, agentStatus: 'PAUSE', message: `Agent "${this.#agentId}" stayed paused for more than ${timeoutMs} ms; the guarded action did not run` })),
        timeoutMs,
      );
      this.#resumed.push(onResume);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#killed.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #error(status: 'KILL' | 'PAUSE'): KillSwitchTriggered {
    return new KillSwitchTriggered({ agentId: this.#agentId, agentStatus: status });
  }
}
