import { HaltStateValidationError, type ActionParams } from '@haltstate/core';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const namesCache = new WeakMap<Function, readonly string[] | null>();

/** Top-level pieces of a parameter list (untrimmed), split on commas outside brackets and strings. */
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
  return parts.filter((part) => part.trim() !== '');
}

interface ParameterList {
  /** The names, when they are all plain identifiers (defaults allowed); null otherwise. */
  names: readonly string[] | null;
  /** Printed the way minifiers print: `(a,b){`, no space after a comma or before the body. */
  compact: boolean;
}

function readParameterList(fn: Function): ParameterList {
  const source = Function.prototype.toString.call(fn).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const open = source.indexOf('(');
  if (open === -1 || source.includes('[native code]')) return { names: null, compact: false };
  let depth = 0;
  let close = -1;
  for (let index = open; index < source.length; index++) {
    if (source[index] === '(') depth++;
    else if (source[index] === ')' && --depth === 0) {
      close = index;
      break;
    }
  }
  const parts = close === -1 ? null : splitTopLevel(source.slice(open + 1, close));
  if (!parts) return { names: null, compact: false };
  const plain = parts.map((part) => part.split('=')[0]!.trim());
  return {
    names: plain.every((name) => IDENTIFIER.test(name)) ? plain : null,
    compact: source[close + 1] === '{' || parts.slice(1).some((part) => !/^\s/.test(part)),
  };
}

/**
 * The parameter names of a function when they are all plain identifiers (defaults allowed);
 * null for destructuring, rest parameters or source that cannot be read (native).
 */
export function parameterNames(fn: Function): readonly string[] | null {
  if (!namesCache.has(fn)) namesCache.set(fn, readParameterList(fn).names);
  return namesCache.get(fn)!;
}

/**
 * Refuses, when the class is defined, a method whose parameter names cannot be trusted as the
 * keys of its params: a minifier renamed them. The rule: some name is one character long, or the
 * list is printed without spaces (`(aa,ba)`, `(aa){`), as minifiers print and people do not.
 * Renamed keys would leave unredacted (redaction goes by key) and unmatched by policy paths.
 */
export function assertNamesTrusted(fn: Function, label: string): void {
  const { names, compact } = readParameterList(fn);
  if (!names || names.length === 0 || (!compact && names.every((name) => name.length > 1))) return;
  throw new HaltStateValidationError(
    `@HaltStateGuard on ${label}: the parameter names (${names.join(', ')}) look minified, so params named from them would leave under renamed keys, ` +
      `unredacted and unmatched by policy paths. Pass params, e.g. params: (username, password) => ({ username }) (object keys survive minification).`,
    { path: 'params' },
  );
}

/**
 * The params sent when `@HaltStateGuard` has no `params` option: `{ <name>: value, … }` named
 * from the parameter list, or `{ args: [...] }` when the names cannot be read or more
 * arguments came than parameters were declared.
 */
export function defaultParams(fn: Function, args: readonly unknown[]): ActionParams {
  const names = parameterNames(fn);
  if (!names || args.length > names.length) return { args: [...args] };
  const params: ActionParams = {};
  names.forEach((name, index) => {
    if (index < args.length) params[name] = args[index];
  });
  return params;
}
