/** Counts the character comparisons of {@link globMatches}, for tests that bound its work. */
export interface GlobMeter {
  steps: number;
}

/** One piece of a glob between `*`s: its characters, `?` standing for any one. */
function pieceAt(text: string, at: number, piece: string, meter: GlobMeter | undefined): boolean {
  for (let index = 0; index < piece.length; index++) {
    if (meter) meter.steps++;
    if (piece[index] !== '?' && piece[index] !== text[at + index]) return false;
  }
  return true;
}

/**
 * Whether `text` matches `glob` (`*` any run of characters, `?` one character, everything else
 * itself). No regular expression and no backtracking: the glob is cut at its `*`s, the first piece
 * must start the text and the last end it, and each piece between is placed once, at its leftmost
 * fit after the one before (leftmost is never worse, since a `*` follows it). The work is at most
 * the text's length times the glob's, whatever either holds.
 *
 * @example
 * globMatches('payment.*', 'payment.refund'); // true
 * globMatches('*.*.*.*.delete', 'a.'.repeat(255)); // false, after at most 510 × 14 comparisons
 */
export function globMatches(glob: string, text: string, meter?: GlobMeter): boolean {
  const pieces = glob.split('*');
  if (pieces.length === 1) return glob.length === text.length && pieceAt(text, 0, glob, meter);
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > text.length) return false;
  if (!pieceAt(text, 0, first, meter) || !pieceAt(text, text.length - last.length, last, meter)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    let found = -1;
    for (let start = at; start + piece.length <= end; start++) {
      if (pieceAt(text, start, piece, meter)) {
        found = start;
        break;
      }
    }
    if (found === -1) return false;
    at = found + piece.length;
  }
  return true;
}
