import { SqliteStore } from '../src/server/store/sqlite-store';
import { describeStoreContract } from './store-contract';

describeStoreContract('SqliteStore', async (options) => new SqliteStore(':memory:', options));
