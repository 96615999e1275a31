import { SqliteStore } from './sqlite-store.js';
import type { Store, StoreOptions } from './store.js';

/**
 * The one place a store implementation is chosen: SQLite (a file, or `:memory:`), the only one
 * so far. The server calls this; everything else takes a {@link Store}.
 *
 * @example
 * const store = createStore({ db: '.haltstate/local.db', onDecision: (approval) => hub.publish({ type: 'decided', approval }) });
 */
export function createStore(options: StoreOptions): Store {
  const { db, ...rest } = options;
  return new SqliteStore(db, rest);
}
