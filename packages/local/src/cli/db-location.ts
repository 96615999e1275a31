import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from './io.js';

const POSTGRES = /^postgres(ql)?:\/\//i;

/**
 * A database URL with its password (and any query parameter that looks like a secret) written
 * as `***`, fit for a log line. A file path is returned as it is; a URL that cannot be parsed
 * is shown as its scheme only, since where its password ends is unknown.
 *
 * @example
 * maskDbUrl('postgres://app:s3cret@db:5432/haltstate'); // 'postgres://app:***@db:5432/haltstate'
 */
export function maskDbUrl(db: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(db);
  if (!scheme) return db;
  let url: URL;
  try {
    url = new URL(db);
  } catch {
    return `${scheme[1]}://…`;
  }
  if (url.password) url.password = '***';
  for (const name of [...url.searchParams.keys()]) if (/pass|secret|token|key/i.test(name)) url.searchParams.set(name, '***');
  return url.toString();
}

/**
 * Where `haltstate serve` keeps its state: `--db`, else HALTSTATE_DB_URL; a `postgres://` URL
 * goes to the store as it is, anything else is a SQLite file (relative to `cwd`, its directory
 * made). Refuses none at all and `:memory:` (a production server keeps its state).
 *
 * @example
 * const { db, shown } = serveDatabase(options.db, io.env.HALTSTATE_DB_URL, io.cwd);
 */
export function serveDatabase(flag: string | undefined, envValue: string | undefined, cwd: string | undefined): { db: string; shown: string } {
  const given = flag ?? (envValue || undefined);
  if (given === undefined) throw new CliError('haltstate serve keeps its state in a database: pass --db postgres://user@host/db (or a SQLite file), or set HALTSTATE_DB_URL');
  if (given.trim() === ':memory:') throw new CliError('--db :memory: keeps nothing, and a production server keeps its state: give a postgres:// URL or a SQLite file; for a throwaway server, haltstate dev --db :memory:');
  return databaseAt(given, cwd);
}

/**
 * A `--db` value as the store takes it: a `postgres://` URL as it is (shown masked), `:memory:`
 * as it is, anything else a SQLite file relative to `cwd`, its directory made.
 *
 * @example
 * const { db, shown, postgres } = databaseAt(options.db, io.cwd);
 */
export function databaseAt(given: string, cwd: string | undefined): { db: string; shown: string; postgres: boolean } {
  if (POSTGRES.test(given)) return { db: given, shown: maskDbUrl(given), postgres: true };
  if (given === ':memory:') return { db: given, shown: given, postgres: false };
  const file = cwd === undefined ? given : resolve(cwd, given);
  mkdirSync(dirname(file), { recursive: true });
  return { db: file, shown: given, postgres: false };
}
