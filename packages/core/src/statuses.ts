// The wire's closed sets of values, as plain constants and unions. Kept apart from the zod
// schemas so that the package's main type declarations never load zod's (which do not compile
// under `esModuleInterop: false` with `skipLibCheck: false`).

/**
 * The three decisions the policy service can make.
 *
 * @example
 * DECISION_VALUES.includes(value as DecisionValue)
 */
export const DECISION_VALUES = ['ALLOW', 'DENY', 'APPROVAL_REQUIRED'] as const;
export type DecisionValue = (typeof DECISION_VALUES)[number];

/**
 * The states of a guarded action. Any other value fails the schema and never runs the action.
 * `executed` (served by @haltstate/local; a server without it never sends it): the key's approval
 * was already used by one execution, so it does not authorize another.
 *
 * @example
 * const runs: GuardStatus[] = GUARD_STATUSES.filter((status) => status === 'allowed' || status === 'approved');
 */
export const GUARD_STATUSES = ['allowed', 'approved', 'denied', 'pending', 'expired', 'executed'] as const;
export type GuardStatus = (typeof GUARD_STATUSES)[number];

/**
 * The states of an approval request. An approval's `rejected` is what guard calls `denied`.
 *
 * @example
 * const open = (status: ApprovalStatus) => status === APPROVAL_STATUSES[0]; // 'pending'
 */
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** What the kill switch makes of a heartbeat status. */
export type AgentStatus = 'OK' | 'PAUSE' | 'KILL';

/** Anything but PAUSE or KILL means the agent may run. */
export function toAgentStatus(status: string): AgentStatus {
  return status === 'KILL' || status === 'PAUSE' ? status : 'OK';
}
