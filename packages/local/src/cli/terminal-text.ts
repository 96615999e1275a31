// Control characters (C0 but newline and tab, DEL, C1), bidi controls, and characters that draw
// nothing: zero-width ones, the soft hyphen, line/paragraph separators, variation selectors,
// tags, the BOM. Any of them lets agent-chosen text move the cursor, clear a line, reorder what
// is shown or hide part of it.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]|\udb40[\udc00-\udc7f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

// Per UTF-16 unit, as JSON writes them (a tag character is a surrogate pair: two escapes).
const escape = (match: string) => match.split('').map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/**
 * Text as it may reach a terminal: every control, bidi or invisible character (and every lone
 * surrogate) written as a visible `\uXXXX` escape; newlines and tabs are kept. The escape is
 * JSON's, so JSON output stays valid JSON with the same meaning. The CLI passes everything it
 * prints through this (see `main`), so no command can forget.
 *
 * @example
 * visibleText('pay\r\x1b[2Kok'); // 'pay\\u000d\\u001b[2Kok'
 * visibleText('invoice\u202Efdp.exe'); // 'invoice\\u202efdp.exe'
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, escape);
}
