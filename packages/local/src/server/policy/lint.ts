import { globCovers } from './glob-cover.js';
import type { Policy, Rule } from './schema.js';

/** Something in a valid policy that is almost certainly not what its author meant. */
export interface PolicyWarning {
  /** `unreachable-rule`: an earlier rule always decides first. `string-bound`: gt/gte/lt/lte given a number in quotes. */
  code: 'unreachable-rule' | 'string-bound';
  /** Where, as a path into the file: `['rules', 3]`. */
  path: ReadonlyArray<string | number>;
  message: string;
}

const NUMBER_OPERATORS = ['gt', 'gte', 'lt', 'lte'] as const;
const LOOKS_NUMERIC = /^\s*-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;
const ruleName = (rule: Rule, index: number) => `rules[${index}]${rule.id ? ` ("${rule.id}")` : ''}`;

/** `earlier` decides every action and agent `later` could match, whatever the params. */
const hides = (earlier: Rule, later: Rule): boolean =>
  earlier.when === undefined && globCovers(earlier.match?.action ?? '*', later.match?.action ?? '*') && globCovers(earlier.match?.agent ?? '*', later.match?.agent ?? '*');

/**
 * The warnings of a validated policy: rules that can never match because an earlier rule with
 * the same or a broader `match` and no `when` always decides first, and number operators given
 * a number in quotes (a string bound compares strings, so a numeric param never satisfies it).
 *
 * @example
 * lintPolicy(parsePolicy({ rules: [{ decision: 'DENY' }, { id: 'x', decision: 'ALLOW' }] }));
 * // [{ code: 'unreachable-rule', path: ['rules', 1], message: 'rules[1] ("x") can never match: …' }]
 */
export function lintPolicy(policy: Policy): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  policy.rules.forEach((rule, index) => {
    const blocker = policy.rules.slice(0, index).findIndex((earlier) => hides(earlier, rule));
    if (blocker !== -1) {
      warnings.push({
        code: 'unreachable-rule',
        path: ['rules', index],
        message: `${ruleName(rule, index)} can never match: ${ruleName(policy.rules[blocker]!, blocker)} has the same or a broader match and no \`when\`, so it always decides first (move this rule above it, or narrow that one)`,
      });
    }
    for (const [field, condition] of Object.entries(rule.when ?? {})) {
      for (const operator of NUMBER_OPERATORS) {
        const bound = condition[operator];
        if (typeof bound === 'string' && LOOKS_NUMERIC.test(bound)) {
          warnings.push({
            code: 'string-bound',
            path: ['rules', index, 'when', field, operator],
            message: `${ruleName(rule, index)}: ${field} ${operator} is given the string "${bound}": a string bound compares strings, so a number never satisfies it; write ${bound.trim()} without quotes`,
          });
        }
      }
    }
  });
  return warnings;
}
