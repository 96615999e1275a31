/**
 * Characters a human cannot see for what they are: C0 controls but newline and tab, DEL, C1,
 * bidi controls, characters that draw nothing (zero-width ones, the soft hyphen, line and
 * paragraph separators, variation selectors, tags, the BOM, Hangul fillers) and lone surrogates.
 * Agent-chosen text with any of them can move a terminal's cursor, clear a line, reorder what a
 * page shows or hide part of it. The CLI and the approvals page both make them visible from this
 * one list.
 *
 * @example
 * 'pay\u202Eyap'.replace(INVISIBLE_CHARACTERS, '?'); // 'pay?yap'
 */
export const INVISIBLE_CHARACTERS =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]|\udb40[\udc00-\udc7f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
