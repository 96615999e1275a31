import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { createLocalServer, type LocalServer } from '../server/app.js';
import { command, SIGN_IN_LINK } from '../hints.js';
import { readPolicyFile, resolvePolicy } from '../server/policy/load.js';
import type { Policy } from '../server/policy/schema.js';
import { resetDatabase } from '../server/store/reset.js';
import { exposureWarning, tenantLines } from './dev-output.js';
import { CliError, type CliIo } from './io.js';
import { readSecret } from './secret-input.js';
import { STARTER_TENANT } from './starter-policy.js';
import { DEFAULT_LIMITS, type ServerLimits } from '../server/limits.js';

interface DevOptions {
  policy?: string;
  port: string;
  host: string;
  db: string;
  fresh?: boolean;
  tenant?: string;
  apiKey?: string;
  apiKeyFile?: string;
  adminKey?: string;
  adminKeyFile?: string;
  showKeys?: boolean;
  limit: string[];
}

/** `--limit name=value`, repeatable, into server limits (resolveLimits checks the values). */
function parseLimit(text: string, previous: string[]): string[] {
  return [...previous, text];
}

function limitsFrom(entries: readonly string[]): Partial<ServerLimits> {
  const limits: Partial<ServerLimits> = {};
  for (const entry of entries) {
    const match = /^([A-Za-z]+)=(\d+)$/.exec(entry.trim());
    if (!match) throw new CliError(`--limit takes name=value with a whole number, got "${entry}" (limits: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
    if (!(match[1]! in DEFAULT_LIMITS)) throw new CliError(`--limit: unknown limit "${match[1]}"; known limits: ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    limits[match[1] as keyof ServerLimits] = Number(match[2]);
  }
  return limits;
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
  cli
    .command('dev')
    .description('start the local server')
    .option('--policy <file>', `policy file (YAML or JSON; \`${command('init')}\` writes one); without one, every action is denied`)
    .option('--port <port>', 'port (0 picks a free one)', '8787')
    .option('--host <host>', 'interface to listen on (anything but loopback exposes the server: a warning says so)', '127.0.0.1')
    .option('--db <file>', 'SQLite file (":memory:" keeps nothing)', '.haltstate/local.db')
    .option('--fresh', 'clear the database first (every approval, guard state and the audit trail)')
    .option('--tenant <id>', "add a tenant; its keys come from the files below, or HALTSTATE_API_KEY and HALTSTATE_ADMIN_KEY")
    .option('--api-key-file <file>', "a file whose first line is that tenant's agent API key")
    .option('--admin-key-file <file>', "a file whose first line is that tenant's admin key")
    .option('--api-key <key>', "that tenant's agent API key on the command line (visible in the process list)")
    .option('--admin-key <key>', "that tenant's admin key on the command line (visible in the process list)")
    .option('--limit <name=value>', `change a server limit, repeatable (${Object.keys(DEFAULT_LIMITS).join(', ')}; docs/security.md)`, parseLimit, [])
    .option('--show-keys', "print the tenants' keys in full (they are masked by default)")
    .action(async (options: DevOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a number from 0 to 65535, got "${options.port}"`);
      const limits = limitsFrom(options.limit);
      let tenants: { id: string; apiKey: string; adminKey: string }[] = [];
      if (options.tenant === undefined) {
        if ([options.apiKey, options.apiKeyFile, options.adminKey, options.adminKeyFile].some((value) => value !== undefined)) throw new CliError('the key flags name the keys of a --tenant: pass --tenant <id> with them');
      } else {
        const env = io.env;
        const apiKey = readSecret({ label: 'API key', flag: options.apiKey, flagName: '--api-key', file: options.apiKeyFile, fileFlagName: '--api-key-file', envValue: env.HALTSTATE_API_KEY, envName: 'HALTSTATE_API_KEY', published: [STARTER_TENANT.apiKey] }, io.err, io.cwd);
        const adminKey = readSecret({ label: 'admin key', flag: options.adminKey, flagName: '--admin-key', file: options.adminKeyFile, fileFlagName: '--admin-key-file', envValue: env.HALTSTATE_ADMIN_KEY, envName: 'HALTSTATE_ADMIN_KEY', published: [STARTER_TENANT.adminKey] }, io.err, io.cwd);
        if (apiKey === undefined || adminKey === undefined) throw new CliError(`--tenant and its two keys go together: give --tenant ${options.tenant} an API key and an admin key (--api-key-file and --admin-key-file, or HALTSTATE_API_KEY and HALTSTATE_ADMIN_KEY)`);
        tenants = [{ id: options.tenant, apiKey, adminKey }];
      }
      const policy = loadPolicy(options.policy, io);
      const db = options.db === ':memory:' || io.cwd === undefined ? options.db : resolve(io.cwd, options.db);
      if (db !== ':memory:') mkdirSync(dirname(db), { recursive: true });
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
      io.out(`  policy: ${options.policy ?? '(none: deny all)'} · ${policy.rules.length} rule(s) · database: ${options.db}`);
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
