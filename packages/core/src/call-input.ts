// Input preparation: every call's input and options checked (a misspelt key would silently do
// nothing) and turned into what goes on the wire, before anything is sent.
import { HaltStateValidationError } from './errors.js';
import { toJsonObject, type JsonObject } from './json.js';
import { assertKnownKeys } from './internal/option-names.js';
import type { ParamsDigest } from './idempotency.js';
import { modeValue, REQUEST_OPTION_NAMES, shown } from './options.js';
import { redact, type Redactor } from './redaction.js';
import { identifier } from './schemas/common.js';
import type { CheckInput, ExecuteInput, GuardInput, HaltStateMode, RequestOptions, WaitCallOptions, WaitOptions } from './types.js';

/** How long a wait for a human lasts when the call names no `timeoutMs`: one hour. */
export const DEFAULT_WAIT_MS = 3_600_000;

/** Keys of every call input (check, guard, execute); others are refused with a suggestion. */
const INPUT_KEYS = ['action', 'params', 'agentId', 'idempotencyKey', 'metadata', 'wait', 'report', 'mode'] as const satisfies ReadonlyArray<keyof ExecuteInput>;
const WAIT_KEYS = ['timeoutMs', 'pollIntervalMs', 'onApprovalRequested'] as const satisfies ReadonlyArray<keyof WaitOptions>;
/** Option keys of `waitForApproval`. */
export const WAIT_CALL_KEYS = [...REQUEST_OPTION_NAMES, 'pollIntervalMs'] as const satisfies ReadonlyArray<keyof WaitCallOptions>;

/** A call's action, agent and params, checked; the agent defaults to the client's. */
export function prepareInput(input: CheckInput, defaultAgentId: string): { agentId: string; action: string; params: JsonObject } {
  if (typeof input !== 'object' || input === null) throw new HaltStateValidationError('Expected { action, params?, agentId? }', { path: 'input' });
  assertKnownKeys(input, INPUT_KEYS, 'call input key');
  const action = validIdentifier(input.action, 'action');
  const agentId = validIdentifier(input.agentId ?? defaultAgentId, 'agentId');
  return { agentId, action, params: toJsonObject(input.params, 'params') };
}

/** An agent id, action, key or approval id: a non-empty string without surrounding spaces. */
export function validIdentifier(value: unknown, name: string): string {
  const parsed = identifier.safeParse(value);
  if (!parsed.success) throw new HaltStateValidationError(`${name} ${typeof value === 'string' ? parsed.error.issues[0]!.message : `must be a string, got ${value === null ? 'null' : typeof value}`}`, { path: name });
  return parsed.data;
}

/** Params as sent: each redacted value is a keyed tag, so a different secret is a different call. */
export function redactParams(params: JsonObject, redactor: Redactor | undefined, digest: ParamsDigest): JsonObject {
  return redact(params, redactor, (path, value) => digest.tag(path, value));
}

/** Options of one call, their keys checked (a misspelt key would silently do nothing). */
export function requestOptions<O extends object>(options: O | undefined, known: readonly string[] = REQUEST_OPTION_NAMES): O | Record<string, never> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw new HaltStateValidationError(`request options must be an object like { signal, timeoutMs, retries }, got ${shown(options)}`, { path: 'options' });
  assertKnownKeys(options, known, 'request option');
  const { timeoutMs, retries } = options as RequestOptions;
  positiveMs(timeoutMs, 'timeoutMs');
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 10)) {
    throw new HaltStateValidationError(`retries must be a whole number from 0 to 10, got ${shown(retries)}`, { path: 'retries' });
  }
  return options;
}

/** A duration in milliseconds a caller gave: absent, or a positive finite number. */
export function positiveMs(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new HaltStateValidationError(`${name} must be a positive number of milliseconds, got ${shown(value)}`, { path: name });
  }
}

/** `wait: true` means the defaults; the bound also caps how long a PAUSE may hold the action. */
export function waitSettings(wait: GuardInput['wait']): { wait: WaitOptions | undefined; waitMs: number } {
  if (wait !== undefined && typeof wait !== 'boolean' && (typeof wait !== 'object' || wait === null)) {
    throw new HaltStateValidationError(`wait must be true, false or { timeoutMs?, pollIntervalMs? }, got ${shown(wait)}`, { path: 'wait' });
  }
  if (typeof wait === 'object') {
    assertKnownKeys(wait, WAIT_KEYS, 'wait option', 'wait.');
    positiveMs(wait.timeoutMs, 'wait.timeoutMs');
    positiveMs(wait.pollIntervalMs, 'wait.pollIntervalMs');
    if (wait.onApprovalRequested !== undefined && typeof wait.onApprovalRequested !== 'function') {
      throw new HaltStateValidationError(`wait.onApprovalRequested must be a function, got ${shown(wait.onApprovalRequested)}`, { path: 'wait.onApprovalRequested' });
    }
  }
  const settings = wait === true ? {} : wait || undefined;
  return { wait: settings, waitMs: settings?.timeoutMs ?? DEFAULT_WAIT_MS };
}

/** How a message names the action of a call, whatever the input was. */
export function describeAction(input: unknown): string {
  const action = typeof input === 'object' && input !== null ? (input as { action?: unknown }).action : undefined;
  return typeof action === 'string' ? JSON.stringify(action.length > 100 ? `${action.slice(0, 100)}…` : action) : 'an action';
}

/** A call's `mode`, checked (a typo is an error, never a silent shadow); else the client's. */
export function callMode(mode: unknown, clientMode: HaltStateMode): HaltStateMode {
  return mode === undefined ? clientMode : modeValue(mode, 'mode', 'mode');
}

/** Refuses keys a call has no use for, saying why (`why` reads after the key's name). */
export function refuseKeys(input: unknown, keys: readonly string[], call: string, why: string): void {
  for (const key of keys) {
    if (typeof input === 'object' && input !== null && key in input && (input as Record<string, unknown>)[key] !== undefined) {
      throw new HaltStateValidationError(`${call}: "${key}" has no meaning here; ${why}`, { path: key });
    }
  }
}
