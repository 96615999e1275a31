import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AdminClient, AdminError, type ApprovalView } from './admin-client.js';
import { formatAuditTable } from './audit-table.js';
import { approvalLines, shortId } from './approval-text.js';
import { CliError, type CliIo } from './io.js';
import { readSecret } from './secret-input.js';
import { STARTER_TENANT } from './starter-policy.js';

interface Connection {
  url?: string;
  adminKey?: string;
  adminKeyFile?: string;
  tenant?: string;
}

interface Deciding extends Connection {
  as: string;
  approverKeyFile?: string;
}

/** What `haltstate approvals` shows at once; the rest is a `--cursor` away. */
const DEFAULT_LIST = 50;

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
function connect(options: Connection, io: CliIo, approverKey?: string) {
  const env = io.env;
  const url = options.url ?? env.HALTSTATE_BASE_URL ?? 'http://127.0.0.1:8787';
  const given =
    approverKey ??
    readSecret(
      { label: 'admin key', flag: options.adminKey, flagName: '--admin-key', file: options.adminKeyFile, fileFlagName: '--admin-key-file', envValue: env.HALTSTATE_ADMIN_KEY, envName: 'HALTSTATE_ADMIN_KEY', published: [STARTER_TENANT.adminKey] },
      io.err,
      io.cwd,
    );
  // An approver lists and reads with their own key too (the server lets it read); no shared admin key needed.
  const asApprover = approverKey !== undefined || (given === undefined && Boolean(env.HALTSTATE_APPROVER_KEY));
  const adminKey = given ?? (env.HALTSTATE_APPROVER_KEY || undefined);
  const label = asApprover ? 'approver key' : 'admin key';
  const named = options.tenant ?? env.HALTSTATE_TENANT_ID;
  const tenantId = named ?? DEFAULT_TENANT;
  if (!adminKey) {
    throw new CliError(
      `No admin key: set HALTSTATE_ADMIN_KEY or pass --admin-key-file <file> (an approver may set HALTSTATE_APPROVER_KEY to their own key instead). It is the adminKey of your tenant in the policy file (or the file given to haltstate serve --admin-key-file); haltstate dev prints it for the tenant it makes when the policy has none, and a sign-in token works too.`,
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
      throw new CliError(`the ${label} is for tenant "${owner}", not "${tenantId}"${named === undefined ? ' (the default)' : ''}: pass --tenant ${owner}`);
    }
  };
  return { tenantId, run };
}

/** The approval a full id or a unique prefix of one names (at least 4 characters). */
async function resolveId(id: string, tenantId: string, run: ReturnType<typeof connect>['run']): Promise<string> {
  if (FULL_ID.test(id)) return id;
  if (id.length < MIN_PREFIX) throw new CliError(`"${id}" is too short: give at least ${MIN_PREFIX} characters of the approval id (haltstate approvals shows the first 8)`);
  const candidates: ApprovalView[] = [];
  await run(async (admin) => {
    candidates.length = 0;
    for await (const page of admin.approvalPages()) candidates.push(...page.filter((approval) => approval.approval_id.startsWith(id.toLowerCase())));
  });
  if (candidates.length === 1) return candidates[0]!.approval_id;
  if (candidates.length === 0) throw new CliError(`no approval of tenant ${tenantId} has an id starting with "${id}"`);
  const listed = candidates.map((approval) => `  ${approval.approval_id}  ${approval.status.padEnd(8)}  ${approval.action} by ${approval.agent_id}`);
  throw new CliError(`"${id}" matches ${candidates.length} approvals; give more of the id:\n${listed.join('\n')}`);
}

const withConnection = (command: Command) =>
  command
    .option('--url <url>', 'local server URL (env HALTSTATE_BASE_URL; default http://127.0.0.1:8787)')
    .option('--admin-key-file <file>', "a file whose first line is the tenant's admin key or sign-in token")
    .option('--admin-key <key>', 'the admin key on the command line (visible in the process list: prefer env HALTSTATE_ADMIN_KEY or --admin-key-file)')
    .option('--tenant <id>', `tenant id (env HALTSTATE_TENANT_ID; default ${DEFAULT_TENANT})`);

/**
 * An approver's own key, for approve and reject: from `--approver-key-file` (first line) or
 * HALTSTATE_APPROVER_KEY, never from a flag (a command line is readable by every user), never printed.
 */
const approverKeyOf = (options: Deciding, io: CliIo): string | undefined =>
  readSecret({ label: 'approver key', flag: undefined, flagName: '--approver-key', file: options.approverKeyFile, fileFlagName: '--approver-key-file', envValue: io.env.HALTSTATE_APPROVER_KEY, envName: 'HALTSTATE_APPROVER_KEY' }, io.err, io.cwd);

/** Decides as the approver key's owner (the server records who authenticated), or as `--as` with the admin key. */
const withDecider = (command: Command) =>
  withConnection(command)
    .option('--approver-key-file <file>', "a file whose first line is your own approver key (env HALTSTATE_APPROVER_KEY); the decision is recorded under you, and --as is not sent")
    .option('--as <name>', 'who decides, with the admin key (ignored with an approver key)', defaultApprover());

/** `--as` typed together with an approver key names nobody: the server records the key's owner. */
function warnIgnoredAs(approverKey: string | undefined, command: Command, io: CliIo): void {
  if (approverKey !== undefined && command.getOptionValueSource('as') === 'cli') io.err("warning: --as is ignored with an approver key: the decision is recorded under the key's owner");
}

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
    .option('--json', 'print a JSON array (full approvals, for scripts; all of them unless --limit or --cursor)')
    .option('--limit <n>', `how many to show (default ${DEFAULT_LIST}; the server caps a page)`)
    .option('--cursor <cursor>', 'continue after an earlier list (the cursor its last line names)')
    .action(async (options: Connection & { status: string; json?: boolean; limit?: string; cursor?: string }) => {
      if (!STATUSES.includes(options.status)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}`);
      const limit = options.limit === undefined ? undefined : Number(options.limit);
      if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) throw new CliError(`--limit must be a positive whole number, got "${options.limit}"`);
      const { run } = connect(options, io);
      const status = options.status === 'all' ? undefined : (options.status as ApprovalView['status']);
      if (options.json && limit === undefined && options.cursor === undefined) return io.out(JSON.stringify(await run((admin) => admin.approvals(status)), null, 2));
      const page = await run((admin) => admin.approvalsPage(status, { limit: limit ?? DEFAULT_LIST, ...(options.cursor === undefined ? {} : { cursor: options.cursor }) }));
      if (options.json) return io.out(JSON.stringify(page.items, null, 2));
      if (page.items.length === 0) io.out(`no ${options.cursor ? 'more ' : ''}${options.status === 'all' ? '' : `${options.status} `}approvals`);
      const now = new Date();
      for (const approval of page.items) io.out(approvalLines(approval, now).join('\n'));
      if (page.next_cursor !== null) io.out(`more approvals: haltstate approvals --status ${options.status} --cursor ${page.next_cursor}`);
    });

  withDecider(cli.command('approve').description('approve a pending action').argument('<approval-id>', 'the id, or a unique prefix of it (4+ characters)'))
    .option('--reason <text>', 'why')
    .action(async (id: string, options: Deciding & { reason?: string }, command: Command) => {
      const approverKey = approverKeyOf(options, io);
      warnIgnoredAs(approverKey, command, io);
      const { tenantId, run } = connect(options, io, approverKey);
      const full = await resolveId(id, tenantId, run);
      const approval = await run((admin) => admin.approve(full, { ...(approverKey === undefined ? { approver: options.as } : {}), ...(options.reason ? { reason: options.reason } : {}) }));
      io.out(`approved ${shortId(approval.approval_id)} (${approval.action} by ${approval.agent_id}) as ${approval.approver ?? options.as}`);
    });

  withDecider(cli.command('reject').description('reject a pending action').argument('<approval-id>', 'the id, or a unique prefix of it (4+ characters)'))
    .requiredOption('--reason <text>', 'why (shown to the agent)')
    .action(async (id: string, options: Deciding & { reason: string }, command: Command) => {
      const approverKey = approverKeyOf(options, io);
      warnIgnoredAs(approverKey, command, io);
      const { tenantId, run } = connect(options, io, approverKey);
      const full = await resolveId(id, tenantId, run);
      const approval = await run((admin) => admin.reject(full, { ...(approverKey === undefined ? { approver: options.as } : {}), reason: options.reason }));
      io.out(`rejected ${shortId(approval.approval_id)} (${approval.action} by ${approval.agent_id}): ${options.reason}`);
    });

  for (const [name, status, description] of [
    ['kill', 'KILL', 'stop an agent: every check and guarded action is denied until resume'],
    ['pause', 'PAUSE', "hold an agent's new guarded actions"],
    ['resume', 'OK', 'let a paused or killed agent run again'],
  ] as const) {
    withConnection(cli.command(name).description(description).argument('<agent-id>')).action(async (agentId: string, options: Connection) => {
      await connect(options, io).run((admin) => admin.setAgentStatus(agentId, status));
      io.out(`agent ${agentId} is now ${status}`);
    });
  }

  withConnection(cli.command('sign-in-link').description('print a new sign-in link to the approvals page (it works once)')).action(async (options: Connection) => {
    io.out(await connect(options, io).run((admin) => admin.signInLink()));
  });

  withConnection(cli.command('audit').description('print the audit trail, oldest first (times in UTC)'))
    .option('--format <format>', 'table, jsonl or json', 'table')
    .option('--json', 'print a JSON array (same as --format json)')
    .action(async (options: Connection & { format: string; json?: boolean }) => {
      const format = options.json ? 'json' : options.format;
      if (!['table', 'jsonl', 'json'].includes(format)) throw new CliError('--format must be table, jsonl or json');
      const { run } = connect(options, io);
      if (format === 'jsonl') {
        // Printed as the pages come: a long trail never sits in memory whole.
        return run(async (admin) => {
          for await (const page of admin.auditPages()) if (page.length > 0) io.out(page.map((entry) => JSON.stringify(entry)).join('\n'));
        });
      }
      const entries = await run((admin) => admin.audit());
      if (format === 'json') return io.out(JSON.stringify(entries, null, 2));
      io.out(formatAuditTable(entries));
    });
}
