// The kill switch as the client drives it: the heartbeat read, and its polling. The state it
// sets (OK, PAUSE, KILL) and what that does to calls is internal/kill-switch.ts.
import { validIdentifier } from './call-input.js';
import type { ClientContext } from './client-context.js';
import { HaltStateValidationError } from './errors.js';
import { ROUTES } from './routes.js';
import { heartbeatResponse } from './schemas/heartbeat.js';
import { toAgentStatus, type AgentStatus } from './statuses.js';
import type { RequestOptions } from './types.js';

/** `GET /heartbeat`: an agent's status. */
export async function heartbeat(ctx: ClientContext, agentId: string, options: RequestOptions): Promise<AgentStatus> {
  validIdentifier(agentId, 'agentId');
  const { data } = await ctx.transport.request({ method: 'GET', path: ROUTES.heartbeat, query: { agent_id: agentId }, schema: heartbeatResponse }, options);
  return toAgentStatus(data.status);
}

/** What `startKillSwitch` is given. */
export interface KillSwitchOptions {
  intervalMs?: number | undefined;
  agentId?: string | undefined;
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * `client.startKillSwitch`: one heartbeat now (through `read`, the client's public call), then one
 * every `intervalMs` until KILL or the client's end.
 */
export async function startKillSwitch(ctx: ClientContext, read: (agentId: string, options?: RequestOptions) => Promise<AgentStatus>, options: KillSwitchOptions): Promise<AgentStatus> {
  const intervalMs = options.intervalMs ?? 30_000;
  if (!Number.isFinite(intervalMs) || intervalMs < 100) throw new HaltStateValidationError(`intervalMs must be at least 100, got ${intervalMs}`, { path: 'intervalMs' });
  const agentId = options.agentId ?? ctx.options.agentId;
  const poll = async () => {
    try {
      ctx.killSwitch.update(await read(agentId, { signal: ctx.lifetime }));
    } catch (error) {
      if (!ctx.lifetime.aborted) options.onError?.(error);
    }
  };
  const first = await read(agentId);
  ctx.killSwitch.update(first);
  if (first !== 'KILL') {
    const timer = setInterval(() => void poll(), intervalMs);
    timer.unref();
    ctx.killSwitch.watch(agentId, timer);
  }
  return first;
}
