import { isDeepStrictEqual } from 'node:util';
import type { DecisionValue } from '@haltstate/core';
import { DEFAULT_LIMITS } from '../limits.js';
import { globMatches } from './glob.js';
import { patternFinds } from './pattern.js';
import type { Condition, Policy, Rule } from './schema.js';

/** What the policy says about one action. */
export interface Evaluation {
  decision: DecisionValue;
  reason: string;
  /** The matching rule's id; null when the default applied. */
  policyId: string | null;
  /** How long an approval stays open. */
  ttlMs: number;
}

export interface ActionRequest {
  agentId: string;
  action: string;
  params: Record<string, unknown>;
}

/** How evaluation treats what an agent sends. */
export interface EvaluateOptions {
  /**
   * Longest string a `matches` pattern or a `match` glob is run on: a longer one never matches
   * (so the rule does not apply). @unit characters @default 4096 (`ServerLimits.maxMatchedLength`)
   */
  maxMatchedLength?: number;
}

const DEFAULT_TTL_MS = 3_600_000;

const MISSING = Symbol('missing');

function lookup(request: ActionRequest, path: string): unknown {
  if (path === 'agent_id') return request.agentId;
  if (path === 'action') return request.action;
  let current: unknown = request.params;
  for (const part of path.split('.').slice(1)) {
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, part)) return MISSING;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

// Strings compare by UTF-16 code units (JavaScript's own < and >), never by locale: a policy
// must decide the same way on every machine ('B' < 'a', 'z' < 'é').
const codeUnitOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compare(value: unknown, bound: number | string, test: (a: number) => boolean): boolean {
  if (typeof bound === 'number') return typeof value === 'number' && test(value - bound);
  return typeof value === 'string' && test(codeUnitOrder(value, bound));
}

/** A `matches` condition met a string too long to read: the rule can be neither applied nor skipped. */
class Unreadable {
  constructor(readonly path: string) {}
}

function holds(value: unknown, condition: Condition, maxLength: number, path: string): boolean {
  if (value === MISSING) return condition.exists === false && Object.keys(condition).length === 1;
  for (const [operator, operand] of Object.entries(condition)) {
    const ok = (() => {
      switch (operator) {
        case 'eq': return isDeepStrictEqual(value, operand);
        case 'ne': return !isDeepStrictEqual(value, operand);
        case 'gt': return compare(value, operand as number | string, (d) => d > 0);
        case 'gte': return compare(value, operand as number | string, (d) => d >= 0);
        case 'lt': return compare(value, operand as number | string, (d) => d < 0);
        case 'lte': return compare(value, operand as number | string, (d) => d <= 0);
        case 'in': return (operand as unknown[]).some((item) => isDeepStrictEqual(value, item));
        case 'notIn': return !(operand as unknown[]).some((item) => isDeepStrictEqual(value, item));
        case 'matches':
          if (typeof value !== 'string') return false;
          if (value.length > maxLength) throw new Unreadable(path);
          return patternFinds(operand as string, value);
        case 'exists': return operand === true;
        default: return false;
      }
    })();
    if (!ok) return false;
  }
  return true;
}

const globHolds = (glob: string | undefined, text: string, maxLength: number) => glob === undefined || (text.length <= maxLength && globMatches(glob, text));

function matches(rule: Rule, request: ActionRequest, maxLength: number): boolean {
  if (!globHolds(rule.match?.action, request.action, maxLength)) return false;
  if (!globHolds(rule.match?.agent, request.agentId, maxLength)) return false;
  for (const [path, condition] of Object.entries(rule.when ?? {})) {
    if (!holds(lookup(request, path), condition, maxLength, path)) return false;
  }
  return true;
}

/**
 * Tries the rules in order; the first match decides, else the policy's default (DENY if absent).
 * Pure and bounded: globs and `matches` patterns run in linear time, and never on a string longer
 * than `maxMatchedLength`.
 *
 * @example
 * evaluate(policy, { agentId: 'payment-bot', action: 'payment.process', params: { amount: 50 } });
 * // { decision: 'ALLOW', reason: 'Matched rule small-payments', policyId: 'small-payments', ttlMs: 3600000 }
 */
export function evaluate(policy: Policy, request: ActionRequest, options: EvaluateOptions = {}): Evaluation {
  const maxLength = options.maxMatchedLength ?? DEFAULT_LIMITS.maxMatchedLength;
  for (const rule of policy.rules) {
    let matched: boolean;
    try {
      matched = matches(rule, request, maxLength);
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error;
      // Skipping the rule could let a later, broader rule allow what this one would have denied:
      // a string too long for its pattern is denied (fail closed), naming the param and the limit.
      return { decision: 'DENY', reason: `${error.path} is longer than ${maxLength} characters, which the policy's patterns do not read (server limit maxMatchedLength)`, policyId: rule.id ?? null, ttlMs: DEFAULT_TTL_MS };
    }
    if (matched) {
      return { decision: rule.decision, reason: rule.reason ?? `Matched rule ${rule.id ?? '(unnamed)'}`, policyId: rule.id ?? null, ttlMs: rule.approval?.ttl ?? DEFAULT_TTL_MS };
    }
  }
  const decision = policy.default ?? 'DENY';
  return { decision, reason: `No rule matched; default ${decision}`, policyId: null, ttlMs: DEFAULT_TTL_MS };
}
