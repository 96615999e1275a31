import { z } from 'zod';

/** `GET /heartbeat` response. Anything but PAUSE or KILL means the agent may run. */
export const heartbeatResponse = z.object({ status: z.string() });
export type HeartbeatResponse = z.infer<typeof heartbeatResponse>;

/** What the kill switch makes of a heartbeat status. */
export type AgentStatus = 'OK' | 'PAUSE' | 'KILL';

export function toAgentStatus(status: string): AgentStatus {
  return status === 'KILL' || status === 'PAUSE' ? status : 'OK';
}
