import { HaltStateClient, type ClientOptions } from '@haltstate/core';
import { AdminClient, createLocalServer, type LocalServer } from '@haltstate/local';
import { supportPolicy } from '@test-support/support-policy';

/** The policy of the agent-loop suites: search allowed, deletes denied, refunds need a human. */
export async function startPolicyServer(name: string): Promise<{ server: LocalServer; admin: AdminClient; newClient: (options?: ClientOptions) => HaltStateClient }> {
  const { policy, tenant } = supportPolicy(name);
  const server = await createLocalServer({ policy });
  const admin = new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey });
  // A new client is what a restarted process has: nothing but the server and the history.
  const newClient = (options: ClientOptions = {}) => new HaltStateClient({ baseUrl: server.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'support-bot', retries: 0, ...options });
  return { server, admin, newClient };
}

/** The HaltState approval of a tool call, waiting for a human. */
export async function pendingApproval(admin: AdminClient, orderId: string) {
  const found = (await admin.approvals('pending')).filter((approval) => approval.action === 'tool.refund' && approval.params.orderId === orderId);
  if (found.length !== 1) throw new Error(`expected one pending refund approval for ${orderId}, found ${found.length}`);
  return found[0]!;
}

/** The guard reports the server recorded for an approval: exactly one per run. */
export async function reportsOf(admin: AdminClient, approvalId: string) {
  return (await admin.audit()).filter((entry) => entry.kind === 'guard_report' && entry.approvalId === approvalId);
}
