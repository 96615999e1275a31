/**
 * Whether every name the glob `narrow` matches is matched by `broad` too (`*` any run of
 * characters, `?` one character, as in rules' `match`). It never says yes wrongly: a warning
 * built on it ("this rule can never match") is always true.
 *
 * @example
 * globCovers('payment.*', 'payment.refund'); // true
 * globCovers('payment.*', '*');              // false
 */
export function globCovers(broad: string, narrow: string): boolean {
  const memo = new Map<number, boolean>();
  const covers = (i: number, j: number): boolean => {
    const slot = i * (narrow.length + 1) + j;
    const known = memo.get(slot);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === broad.length) result = j === narrow.length;
    // A `*` in the broad glob takes any run of the narrow glob's pieces, wildcards included.
    else if (broad[i] === '*') result = covers(i + 1, j) || (j < narrow.length && covers(i, j + 1));
    else if (j === narrow.length) result = false;
    // A `?` takes one character, or the narrow glob's `?`, never its `*` (which may be zero or many).
    else if (broad[i] === '?') result = narrow[j] !== '*' && covers(i + 1, j + 1);
    else result = narrow[j] === broad[i] && covers(i + 1, j + 1);
    memo.set(slot, result);
    return result;
  };
  return covers(0, 0);
}
