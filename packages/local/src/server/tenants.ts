import { randomBytes } from 'node:crypto';
import { globMatches } from './policy/glob.js';
import type { Tenant } from './policy/schema.js';
import { sameSecret as same } from './secret-compare.js';

/** The tenant made when a policy names none; its keys are new on every start. */
export function devTenant(): Tenant {
  return { id: 'local', apiKey: `hs_local_${randomBytes(12).toString('hex')}`, adminKey: `hs_admin_${randomBytes(12).toString('hex')}` };
}

/** A sign-in token: an admin credential for one tenant that lives as long as the server runs. */
const newSignInToken = () => `hs_signin_${randomBytes(24).toString('hex')}`;

/**
 * Finds tenants by key in constant time per comparison, so a key cannot be guessed by timing.
 * Each tenant also gets a sign-in token for this run: it opens the approvals page (and the admin
 * routes) like the admin key, so `haltstate dev` can print a working sign-in link without
 * printing the admin key, and the link stops working when the server stops. A production server
 * (`haltstate serve`) makes none (`signInTokens: false`): its admin credentials are only the
 * ones it was given.
 *
 * @example
 * const directory = new TenantDirectory(tenants, { signInTokens: false });
 * directory.signInToken('acme'); // undefined
 */
export class TenantDirectory {
  readonly #tenants: readonly Tenant[];
  readonly #signInTokens: ReadonlyMap<string, string>;

  constructor(tenants: readonly Tenant[], options: { signInTokens?: boolean } = {}) {
    this.#tenants = tenants;
    this.#signInTokens = new Map(options.signInTokens === false ? [] : tenants.map((tenant) => [tenant.id, newSignInToken()]));
  }

  /** The tenant's sign-in token for this run (undefined when the directory makes none). */
  signInToken(tenantId: string): string | undefined {
    return this.#signInTokens.get(tenantId);
  }

  get all(): readonly Tenant[] {
    return this.#tenants;
  }

  /** By the tenant's API key or one of its agent keys. */
  byApiKey(key: string): Tenant | undefined {
    return this.agentKey(key)?.tenant;
  }

  /**
   * An agent's key: its tenant and the glob of agent ids it may act as (`undefined`: any, a
   * tenant-wide development key). Every key of every tenant is compared, so the time taken does
   * not tell which one matched.
   *
   * @example
   * directory.agentKey('hs_agent_pay')?.agents; // 'payment-bot'
   */
  agentKey(key: string): { tenant: Tenant; agents: string | undefined } | undefined {
    let found: { tenant: Tenant; agents: string | undefined } | undefined;
    for (const tenant of this.#tenants) {
      if (same(tenant.apiKey, key)) found ??= { tenant, agents: tenant.agents };
      for (const bound of tenant.agentKeys ?? []) if (same(bound.key, key)) found ??= { tenant, agents: bound.agents };
    }
    return found;
  }

  /**
   * Whether `key` (an agent key of this directory) may act as `agentId`.
   *
   * @example
   * if (!directory.allowsAgent(key, body.agent_id)) return fail(reply, 403, notAllowedFor(body.agent_id));
   */
  allowsAgent(key: string, agentId: string): boolean {
    const found = this.agentKey(key);
    return found !== undefined && (found.agents === undefined || globMatches(found.agents, agentId));
  }

  /** By admin key or sign-in token (both are compared every time, when there are tokens). */
  byAdminKey(key: string): Tenant | undefined {
    return this.#tenants.find((tenant) => {
      const token = this.#signInTokens.get(tenant.id);
      return [same(tenant.adminKey, key), token !== undefined && same(token, key)].includes(true);
    });
  }
}
