import type { Command } from 'commander';
import { DEFAULT_LIMITS, type ServerLimits } from '../server/limits.js';
import type { Tenant } from '../server/policy/schema.js';
import { CliError, type CliIo } from './io.js';
import { readSecret } from './secret-input.js';
import { STARTER_TENANT } from './starter-policy.js';

// The flags `haltstate dev` and `haltstate serve` share, declared and read in one place so the
// two commands cannot drift apart.

/** What the shared flags parse to. */
export interface ServerFlagValues {
  tenant?: string;
  apiKey?: string;
  apiKeyFile?: string;
  adminKey?: string;
  adminKeyFile?: string;
  limit: string[];
}

const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS).join(', ');

/**
 * Adds `--tenant` with its key flags, and the repeatable `--limit name=value`.
 *
 * @example
 * addServerFlags(cli.command('serve')).action((options: ServeOptions) => …);
 */
export function addServerFlags(command: Command): Command {
  return command
    .option('--tenant <id>', 'add a tenant; its keys come from the files below, or HALTSTATE_API_KEY and HALTSTATE_ADMIN_KEY')
    .option('--api-key-file <file>', "a file whose first line is that tenant's agent API key")
    .option('--admin-key-file <file>', "a file whose first line is that tenant's admin key")
    .option('--api-key <key>', "that tenant's agent API key on the command line (visible in the process list)")
    .option('--admin-key <key>', "that tenant's admin key on the command line (visible in the process list)")
    .option('--limit <name=value>', `change a server limit, repeatable (${LIMIT_NAMES}; docs/security.md)`, (text: string, previous: string[]) => [...previous, text], []);
}

/**
 * `--port` as a number; anything but a whole number from 0 to 65535 is a {@link CliError}.
 *
 * @example
 * portFrom('8787'); // 8787
 */
export function portFrom(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a number from 0 to 65535, got "${text}"`);
  return port;
}

/**
 * `--limit name=value` entries as server limits; a malformed entry or an unknown name is a
 * {@link CliError} that lists the limits (resolveLimits checks the values).
 *
 * @example
 * limitsFrom(['pendingPerAgent=10']); // { pendingPerAgent: 10 }
 */
export function limitsFrom(entries: readonly string[]): Partial<ServerLimits> {
  const limits: Partial<ServerLimits> = {};
  for (const entry of entries) {
    const match = /^([A-Za-z]+)=(\d+)$/.exec(entry.trim());
    if (!match) throw new CliError(`--limit takes name=value with a whole number, got "${entry}" (limits: ${LIMIT_NAMES})`);
    if (!(match[1]! in DEFAULT_LIMITS)) throw new CliError(`--limit: unknown limit "${match[1]}"; known limits: ${LIMIT_NAMES}`);
    limits[match[1] as keyof ServerLimits] = Number(match[2]);
  }
  return limits;
}

/**
 * The tenant `--tenant` declares (none without it), with its keys from the key files, the
 * environment (HALTSTATE_API_KEY, HALTSTATE_ADMIN_KEY) or the key flags (which warn).
 *
 * @example
 * const tenants = flagTenants(options, io); // [] or [{ id: 'acme', apiKey, adminKey }]
 */
export function flagTenants(options: ServerFlagValues, io: CliIo): Tenant[] {
  if (options.tenant === undefined) {
    if ([options.apiKey, options.apiKeyFile, options.adminKey, options.adminKeyFile].some((value) => value !== undefined)) throw new CliError('the key flags name the keys of a --tenant: pass --tenant <id> with them');
    return [];
  }
  const env = io.env;
  const apiKey = readSecret({ label: 'API key', flag: options.apiKey, flagName: '--api-key', file: options.apiKeyFile, fileFlagName: '--api-key-file', envValue: env.HALTSTATE_API_KEY, envName: 'HALTSTATE_API_KEY', published: [STARTER_TENANT.apiKey] }, io.err, io.cwd);
  const adminKey = readSecret({ label: 'admin key', flag: options.adminKey, flagName: '--admin-key', file: options.adminKeyFile, fileFlagName: '--admin-key-file', envValue: env.HALTSTATE_ADMIN_KEY, envName: 'HALTSTATE_ADMIN_KEY', published: [STARTER_TENANT.adminKey] }, io.err, io.cwd);
  if (apiKey === undefined || adminKey === undefined) throw new CliError(`--tenant and its two keys go together: give --tenant ${options.tenant} an API key and an admin key (--api-key-file and --admin-key-file, or HALTSTATE_API_KEY and HALTSTATE_ADMIN_KEY)`);
  return [{ id: options.tenant, apiKey, adminKey }];
}
