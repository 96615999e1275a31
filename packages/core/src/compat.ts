// Names from the Python SDK (`haltstate-sdk`, formerly `janus-sdk`), so ported code reads the
// same. They are the same classes, not subclasses: `instanceof` works with either name.
import { ActionDenied, ActionExpired, ApprovalPending, HaltStateError } from './errors.js';
import { HaltStateClient } from './client.js';
import { haltstateGuard } from './guard-function.js';

/** @deprecated Use {@link ApprovalPending}. */
export const ActionPending = ApprovalPending;
/** @deprecated Use {@link ApprovalPending}. */
export type ActionPending = ApprovalPending;
/** @deprecated Use {@link ActionDenied}. */
export const ActionRejected = ActionDenied;
/** @deprecated Use {@link ActionDenied}. */
export type ActionRejected = ActionDenied;
/** @deprecated Use {@link ActionExpired}. */
export const ActionTimeout = ActionExpired;
/** @deprecated Use {@link ActionExpired}. */
export type ActionTimeout = ActionExpired;
/** @deprecated Use {@link HaltStateError}. */
export const JanusError = HaltStateError;
/** @deprecated Use {@link HaltStateError}. */
export type JanusError = HaltStateError;
/** @deprecated Use {@link HaltStateClient}; every call is async in TypeScript. */
export const JanusClient = HaltStateClient;
/** @deprecated Use {@link HaltStateClient}. */
export type JanusClient = HaltStateClient;
/** @deprecated Use {@link HaltStateClient}; every call is async in TypeScript. */
export const AsyncHaltStateClient = HaltStateClient;
/** @deprecated Use {@link HaltStateClient}. */
export type AsyncHaltStateClient = HaltStateClient;
/** @deprecated Use {@link HaltStateClient}. */
export const AsyncJanusClient = HaltStateClient;
/** @deprecated Use {@link HaltStateClient}. */
export type AsyncJanusClient = HaltStateClient;
/** @deprecated Use {@link haltstateGuard}. */
export const janusGuard = haltstateGuard;
