import { isDeepStrictEqual } from 'node:util';
import type { DecisionValue } from '@haltstate/core';
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

const DEFAULT_TTL_MS = 3_600_000;
const globCache = new Map<string, RegExp>();

/** `payment.*` → /^payment\..*$/: `*` is any run of characters, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let cached = globCache.get(glob);
  if (!cached) {
    const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    cached = new RegExp(`^${source}$`);
    globCache.set(glob, cached);
  }
  return cached;
}

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

const regexCache = new Map<string, RegExp>();

function holds(value: unknown, condition: Condition): boolean {
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
        case 'matches': {
          if (typeof value !== 'string') return false;
          let regex = regexCache.get(operand as string);
          if (!regex) regexCache.set(operand as string, (regex = new RegExp(operand as string)));
          return regex.test(value);
        }
        case 'exists': return operand === true;
        default: return false;
      }
    })();
    if (!ok) return false;
  }
  return true;
}

function matches(rule: Rule, request: ActionRequest): boolean {
  if (rule.match?.action && !globToRegExp(rule.match.action).test(request.action)) return false;
  if (rule.match?.agent && !globToRegExp(rule.match.agent).test(request.agentId)) return false;
  for (const [path, condition] of Object.entries(rule.when ?? {})) {
    if (!holds(lookup(request, path), condition)) return false;
  }
  return true;
}

/** Tries the rules in order; the first match decides, else the policy's default (DENY if absent). */
export function evaluate(policy: Policy, request: ActionRequest): Evaluation {
  for (const rule of policy.rules) {
    if (matches(rule, request)) {
      return { decision: rule.decision, reason: rule.reason ?? `Matched rule ${rule.id ?? '(unnamed)'}`, policyId: rule.id ?? null, ttlMs: rule.approval?.ttl ?? DEFAULT_TTL_MS };
    }
  }
  const decision = policy.default ?? 'DENY';
  return { decision, reason: `No rule matched; default ${decision}`, policyId: null, ttlMs: DEFAULT_TTL_MS };
}
