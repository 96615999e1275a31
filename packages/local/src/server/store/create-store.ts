import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store, StoreOptions } from './store.js';

/** True for a PostgreSQL connection URL (`postgres://…` or `postgresql://…`). */
export const isPostgresUrl = (db: string): boolean => /^postgres(?:ql)?:\/\//i.test(db);

/**
 * The one place a store implementation is chosen: a `postgres://` or `postgresql://` URL is a
 * {@link PostgresStore} (several server instances may share its database); anything else is a
 * SQLite file (or `:memory:`). The server calls this; everything else takes a {@link Store}.
 *
 * @example
 * const store = createStore({ db: '.haltstate/local.db', onDecision: (approval) => hub.publish({ type: 'decided', approval }) });
 * const shared = createStore({ db: 'postgres://haltstate@db:5432/haltstate', poolSize: 20 });
 */
export function createStore(options: StoreOptions): Store {
  const { db, poolSize, ...rest } = options;
  if (isPostgresUrl(db)) return new PostgresStore(db, { ...rest, ...(poolSize !== undefined ? { poolSize } : {}) });
  return new SqliteStore(db, rest);
}
