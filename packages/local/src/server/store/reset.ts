import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

/**
 * A database that {@link resetDatabase} will not touch; the message says why.
 *
 * @example
 * try {
 *   resetDatabase('notes.db');
 * } catch (error) {
 *   if (error instanceof ResetError) console.error(error.message); // "notes.db is not a HaltState database (…)"
 * }
 */
export class ResetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResetError';
  }
}

const notOurs = (file: string, why: string) => new ResetError(`${file} is not a HaltState database (${why}); not touching it`);

/** The tables of a HaltState database; refuses any other file. */
function haltStateTables(db: Database.Database, file: string): string[] {
  let tables: string[];
  try {
    tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((row) => row.name);
  } catch (error) {
    throw notOurs(file, (error as Error).message);
  }
  if (!['approvals', 'guards', 'audit'].every((name) => tables.includes(name))) throw notOurs(file, 'it has no approvals, guards and audit tables');
  return tables;
}

/**
 * Empties a local server's SQLite database on purpose: every approval, guard state, report,
 * agent status, remembered request id and the audit trail; the schema stays. A missing file is
 * `'absent'` (nothing to do); a file that is not a HaltState database is refused with a
 * {@link ResetError}, never changed. A server running on the file keeps working (it sees the
 * empty tables).
 *
 * @example
 * resetDatabase('.haltstate/local.db'); // 'cleared'
 */
export function resetDatabase(file: string): 'cleared' | 'absent' {
  if (file === ':memory:' || file === '') throw new ResetError('--db :memory: keeps nothing; there is nothing to reset');
  if (!existsSync(file)) return 'absent';
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
  } catch (error) {
    throw notOurs(file, (error as Error).message);
  }
  try {
    const tables = haltStateTables(db, file);
    db.pragma('busy_timeout = 5000');
    // Off for this connection only (it cannot change inside a transaction), so the order of the
    // deletes does not matter: nothing is left to reference anything.
    db.pragma('foreign_keys = OFF');
    db.transaction(() => {
      for (const table of tables) db.prepare(`DELETE FROM "${table.replace(/"/g, '""')}"`).run();
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get() !== undefined) db.prepare('DELETE FROM sqlite_sequence').run();
    }).immediate();
    return 'cleared';
  } finally {
    db.close();
  }
}
