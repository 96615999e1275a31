import { isMap, isPair, isScalar, parseDocument, type Document, type Node } from 'yaml';

/** A parsed policy text that can point at any path in it. */
export interface SourceMap {
  /** The frame for a path: the deepest part of it found in the text (a key when `key` is given). */
  frame(path: ReadonlyArray<PropertyKey>, key?: string): string | undefined;
}

/** A key set in YAML or JSON (`apiKey: …`, `"adminKey": "…"`, an agent key's `key: …`), anywhere on a line. */
const SECRET_VALUE = /(\b(?:apiKey|adminKey|key)["']?\s*:\s*["']?)([^\s"',#}\]]+)/g;

/**
 * A policy line as a code frame may print it: a key's value keeps its first 6 characters and
 * the rest becomes `*` (same length, so the caret still points where it did), so an error about
 * a key (too short, used twice) never prints the key to a terminal or a log.
 *
 * @example
 * maskSecrets('    adminKey: hs_admin_globex'); // '    adminKey: hs_adm*********'
 */
export function maskSecrets(line: string): string {
  return line.replace(SECRET_VALUE, (_, head: string, value: string) => `${head}${value.slice(0, 6)}${'*'.repeat(Math.max(0, value.length - 6))}`);
}

/**
 * The line of `start` (and the one before) with a caret under `[start, end)`; key values are
 * masked (see {@link maskSecrets}).
 *
 * @example
 * codeFrame('policy.yaml', text, 31, 36);
 * //   --> policy.yaml:3:15
 * //   2 |   - id: a
 * // > 3 |     decision: MAYBE
 * //     |               ^^^^^
 */
export function codeFrame(file: string, text: string, start: number, end = start + 1): string {
  const at = Math.min(start, text.length);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const col = at - (before.lastIndexOf('\n') + 1) + 1;
  const lines = text.split('\n');
  const current = lines[line - 1] ?? '';
  const width = String(line).length;
  const gutter = (number: number | '') => String(number).padStart(width);
  // Underline the node on its first line only; a multi-line node gets its first line's rest.
  const caretLength = Math.max(1, Math.min(end - at, current.length - (col - 1)));
  const out = [`  --> ${file}:${line}:${col}`];
  if (line > 1) out.push(`  ${gutter(line - 1)} | ${maskSecrets(lines[line - 2]!)}`);
  out.push(`> ${gutter(line)} | ${maskSecrets(current)}`, `  ${gutter('')} | ${' '.repeat(col - 1)}${'^'.repeat(caretLength)}`);
  return out.join('\n');
}

function deepest(document: Document, path: ReadonlyArray<PropertyKey>, key: string | undefined): Node | undefined {
  let node: unknown = document.contents;
  let found: Node | undefined = document.contents ?? undefined;
  for (const part of path) {
    const next = typeof node === 'object' && node !== null && 'get' in node ? (node as { get: (key: unknown, keepScalar: true) => unknown }).get(part, true) : undefined;
    if (next === undefined || next === null) break;
    node = next;
    found = next as Node;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  return found;
}

/**
 * Reads `text` once to point at paths in it; a text it cannot read points nowhere.
 *
 * @example
 * sourceMap('policy.yaml', text).frame(['rules', 1, 'decision']);
 */
export function sourceMap(file: string, text: string): SourceMap {
  const document = parseDocument(text);
  const usable = document.errors.length === 0;
  return {
    frame(path, key) {
      if (!usable) return undefined;
      const node = deepest(document, path, key);
      const range = node?.range;
      return range ? codeFrame(file, text, range[0], range[1]) : codeFrame(file, text, 0);
    },
  };
}
