import { RE2JS } from 're2js';

const compiled = new Map<string, RE2JS>();

/**
 * A policy's `matches` pattern, compiled once by an RE2 engine (re2js, pure JavaScript): matching
 * takes time linear in the string, whatever the pattern, so a param an agent (or the model
 * behind it) controls cannot stall the server. RE2 has no backreferences and no lookaround;
 * {@link patternError} says so at policy load. Throws for a pattern that is not valid RE2.
 *
 * @example
 * compilePattern('^([a-z0-9]+[._-]?)*@example\\.com$').matcher('a'.repeat(40) + '!').find(); // false, at once
 */
export function compilePattern(source: string): RE2JS {
  let pattern = compiled.get(source);
  if (!pattern) compiled.set(source, (pattern = RE2JS.compile(source)));
  return pattern;
}

/**
 * Why `source` is not a usable `matches` pattern, or undefined when it is.
 *
 * @example
 * patternError('(a)\\1'); // 'is not a valid RE2 regular expression (invalid escape sequence: `\\1`); …'
 */
export function patternError(source: string): string | undefined {
  try {
    compilePattern(source);
    return undefined;
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    return `is not a valid RE2 regular expression (${why}); policies match in linear time, so backreferences and lookaround are not supported`;
  }
}

/**
 * Whether `pattern` finds a match anywhere in `text` (JavaScript's `RegExp.test` semantics).
 *
 * @example
 * patternFinds('^ops-', 'ops-1'); // true
 */
export function patternFinds(source: string, text: string): boolean {
  return compilePattern(source).matcher(text).find();
}
