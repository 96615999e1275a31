import { INVISIBLE_CHARACTERS } from '../invisible-characters.js';

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
  return text.replace(INVISIBLE_CHARACTERS, escape);
}
