import { z } from 'zod';
import { DECISION_VALUES } from '../statuses.js';

/** A JSON object sent as an action's params, a report's result or a guard's metadata. */
export const jsonObject = z.record(z.string(), z.unknown());

/** The three decisions the policy service can make. */
export const decisionValue = z.enum(DECISION_VALUES);
export type { DecisionValue } from '../statuses.js';

/** A name that identifies an agent, an action or a key: non-empty, no surrounding spaces. */
export const identifier = z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters').refine((value) => value.trim() === value, 'must not start or end with whitespace');

/** FastAPI-style error body. `detail` is untrusted text (or, for 422, a list of issues). */
export const errorBody = z.object({ detail: z.unknown().optional() });
