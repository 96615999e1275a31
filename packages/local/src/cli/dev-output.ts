import type { LocalServer } from '../server/app.js';
import type { Tenant } from '../server/policy/schema.js';
import { SIGN_IN_LINK } from '../hints.js';
import { STARTER_TENANT } from './starter-policy.js';


/**
 * Enough of a key to tell keys apart, not enough to use one.
 *
 * @example
 * maskKey('hs_local_demo_key'); // 'hs_loc…'
 */
export const maskKey = (key: string): string => `${key.slice(0, 6)}…`;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\]|::ffff:127(\.\d{1,3}){3})$/i;

/**
 * Whether listening on `host` keeps the server on this machine.
 *
 * @example
 * isLoopback('127.0.0.1'); // true
 * isLoopback('0.0.0.0');   // false
 */
export const isLoopback = (host: string): boolean => LOOPBACK.test(host);

/**
 * The warning for a `--host` that other machines can reach; undefined for loopback.
 *
 * @example
 * const warning = exposureWarning(options.host, server.tenants);
 * if (warning) io.err(`warning: ${warning}`);
 */
export function exposureWarning(host: string, tenants: readonly Tenant[]): string | undefined {
  if (isLoopback(host)) return undefined;
  const published = tenants.filter((tenant) => tenant.apiKey === STARTER_TENANT.apiKey || tenant.adminKey === STARTER_TENANT.adminKey);
  return [
    `--host ${host} makes this server reachable from other machines, over plain HTTP: anyone who can reach it with an admin key or a sign-in link can approve actions, and the keys travel unencrypted.`,
    published.length > 0 ? ` Tenant ${published.map((tenant) => tenant.id).join(', ')} uses the starter policy's published keys: change them before exposing the server.` : '',
    ' Keep the default --host 127.0.0.1 unless you need this.',
  ].join('');
}

/**
 * What `haltstate dev` prints about its tenants: per tenant, its keys (masked unless shown, or
 * made for this run and so printed: nothing else knows them) and its sign-in link.
 *
 * @example
 * for (const line of tenantLines(server, policy.tenants ?? [], false)) io.out(line);
 */
export function tenantLines(server: LocalServer, fromConfig: readonly Tenant[], showKeys: boolean): string[] {
  return server.tenants.flatMap((tenant) => {
    const generated = !fromConfig.some((entry) => entry.id === tenant.id);
    const show = generated || showKeys;
    const keys = `api key ${show ? tenant.apiKey : maskKey(tenant.apiKey)} · admin key ${show ? tenant.adminKey : maskKey(tenant.adminKey)}`;
    const origin = generated ? ' (made for this run: no tenants in the policy)' : showKeys ? '' : ' (masked: --show-keys prints them)';
    return [`  tenant ${tenant.id} · ${keys}${origin}`, `    ${SIGN_IN_LINK} for the approvals page: ${server.signInUrl(tenant.id)}`];
  });
}
