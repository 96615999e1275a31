// HaltState for the examples: the bundled local server with the tenant of examples/policy.yaml
// and a policy for the support tools.
import { fileURLToPath } from 'node:url';
import { AdminClient, createLocalServer, loadPolicyFile } from '@haltstate/local';

/** Starts the local server; returns it, its tenant and an admin client (a human's side). */
export async function startHaltState() {
  const base = loadPolicyFile(fileURLToPath(new URL('../policy.yaml', import.meta.url)));
  const server = await createLocalServer({
    policy: {
      default: 'DENY',
      tenants: base.tenants,
      rules: [
        { id: 'docs', match: { action: 'tool.search_docs' }, decision: 'ALLOW' },
        { id: 'no-deletes', match: { action: 'tool.delete_account' }, decision: 'DENY', reason: 'Account deletion is never automatic' },
        { id: 'refunds', match: { action: 'tool.refund' }, decision: 'APPROVAL_REQUIRED', reason: 'Refunds need a human' },
      ],
    },
  });
  const tenant = server.tenants[0];
  return { server, tenant, admin: new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey }) };
}
