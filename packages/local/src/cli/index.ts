import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { userInfo } from 'node:os';
import { Command, CommanderError } from 'commander';
import { AdminClient, AdminError } from '../admin-client.js';
import { createLocalServer, type LocalServer } from '../app.js';
import { formatAuditTable } from '../audit-table.js';
import { PolicyFileError, resolvePolicy } from '../policy/load.js';
import { resetDatabase, ResetError } from '../store/reset.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the dev server should stop (default: SIGINT or SIGTERM). */
  stopSignal?: Promise<void>;
  /** Called with the running dev server (tests use it). */
  onServer?: (server: LocalServer) => void;
}

const defaultIo = (): CliIo => ({ out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`), env: process.env });

class CliError extends Error {}

function adminFrom(options: { url?: string; adminKey?: string; tenant?: string }, env: NodeJS.ProcessEnv): AdminClient {
  const url = options.url ?? env.HALTSTATE_BASE_URL ?? 'http://127.0.0.1:8787';
  const adminKey = options.adminKey ?? env.HALTSTATE_ADMIN_KEY;
  const tenantId = options.tenant ?? env.HALTSTATE_TENANT_ID ?? 'local';
  if (!adminKey) throw new CliError('No admin key: pass --admin-key <key> or set HALTSTATE_ADMIN_KEY (haltstate dev prints it).');
  return new AdminClient({ url, tenantId, adminKey });
}

const defaultApprover = () => {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
};

/** Builds the `haltstate` program. */
export function program(io: CliIo): Command {
  const cli = new Command('haltstate')
    .description('A local HaltState server and the commands a human approver uses')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .showHelpAfterError();
  const connection = (command: Command) =>
    command
      .option('--url <url>', 'local server URL (env HALTSTATE_BASE_URL)')
      .option('--admin-key <key>', 'tenant admin key (env HALTSTATE_ADMIN_KEY)')
      .option('--tenant <id>', 'tenant id (env HALTSTATE_TENANT_ID)', undefined);

  cli
    .command('dev')
    .description('start the local server')
    .option('--policy <file>', 'policy file (YAML or JSON); without one, every action is denied')
    .option('--port <port>', 'port (0 picks a free one)', '8787')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--db <file>', 'SQLite file (":memory:" keeps nothing)', '.haltstate/local.db')
    .option('--fresh', 'clear the database first (every approval, guard state and the audit trail)')
    .option('--tenant <id>', 'add a tenant with the keys below (with --api-key and --admin-key)')
    .option('--api-key <key>', "that tenant's agent API key")
    .option('--admin-key <key>', "that tenant's admin key")
    .action(async (options: { policy?: string; port: string; host: string; db: string; fresh?: boolean; tenant?: string; apiKey?: string; adminKey?: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a number from 0 to 65535, got "${options.port}"`);
      const flagged = [options.tenant, options.apiKey, options.adminKey].filter((value) => value !== undefined).length;
      if (flagged !== 0 && flagged !== 3) throw new CliError('--tenant, --api-key and --admin-key go together: pass all three to add a tenant');
      const policy = resolvePolicy(options.policy);
      const tenants = flagged === 3 ? [{ id: options.tenant!, apiKey: options.apiKey!, adminKey: options.adminKey! }] : [];
      if (!options.policy) io.err('warning: no --policy given, so every action is denied (see examples/policy.yaml)');
      if (options.db !== ':memory:') mkdirSync(dirname(options.db), { recursive: true });
      if (options.fresh && options.db !== ':memory:' && resetDatabase(options.db) === 'cleared') io.out(`cleared ${options.db} (--fresh)`);
      let server: LocalServer;
      try {
        server = await createLocalServer({ policy, tenants, db: options.db, port, host: options.host });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${port} is in use: stop the other server or pass --port 0 for a free port`);
        throw error;
      }
      io.onServer?.(server);
      io.out(`HaltState local server listening on ${server.url}`);
      io.out(`  policy: ${options.policy ?? '(none: deny all)'} · ${policy.rules.length} rule(s) · database: ${options.db}`);
      const known = [...(policy.tenants ?? []), ...tenants];
      for (const tenant of server.tenants) {
        const generated = !known.some((entry) => entry.id === tenant.id);
        io.out(`  tenant ${tenant.id}${generated ? ` · api key ${tenant.apiKey} · admin key ${tenant.adminKey}` : ' (keys from the policy file or flags)'}`);
        if (generated) io.out(`  approvals page: ${server.url}/#tenant=${encodeURIComponent(tenant.id)}&key=${encodeURIComponent(tenant.adminKey)}`);
      }
      if (server.tenants.every((tenant) => known.some((entry) => entry.id === tenant.id))) io.out(`  approvals page: ${server.url}/`);
      await (io.stopSignal ??
        new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        }));
      await server.close();
      io.out('stopped');
    });

  cli
    .command('reset')
    .description('clear a dev database: every approval, guard state, report, agent status and the audit trail')
    .option('--db <file>', 'SQLite file to clear', '.haltstate/local.db')
    .option('--yes', 'really clear it (without it, nothing is changed)')
    .action((options: { db: string; yes?: boolean }) => {
      if (options.db === ':memory:') throw new CliError('--db :memory: keeps nothing; there is nothing to reset');
      if (!options.yes) throw new CliError(`reset deletes every approval, guard state, report, agent status and the audit trail in ${options.db}; run it again with --yes to do that`);
      io.out(resetDatabase(options.db) === 'cleared' ? `cleared ${options.db}` : `nothing to reset: ${options.db} does not exist`);
    });

  connection(cli.command('approvals').description('list approvals'))
    .option('--status <status>', 'pending, approved, rejected, expired or all', 'pending')
    .action(async (options: { status: string; url?: string; adminKey?: string; tenant?: string }) => {
      const statuses = ['pending', 'approved', 'rejected', 'expired', 'all'];
      if (!statuses.includes(options.status)) throw new CliError(`--status must be one of ${statuses.join(', ')}`);
      const approvals = await adminFrom(options, io.env).approvals(options.status === 'all' ? undefined : (options.status as 'pending'));
      if (approvals.length === 0) return io.out(`no ${options.status === 'all' ? '' : `${options.status} `}approvals`);
      for (const approval of approvals) {
        io.out(`${approval.approval_id}  ${approval.status.padEnd(8)}  ${approval.action}  by ${approval.agent_id}  ${JSON.stringify(approval.params)}  expires ${approval.expires_at}`);
      }
    });

  connection(cli.command('approve').description('approve a pending action').argument('<approval-id>'))
    .option('--as <name>', 'who approves', defaultApprover())
    .option('--reason <text>', 'why')
    .action(async (id: string, options: { as: string; reason?: string; url?: string; adminKey?: string; tenant?: string }) => {
      const approval = await adminFrom(options, io.env).approve(id, { approver: options.as, ...(options.reason ? { reason: options.reason } : {}) });
      io.out(`approved ${approval.approval_id} (${approval.action} by ${approval.agent_id}) as ${options.as}`);
    });

  connection(cli.command('reject').description('reject a pending action').argument('<approval-id>'))
    .requiredOption('--reason <text>', 'why (shown to the agent)')
    .option('--as <name>', 'who rejects', defaultApprover())
    .action(async (id: string, options: { as: string; reason: string; url?: string; adminKey?: string; tenant?: string }) => {
      const approval = await adminFrom(options, io.env).reject(id, { approver: options.as, reason: options.reason });
      io.out(`rejected ${approval.approval_id} (${approval.action} by ${approval.agent_id}): ${options.reason}`);
    });

  for (const [name, status, description] of [
    ['kill', 'KILL', 'stop an agent: every check and guarded action is denied until resume'],
    ['pause', 'PAUSE', 'hold an agent\'s new guarded actions'],
    ['resume', 'OK', 'let a paused or killed agent run again'],
  ] as const) {
    connection(cli.command(name).description(description).argument('<agent-id>')).action(async (agentId: string, options: { url?: string; adminKey?: string; tenant?: string }) => {
      await adminFrom(options, io.env).setAgentStatus(agentId, status);
      io.out(`agent ${agentId} is now ${status}`);
    });
  }

  connection(cli.command('audit').description('print the audit trail'))
    .option('--format <format>', 'table or jsonl', 'table')
    .action(async (options: { format: string; url?: string; adminKey?: string; tenant?: string }) => {
      if (options.format !== 'table' && options.format !== 'jsonl') throw new CliError('--format must be table or jsonl');
      const entries = await adminFrom(options, io.env).audit();
      io.out(options.format === 'table' ? formatAuditTable(entries) : entries.map((entry) => JSON.stringify(entry)).join('\n'));
    });

  return cli;
}

/** Runs the CLI; resolves with the exit code (0 on success). */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  try {
    await program(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError || error instanceof PolicyFileError || error instanceof ResetError) io.err(`error: ${error.message}`);
    else if (error instanceof AdminError) io.err(`error: ${error.status === 404 ? `${error.message} (check the approval id and --tenant)` : error.message}`);
    else io.err(`error: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}
