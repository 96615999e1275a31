import { HaltStateClient } from '@haltstate/core';
import { AdminClient, createLocalServer, type LocalServer, type PolicyInput } from '@haltstate/local';
import { testKey } from '@test-support/keys';

/**
 * The policy of this package's suites, for a server named `files` (also the proxy fixture's
 * name): reads allowed, deletes denied, sends need a human, anything else denied.
 */
export function mcpPolicy(name: string): { policy: PolicyInput; tenant: { id: string; apiKey: string; adminKey: string } } {
  const tenant = { id: 'acme', apiKey: testKey(`${name}-acme`), adminKey: testKey(`${name}-admin`) };
  return {
    tenant,
    policy: {
      tenants: [tenant],
      default: 'DENY',
      rules: [
        { id: 'reads', match: { action: 'mcp.files.read' }, decision: 'ALLOW', reason: 'Reading is fine' },
        { id: 'tools', match: { action: 'mcp.files.ping' }, decision: 'ALLOW' },
        { id: 'broken', match: { action: 'mcp.files.broken' }, decision: 'ALLOW' },
        { id: 'crash', match: { action: 'mcp.files.crash' }, decision: 'ALLOW' },
        { id: 'no-deletes', match: { action: 'mcp.files.delete' }, decision: 'DENY', reason: 'Deletes are never automatic' },
        { id: 'sends', match: { action: 'mcp.files.send' }, decision: 'APPROVAL_REQUIRED', reason: 'Sending needs a human' },
      ],
    },
  };
}

export interface PolicyServer {
  server: LocalServer;
  admin: AdminClient;
  tenant: { id: string; apiKey: string; adminKey: string };
  newClient: (options?: { agentId?: string; baseUrl?: string }) => HaltStateClient;
  closeAll: () => Promise<void>;
}

/** A local HaltState server with {@link mcpPolicy}, an admin client, and clients closed by `closeAll`. */
export async function startPolicyServer(name: string): Promise<PolicyServer> {
  const { policy, tenant } = mcpPolicy(name);
  const server = await createLocalServer({ policy });
  const admin = new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey });
  const clients: HaltStateClient[] = [];
  const newClient = (options: { agentId?: string; baseUrl?: string } = {}) => {
    const client = new HaltStateClient({ baseUrl: options.baseUrl ?? server.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: options.agentId ?? 'files-bot', retries: 0 });
    clients.push(client);
    return client;
  };
  const closeAll = async () => {
    await Promise.all(clients.splice(0).map((client) => client.close({ timeoutMs: 1_000 })));
  };
  return { server, admin, tenant, newClient, closeAll };
}

/** The one pending approval of an action. */
export async function pendingApproval(admin: AdminClient, action: string) {
  const found = (await admin.approvals('pending')).filter((approval) => approval.action === action);
  if (found.length !== 1) throw new Error(`expected one pending approval for ${action}, found ${found.length}`);
  return found[0]!;
}

/** The guard reports the server recorded for an approval: exactly one per run. */
export async function reportsOf(admin: AdminClient, approvalId: string) {
  return (await admin.audit()).filter((entry) => entry.kind === 'guard_report' && entry.approvalId === approvalId);
}

/** The text of a tool result's first content part. */
export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.find((part) => part.type === 'text')?.text ?? '';
}
