export { guardTools } from './guard-tools.js';
export type { GuardToolsOptions, GuardableTool } from './guard-tools.js';
export { resolveInterruptions } from './resolve-interruptions.js';
export type { InterruptedState, ResolvedInterruption, ResolvedInterruptions } from './resolve-interruptions.js';
export { notRunText } from './decision-text.js';
export type { NotRunState } from './decision-text.js';
