import type { ActionParams } from '@haltstate/core';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const namesCache = new WeakMap<Function, readonly string[] | null>();

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

/**
 * The parameter names of a function when they are all plain identifiers (defaults allowed);
 * null for destructuring, rest parameters or source that cannot be read (minified, native).
 */
export function parameterNames(fn: Function): readonly string[] | null {
  if (namesCache.has(fn)) return namesCache.get(fn)!;
  let names: readonly string[] | null = null;
  const source = Function.prototype.toString.call(fn).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const open = source.indexOf('(');
  if (open !== -1 && !source.includes('[native code]')) {
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
    if (parts) {
      const plain = parts.map((part) => part.split('=')[0]!.trim());
      if (plain.every((name) => IDENTIFIER.test(name))) names = plain;
    }
  }
  namesCache.set(fn, names);
  return names;
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
