/** Which list a cursor pages through: a cursor of one list is refused by the other. */
export type CursorKind = 'approvals' | 'audit';

/**
 * A list route's opaque cursor: base64url of the list's name and the position after which the
 * next page starts. Clients pass it back as `cursor`; they never build one.
 *
 * @example
 * const next = encodeCursor('audit', 1042); // 'YXVkaXQ6MTA0Mg'
 */
export function encodeCursor(kind: CursorKind, after: number): string {
  return Buffer.from(`${kind}:${after}`, 'utf8').toString('base64url');
}

/**
 * The position a cursor names, or undefined when it is not one of this list's cursors.
 *
 * @example
 * decodeCursor('audit', encodeCursor('audit', 1042)); // 1042
 */
export function decodeCursor(kind: CursorKind, cursor: string): number | undefined {
  const match = /^([a-z]+):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match && match[1] === kind ? Number(match[2]) : undefined;
}
