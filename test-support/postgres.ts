// PostgreSQL suites (issue 19) run against a real server: 127.0.0.1:5432 on CI's machine, or
// HALTSTATE_TEST_PG_URL. Each test file makes its own database and drops it after; when no
// server answers, the suites are skipped with the reason on stderr (a skipped suite prints
// nothing by itself), so `npm test` still runs on a machine without PostgreSQL.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** The maintenance database the tests connect to, to make and drop their own. */
export const ADMIN_PG_URL = process.env.HALTSTATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Why PostgreSQL cannot be used here, or undefined when it answers (asked once per test file). */
function unreachableReason(): string | undefined {
  // A child process, because describe blocks are registered synchronously.
  const probe = `const { Client } = require(${JSON.stringify(require.resolve('pg'))});
    const client = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
    client.connect().then(() => client.query('select 1')).then(() => client.end()).then(() => process.exit(0), (error) => { console.error(error.message); process.exit(1); });`;
  const result = spawnSync(process.execPath, ['-e', probe, ADMIN_PG_URL], { encoding: 'utf8', timeout: 10_000 });
  if (result.status === 0) return undefined;
  return (result.stderr || result.error?.message || 'no answer').trim().split('\n')[0];
}

let reason: string | undefined | null = null;

/**
 * `describe` when PostgreSQL answers; `describe.skip` otherwise, printing why once per file.
 *
 * @example
 * describeWithPostgres('PostgresStore (the Store contract)', () => { … });
 */
export const describeWithPostgres: jest.Describe = new Proxy(describe, {
  apply(target, self, args: Parameters<jest.Describe>) {
    if (reason === null) reason = unreachableReason();
    if (reason === undefined) return Reflect.apply(target, self, args);
    process.stderr.write(`skipped "${String(args[0])}": no PostgreSQL at ${ADMIN_PG_URL.replace(/\/\/[^@/]*@/, '//')} (${reason}); CI starts one (.ci/run), or set HALTSTATE_TEST_PG_URL\n`);
    return Reflect.apply(describe.skip, self, args);
  },
});

/** A database of one test file's own: its URL, and `drop()` to remove it (connections are ended first). */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Creates a new, empty database (`hs_test_<random>`) on the test server.
 *
 * @example
 * const db = await createTestDatabase(); … await db.drop();
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { Client } = await import('pg');
  const name = `hs_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new Client({ connectionString: ADMIN_PG_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
