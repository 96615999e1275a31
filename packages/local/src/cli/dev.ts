import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createLocalServer, type LocalServer } from '../server/app.js';
import { command, SIGN_IN_LINK } from '../hints.js';
import { readPolicyFile, resolvePolicy } from '../server/policy/load.js';
import type { Policy } from '../server/policy/schema.js';
import { resetDatabase } from '../server/store/reset.js';
import { databaseAt } from './db-location.js';
import { exposureWarning, tenantLines } from './dev-output.js';
import { CliError, type CliIo } from './io.js';
import { addServerFlags, flagTenants, limitsFrom, portFrom, type ServerFlagValues } from './server-flags.js';

interface DevOptions extends ServerFlagValues {
  policy?: string;
  port: string;
  host: string;
  db: string;
  fresh?: boolean;
  showKeys?: boolean;
}

function loadPolicy(file: string | undefined, io: CliIo): Policy {
  if (!file) {
    io.err(`warning: no --policy given, so every action is denied. Write a starter policy: ${command('init')}, then: ${command('dev', '--policy', 'policy.yaml')}`);
    return resolvePolicy(undefined);
  }
  const { policy, warnings } = readPolicyFile(io.cwd === undefined ? file : resolve(io.cwd, file));
  for (const warning of warnings) io.err(`warning: ${warning.text}`);
  return policy;
}

/**
 * `haltstate dev`: the local server, until SIGINT/SIGTERM. Policy errors exit with 2.
 *
 * @example
 * devCommand(cli, io);
 */
export function devCommand(cli: Command, io: CliIo): void {
  addServerFlags(
    cli
      .command('dev')
      .description('start the local server')
      .option('--policy <file>', `policy file (YAML or JSON; \`${command('init')}\` writes one); without one, every action is denied`)
      .option('--port <port>', 'port (0 picks a free one)', '8787')
      .option('--host <host>', 'interface to listen on (anything but loopback exposes the server: a warning says so)', '127.0.0.1')
      .option('--db <file-or-url>', 'SQLite file (":memory:" keeps nothing), or a postgres:// URL', '.haltstate/local.db')
      .option('--fresh', 'clear the database first (every approval, guard state and the audit trail)'),
  )
    .option('--show-keys', "print the tenants' keys in full (they are masked by default)")
    .action(async (options: DevOptions) => {
      const port = portFrom(options.port);
      const limits = limitsFrom(options.limit);
      const tenants = flagTenants(options, io);
      const policy = loadPolicy(options.policy, io);
      const { db, shown, postgres } = databaseAt(options.db, io.cwd);
      if (options.fresh && postgres) throw new CliError('--fresh clears a SQLite file; to start a PostgreSQL database afresh, drop and create it (docs/self-hosting.md)');
      if (options.fresh && db !== ':memory:' && resetDatabase(db) === 'cleared') io.out(`cleared ${options.db} (--fresh)`);
      let server: LocalServer;
      try {
        server = await createLocalServer({ policy, tenants, db, port, host: options.host, limits });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${port} is in use: stop the other server or pass --port 0 for a free port`);
        throw error;
      }
      io.onServer?.(server);
      const exposure = exposureWarning(options.host, server.tenants);
      if (exposure) io.err(`warning: ${exposure}`);
      io.out(`HaltState local server listening on ${server.url}`);
      io.out(`  policy: ${options.policy ?? '(none: deny all)'} · ${policy.rules.length} rule(s) · database: ${shown}`);
      for (const line of tenantLines(server, [...(policy.tenants ?? []), ...tenants], options.showKeys === true)) io.out(line);
      io.out(`  Open a ${SIGN_IN_LINK} to approve in the browser (each link works once; \`${command('sign-in-link')}\` prints another); Ctrl+C stops the server.`);
      await (io.stopSignal ??
        new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        }));
      await server.close();
      io.out('stopped');
    });
}
