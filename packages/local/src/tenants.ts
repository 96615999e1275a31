import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Tenant } from './policy/schema.js';

/** The tenant made when a policy names none; its keys are new on every start. */
export function devTenant(): Tenant {
  return { id: 'local', apiKey: `hs_local_${randomBytes(12).toString('hex')}`, adminKey: `hs_admin_${randomBytes(12).toString('hex')}` };
}

const same = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Finds tenants by key in constant time per comparison, so a key cannot be guessed by timing. */
export class TenantDirectory {
  readonly #tenants: readonly Tenant[];

  constructor(tenants: readonly Tenant[]) {
    this.#tenants = tenants;
  }

  get all(): readonly Tenant[] {
    return this.#tenants;
  }

  byApiKey(key: string): Tenant | undefined {
    return this.#tenants.find((tenant) => same(tenant.apiKey, key));
  }

  byAdminKey(key: string): Tenant | undefined {
    return this.#tenants.find((tenant) => same(tenant.adminKey, key));
  }
}
