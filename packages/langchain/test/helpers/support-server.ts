import { AdminClient, createLocalServer, type LocalServer } from '@haltstate/local';
import { supportPolicy } from '@test-support/support-policy';

/** The local server of a suite, with its admin client, once `beforeAll` ran. */
export interface SupportServer {
  readonly url: string;
  readonly admin: AdminClient;
  readonly tenant: { id: string; apiKey: string; adminKey: string };
}

/**
 * Starts the real local HaltState server for the calling suite (closed after it), with the
 * support-bot policy: `tool.search` allowed, `tool.delete_account` denied, `tool.refund` needs
 * a human. `name` keeps each suite's keys its own.
 */
export function useSupportServer(name: string): SupportServer {
  const { policy, tenant } = supportPolicy(name);
  let server: LocalServer | undefined;
  let admin: AdminClient | undefined;
  beforeAll(async () => {
    server = await createLocalServer({ policy });
    admin = new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey });
  });
  afterAll(() => server?.close());
  return {
    tenant,
    get url() {
      return server!.url;
    },
    get admin() {
      return admin!;
    },
  };
}
