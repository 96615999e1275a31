import { z } from 'zod';

/** `GET /heartbeat` response. Anything but PAUSE or KILL means the agent may run. */
export const heartbeatResponse = z.object({ status: z.string() });
export type HeartbeatResponse = z.infer<typeof heartbeatResponse>;

export { toAgentStatus } from '../statuses.js';
export type { AgentStatus } from '../statuses.js';
