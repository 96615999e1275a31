// How a wrapped function's arguments become an action's params when no `params` option is
// given: named after its parameters, read from its source text. One implementation for
// `haltstateGuard` and `@HaltStateGuard`, so the same function sends the same params either way
// (a policy rule on `params.to` then matches both).
import { HaltStateValidationError } from './errors.js';
import type { ActionParams } from './types.js';

/** Any function; only its source text and its arguments are used. */
type AnyFunction = (...args: never[]) => unknown;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** `name =>` : an arrow whose single parameter has no parentheses. */
const BARE_ARROW = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/;

/** Names, `null` when they cannot be read, or the reason the list looks minified. */
type Reading = { names: readonly string[] | null } | { minified: string };
const readings = new WeakMap<AnyFunction, Reading>();

/** Top-level pieces of a parameter list, split on commas outside brackets and strings. */
function splitTopLevel(text: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote) {
      if (char === '\\') index++;
      else if (char === quote) quote = null;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') quote = char;
    else if ('([{'.includes(char)) depth++;
    else if (')]}'.includes(char)) depth--;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
    if (depth < 0) return null;
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function read(fn: AnyFunction): Reading {
  const source = Function.prototype.toString.call(fn).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  if (source.includes('[native code]')) return { names: null };
  const bare = BARE_ARROW.exec(source);
  if (bare) return check([bare[1]!], `${bare[1]}=>`, false);
  const open = source.indexOf('(');
  if (open === -1) return { names: null };
  let depth = 0;
  let close = -1;
  for (let index = open; index < source.length; index++) {
    if (source[index] === '(') depth++;
    else if (source[index] === ')' && --depth === 0) {
      close = index;
      break;
    }
  }
  if (close === -1) return { names: null };
  const list = source.slice(open + 1, close);
  const parts = splitTopLevel(list);
  if (!parts) return { names: null };
  const names = parts.map((part) => part.split('=')[0]!.trim());
  if (!names.every((name) => IDENTIFIER.test(name))) return { names: null };
  // How minifiers print a list: no space after a comma (tsc, swc and esbuild without --minify
  // always put one there), or a list without any space right before the body. A single name
  // before `)=>` is not enough: swc prints every arrow that way.
  const compact = /,\S/.test(list) || (names.length >= 2 && !/\s/.test(list) && /^\)(?:\{|=>)/.test(source.slice(close)));
  return check(names, `(${list})`, compact);
}

function check(names: readonly string[], printed: string, compact: boolean): Reading {
  const short = names.find((name) => name.length === 1);
  if (short !== undefined) return { minified: `its parameter "${short}" has a one-letter name` };
  if (compact) return { minified: `its parameter list is printed ${printed}, as minifiers print it` };
  return { names };
}

function reading(fn: AnyFunction): Reading {
  let cached = readings.get(fn);
  if (cached === undefined) {
    cached = read(fn);
    readings.set(fn, cached);
  }
  return cached;
}

/**
 * The parameter names of `fn` when they are all plain identifiers (defaults allowed); `null` for
 * destructuring, rest parameters or source that cannot be read (native, bound). Throws
 * `HaltStateValidationError` (`path: 'params'`) when the list looks minified, a one-letter name
 * or a list printed `(a,b){`: such names change with every build, so pass `params` instead.
 *
 * @example
 * parameterNames(function sendEmail(to, subject) {}) // ['to', 'subject']
 */
export function parameterNames(fn: AnyFunction): readonly string[] | null {
  const result = reading(fn);
  if ('names' in result) return result.names;
  const name = fn.name ? `"${fn.name}"` : 'this function';
  throw new HaltStateValidationError(
    `Cannot name the params of ${name} from its parameter list: ${result.minified}, so it looks minified, and minified names change with every build. ` +
      'Pass `params` to say what to send: haltstateGuard(client, { action, params: (to, subject) => ({ to, subject }) }), or @HaltStateGuard({ action, params: … })',
    { path: 'params' },
  );
}

/**
 * The params a guarded call sends when no `params` option is given: `{ <parameter name>: value, … }`
 * for the arguments passed, or `{ args: [...] }` when the names cannot be read or more arguments
 * came than parameters were declared. `haltstateGuard` and `@HaltStateGuard` both use it. Throws
 * `HaltStateValidationError` when the function looks minified (see {@link parameterNames}).
 *
 * @example
 * paramsFromArguments(function sendEmail(to, subject) {}, ['bob@example.com', 'Hi'])
 * // { to: 'bob@example.com', subject: 'Hi' }
 */
export function paramsFromArguments(fn: AnyFunction, args: readonly unknown[]): ActionParams {
  const names = parameterNames(fn);
  if (!names || args.length > names.length) return { args: [...args] };
  const params: ActionParams = {};
  for (let index = 0; index < args.length; index++) params[names[index]!] = args[index];
  return params;
}
