import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { createLocalServer, type LocalServer } from '../server/app.js';
import { readPolicyFile } from '../server/policy/load.js';
import type { LogLevel } from '../server/request-log.js';
import type { ApproverOptions } from '../server/approvers.js';
import { readApproversFile } from '../server/policy/approvers-file.js';
import { serveDatabase } from './db-location.js';
import { readSecret } from './secret-input.js';
import { CliError, type CliIo } from './io.js';
import { addServerFlags, flagTenants, limitsFrom, portFrom, type ServerFlagValues } from './server-flags.js';
import { STARTER_TENANT } from './starter-policy.js';

interface ServeOptions extends ServerFlagValues {
  policy: string;
  db?: string;
  port: string;
  host: string;
  logLevel: LogLevel;
  drainMs: string;
  approversFile?: string;
  trustedProxyHeader?: string;
  trustedProxy?: string;
  sessionSecretFile?: string;
  pageSignIn: boolean;
}

const NO_APPROVER = (ids: string[]) =>
  `no approver for tenant ${ids.join(', ')}: in haltstate serve only approvers decide, each with a key of their own. Declare them under the tenant's \`approvers:\` (id and keySha256; \`haltstate hash-key --new\` makes a key and its digest) or in --approvers-file`;

/**
 * Who decides, as `serve` sets it: approvers only (never the shared admin key), from the policy
 * and the approvers file; the trusted proxy's header when both its flags are given; page
 * sessions signed with the given secret, or no page sign-in.
 */
function approverOptions(options: ServeOptions, io: CliIo): ApproverOptions {
  const approvers: ApproverOptions = { required: true };
  if (options.approversFile) approvers.extra = readApproversFile(io.cwd === undefined ? options.approversFile : resolve(io.cwd, options.approversFile));
  if ((options.trustedProxyHeader === undefined) !== (options.trustedProxy === undefined)) throw new CliError('--trusted-proxy-header and --trusted-proxy go together: the header that names the approver, and the address(es) of the proxy it is honoured from');
  if (options.trustedProxyHeader !== undefined && options.trustedProxy !== undefined) {
    const from = options.trustedProxy.split(',').map((address) => address.trim()).filter(Boolean);
    if (from.length === 0) throw new CliError('--trusted-proxy takes the proxy\'s IP address(es), comma-separated');
    approvers.trustedProxy = { header: options.trustedProxyHeader.toLowerCase(), from };
  }
  if (!options.pageSignIn) return { ...approvers, sessions: false };
  const secret = readSecret({ label: 'session secret', flag: undefined, flagName: '--session-secret-file', file: options.sessionSecretFile, fileFlagName: '--session-secret-file', envValue: io.env.HALTSTATE_SESSION_SECRET, envName: 'HALTSTATE_SESSION_SECRET' }, io.err, io.cwd);
  if (secret === undefined) throw new CliError('the approvals page signs its sessions: give every instance the same secret of at least 32 bytes in HALTSTATE_SESSION_SECRET or --session-secret-file (e.g. openssl rand -hex 32), or pass --no-page-sign-in');
  return { ...approvers, sessionSecret: secret };
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const NO_TENANT = 'no tenant: haltstate serve makes no keys of its own. Declare one under `tenants:` in the policy file (id, apiKey, adminKey), or pass --tenant <id> with --api-key-file and --admin-key-file (or HALTSTATE_API_KEY and HALTSTATE_ADMIN_KEY)';

/** Resolves with the signal's name at the first SIGINT or SIGTERM; a second one then stops the process at once (Node's default). */
const firstSignal = () =>
  new Promise<string>((done) => {
    const stop = (name: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done(name);
    };
    const onInt = stop('SIGINT');
    const onTerm = stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });

/**
 * `haltstate serve`: the production entry. The state lives in the database it is given
 * (PostgreSQL or a SQLite file), tenants and keys come only from the policy file or the flags
 * (none is generated, no sign-in token is made, no key or link is printed), stdout carries JSON
 * log lines, and SIGTERM/SIGINT drains the server before it exits 0. Policy errors exit with 2.
 *
 * @example
 * serveCommand(cli, io);
 */
export function serveCommand(cli: Command, io: CliIo): void {
  addServerFlags(
    cli
      .command('serve')
      .description('run the server in production: given keys only, JSON logs, health routes, graceful shutdown')
      .requiredOption('--policy <file>', 'policy file (YAML or JSON) with the tenants and rules')
      .option('--db <url-or-file>', 'postgres://… URL or SQLite file (default: HALTSTATE_DB_URL)')
      .option('--port <port>', 'port (0 picks a free one)', '8787')
      .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface, as in a container)', '127.0.0.1'),
  )
    .addOption(new Option('--log-level <level>', 'lowest level logged').choices(LOG_LEVELS).default('info'))
    .option('--drain-ms <ms>', 'on SIGTERM/SIGINT, how long requests under way may take to finish', '10000')
    .option('--approvers-file <file>', "approvers by tenant (YAML or JSON: id, keySha256, agents), beside the policy's")
    .option('--trusted-proxy-header <name>', 'a header in which a reverse proxy that signs people in names the approver (with --trusted-proxy)')
    .option('--trusted-proxy <ips>', 'the proxy address(es), comma-separated: the header is honoured only on connections from them')
    .option('--session-secret-file <file>', "a file whose first line signs the page's sessions (or HALTSTATE_SESSION_SECRET; the same on every instance, 32+ bytes)")
    .option('--no-page-sign-in', 'no sign-in on the approvals page (approvers use the CLI or the API with their keys)')
    .action(async (options: ServeOptions) => {
      const port = portFrom(options.port);
      const drainMs = Number(options.drainMs);
      if (!/^\d+$/.test(options.drainMs) || !Number.isSafeInteger(drainMs)) throw new CliError(`--drain-ms must be a whole number of milliseconds, got "${options.drainMs}"`);
      const limits = limitsFrom(options.limit);
      const tenants = flagTenants(options, io);
      const { db, shown } = serveDatabase(options.db, io.env.HALTSTATE_DB_URL, io.cwd);
      const { policy, warnings } = readPolicyFile(io.cwd === undefined ? options.policy : resolve(io.cwd, options.policy));
      const all = [...(policy.tenants ?? []), ...tenants];
      if (all.length === 0) throw new CliError(NO_TENANT);
      const published = all.filter((tenant) => tenant.apiKey === STARTER_TENANT.apiKey || tenant.adminKey === STARTER_TENANT.adminKey);
      if (published.length > 0) throw new CliError(`tenant ${published.map((tenant) => tenant.id).join(', ')} uses the starter policy's published keys, which anyone can read: give it keys of its own (e.g. openssl rand -hex 24)`);

      const approvers = approverOptions(options, io);
      const withoutApprover = all.filter((tenant) => (tenant.approvers ?? []).length === 0 && (approvers.extra?.[tenant.id] ?? []).length === 0).map((tenant) => tenant.id);
      if (withoutApprover.length > 0) throw new CliError(NO_APPROVER(withoutApprover));

      const stream = { write: (line: string) => io.out(line.replace(/\n$/, '')) };
      let server: LocalServer;
      try {
        server = await createLocalServer({ policy, tenants, db, port, host: options.host, limits, signInTokens: false, approvers, logger: { level: options.logLevel, stream } });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${port} is in use: stop the other server or pass another --port`);
        throw error;
      }
      io.onServer?.(server);
      const log = server.app.log;
      for (const warning of warnings) log.warn({ event: 'policy_warning' }, warning.text);
      log.info({ event: 'listening', url: server.url, policy: options.policy, rules: policy.rules.length, tenants: server.tenants.map((tenant) => tenant.id), db: shown, drain_ms: drainMs }, `listening on ${server.url}`);
      const signal = await (io.stopSignal?.then(() => 'stop') ?? firstSignal());
      log.info({ event: 'stopping', signal }, `stopping (${signal})`);
      await server.drain(drainMs);
      log.info({ event: 'stopped' }, 'stopped');
    });
}
