import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AdminClient, AdminError, type ApprovalView } from './admin-client.js';
import { formatAuditTable } from './audit-table.js';
import { approvalLines, shortId } from './approval-text.js';
import { CliError, type CliIo } from './io.js';

interface Connection {
  url?: string;
  adminKey?: string;
  tenant?: string;
}

const DEFAULT_TENANT = 'local';
const MIN_PREFIX = 4;
const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const defaultApprover = () => {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
};

/**
 * The admin client for the connection flags (or HALTSTATE_* variables). A key refused for the
 * tenant asked is checked once more without a tenant: if it is another tenant's, the error
 * says which `--tenant` to pass.
 */
function connect(options: Connection, env: NodeJS.ProcessEnv) {
  const url = options.url ?? env.HALTSTATE_BASE_URL ?? 'http://127.0.0.1:8787';
  const adminKey = options.adminKey ?? env.HALTSTATE_ADMIN_KEY;
  const named = options.tenant ?? env.HALTSTATE_TENANT_ID;
  const tenantId = named ?? DEFAULT_TENANT;
  if (!adminKey) {
    throw new CliError(
      `No admin key: pass --admin-key <key> or set HALTSTATE_ADMIN_KEY. It is the adminKey of your tenant in the policy file; haltstate dev prints it for the tenant it makes when the policy has none, and a sign-in token works too.`,
    );
  }
  const admin = new AdminClient({ url, tenantId, adminKey });
  const run = async <T>(call: (client: AdminClient) => Promise<T>): Promise<T> => {
    try {
      return await call(admin);
    } catch (error) {
      if (!(error instanceof AdminError) || error.status !== 401) throw error;
      const owner = await new AdminClient({ url, adminKey })
        .whoami()
        .then((who) => who.tenant_id)
        .catch(() => undefined);
      if (owner === undefined || owner === tenantId) throw error;
      throw new CliError(`the admin key is for tenant "${owner}", not "${tenantId}"${named === undefined ? ' (the default)' : ''}: pass --tenant ${owner}`);
    }
  };
  return { tenantId, run };
}

/** The approval a full id or a unique prefix of one names (at least 4 characters). */
async function resolveId(id: string, tenantId: string, run: ReturnType<typeof connect>['run']): Promise<string> {
  if (FULL_ID.test(id)) return id;
  if (id.length < MIN_PREFIX) throw new CliError(`"${id}" is too short: give at least ${MIN_PREFIX} characters of the approval id (haltstate approvals shows the first 8)`);
  const all = await run((admin) => admin.approvals());
  const candidates = all.filter((approval) => approval.approval_id.startsWith(id.toLowerCase()));
  if (candidates.length === 1) return candidates[0]!.approval_id;
  if (candidates.length === 0) throw new CliError(`no approval of tenant ${tenantId} has an id starting with "${id}"`);
  const listed = candidates.map((approval) => `  ${approval.approval_id}  ${approval.status.padEnd(8)}  ${approval.action} by ${approval.agent_id}`);
  throw new CliError(`"${id}" matches ${candidates.length} approvals; give more of the id:\n${listed.join('\n')}`);
}

const withConnection = (command: Command) =>
  command
    .option('--url <url>', 'local server URL (env HALTSTATE_BASE_URL; default http://127.0.0.1:8787)')
    .option('--admin-key <key>', "the tenant's admin key or sign-in token (env HALTSTATE_ADMIN_KEY)")
    .option('--tenant <id>', `tenant id (env HALTSTATE_TENANT_ID; default ${DEFAULT_TENANT})`);

const STATUSES = ['pending', 'approved', 'rejected', 'expired', 'all'];

/**
 * The approver's commands: approvals, approve, reject, kill, pause, resume, audit.
 *
 * @example
 * approverCommands(cli, io);
 */
export function approverCommands(cli: Command, io: CliIo): void {
  withConnection(cli.command('approvals').description('list approvals (ids in short form: any unique prefix works in approve and reject)'))
    .option('--status <status>', STATUSES.join(', '), 'pending')
    .option('--json', 'print a JSON array (full approvals, for scripts)')
    .action(async (options: Connection & { status: string; json?: boolean }) => {
      if (!STATUSES.includes(options.status)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}`);
      const { run } = connect(options, io.env);
      const approvals = await run((admin) => admin.approvals(options.status === 'all' ? undefined : (options.status as ApprovalView['status'])));
      if (options.json) return io.out(JSON.stringify(approvals, null, 2));
      if (approvals.length === 0) return io.out(`no ${options.status === 'all' ? '' : `${options.status} `}approvals`);
      const now = new Date();
      for (const approval of approvals) io.out(approvalLines(approval, now).join('\n'));
    });

  withConnection(cli.command('approve').description('approve a pending action').argument('<approval-id>', 'the id, or a unique prefix of it (4+ characters)'))
    .option('--as <name>', 'who approves', defaultApprover())
    .option('--reason <text>', 'why')
    .action(async (id: string, options: Connection & { as: string; reason?: string }) => {
      const { tenantId, run } = connect(options, io.env);
      const full = await resolveId(id, tenantId, run);
      const approval = await run((admin) => admin.approve(full, { approver: options.as, ...(options.reason ? { reason: options.reason } : {}) }));
      io.out(`approved ${shortId(approval.approval_id)} (${approval.action} by ${approval.agent_id}) as ${options.as}`);
    });

  withConnection(cli.command('reject').description('reject a pending action').argument('<approval-id>', 'the id, or a unique prefix of it (4+ characters)'))
    .requiredOption('--reason <text>', 'why (shown to the agent)')
    .option('--as <name>', 'who rejects', defaultApprover())
    .action(async (id: string, options: Connection & { as: string; reason: string }) => {
      const { tenantId, run } = connect(options, io.env);
      const full = await resolveId(id, tenantId, run);
      const approval = await run((admin) => admin.reject(full, { approver: options.as, reason: options.reason }));
      io.out(`rejected ${shortId(approval.approval_id)} (${approval.action} by ${approval.agent_id}): ${options.reason}`);
    });

  for (const [name, status, description] of [
    ['kill', 'KILL', 'stop an agent: every check and guarded action is denied until resume'],
    ['pause', 'PAUSE', "hold an agent's new guarded actions"],
    ['resume', 'OK', 'let a paused or killed agent run again'],
  ] as const) {
    withConnection(cli.command(name).description(description).argument('<agent-id>')).action(async (agentId: string, options: Connection) => {
      await connect(options, io.env).run((admin) => admin.setAgentStatus(agentId, status));
      io.out(`agent ${agentId} is now ${status}`);
    });
  }

  withConnection(cli.command('audit').description('print the audit trail, oldest first (times in UTC)'))
    .option('--format <format>', 'table, jsonl or json', 'table')
    .option('--json', 'print a JSON array (same as --format json)')
    .action(async (options: Connection & { format: string; json?: boolean }) => {
      const format = options.json ? 'json' : options.format;
      if (!['table', 'jsonl', 'json'].includes(format)) throw new CliError('--format must be table, jsonl or json');
      const entries = await connect(options, io.env).run((admin) => admin.audit());
      if (format === 'json') return io.out(JSON.stringify(entries, null, 2));
      io.out(format === 'table' ? formatAuditTable(entries) : entries.map((entry) => JSON.stringify(entry)).join('\n'));
    });
}
