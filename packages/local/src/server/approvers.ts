import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { HEADERS } from '@haltstate/core';
import { globMatches } from './policy/glob.js';
import type { Approver, Policy, Tenant } from './policy/schema.js';
import { matchesDigest, secretDigest } from './secret-compare.js';

/** The header an approver may send their own key in (besides `Authorization: Bearer`). */
export const APPROVER_KEY_HEADER = 'x-approver-key';

/**
 * Who decides approvals: the `approvers` option of `buildServer` (`haltstate serve` turns it on).
 *
 * @example
 * buildServer({ policy: 'policy.yaml', approvers: { required: true, sessionSecret: process.env.HALTSTATE_SESSION_SECRET, trustedProxy: { header: 'x-forwarded-user', from: ['10.0.0.5'] } } });
 */
export interface ApproverOptions {
  /**
   * Deciding (approve/reject, on /local and on the page) needs an approver's identity: their own
   * key, a session they signed in to with it, or the trusted proxy's header. The tenant's admin
   * key and sign-in tokens still read approvals and the audit trail and set agent status, but
   * deciding with them is a 403. Without it (dev), the admin key decides and names the approver
   * in the body, as before. @default false
   */
  required: boolean;
  /** More approvers by tenant id, beside the policy's (`readApproversFile`). An id or digest declared twice is refused at start. */
  extra?: Readonly<Record<string, readonly Approver[]>>;
  /**
   * A reverse proxy that authenticates people itself (SSO) and names the approver in `header`.
   * The header is honoured only on a connection whose peer address is in `from` (exact IPs; an
   * IPv4-mapped IPv6 address counts as its IPv4), only for an approver declared for the tenant
   * named in `X-Tenant-Id`, and only when the request carries no key (a key always decides who
   * calls). From any other peer it is ignored. The proxy must drop the header from what clients send.
   */
  trustedProxy?: { header: string; from: readonly string[] };
  /**
   * Signs the page's session tokens (HMAC-SHA256), so any instance with the same secret accepts
   * them. At least 32 bytes. Required when `required` is true, unless `sessions: false`.
   */
  sessionSecret?: string | Buffer;
  /** How long a signed session lasts. @unit milliseconds @default 28800000 (8 h) */
  sessionTtlMs?: number;
  /** Page sign-in and sessions; `false` turns sign-in off (the CLI and API keys only). @default true */
  sessions?: boolean;
}

/** An approver of a tenant, found by key, session or proxy header. */
export interface ApproverIdentity {
  tenant: Tenant;
  approver: Approver;
}

const normalizeIp = (address: string) => (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address.toLowerCase());

/**
 * The approvers of every tenant (the policy's and `extra`), found by key in constant time per
 * comparison (each declared digest is compared every time) or by id.
 *
 * @example
 * const directory = new ApproverDirectory(tenants, options.approvers);
 * directory.byKey(presentedKey); // { tenant, approver } or undefined
 */
export class ApproverDirectory {
  readonly #byTenant: ReadonlyMap<string, { tenant: Tenant; approvers: readonly Approver[] }>;
  readonly #options: ApproverOptions | undefined;
  readonly #trusted: ReadonlySet<string>;

  constructor(tenants: readonly Tenant[], options?: ApproverOptions) {
    this.#options = options;
    const byTenant = new Map(tenants.map((tenant) => [tenant.id, { tenant, approvers: [...(tenant.approvers ?? [])] }]));
    for (const [tenantId, list] of Object.entries(options?.extra ?? {})) {
      const entry = byTenant.get(tenantId);
      if (!entry) throw new Error(`approvers: tenant "${tenantId}" of the approvers file is not a tenant of this server (tenants: ${[...byTenant.keys()].join(', ')})`);
      entry.approvers.push(...list);
    }
    // The same checks as the policy's, across the policy and the approvers file together.
    const digests = new Set(tenants.flatMap((tenant) => [tenant.apiKey, tenant.adminKey, ...(tenant.agentKeys ?? []).map((bound) => bound.key)]).map(secretDigest));
    for (const { tenant, approvers } of byTenant.values()) {
      const ids = new Set<string>();
      for (const entry of approvers) {
        if (ids.has(entry.id)) throw new Error(`approvers: "${entry.id}" is declared twice for tenant "${tenant.id}" (policy file and approvers file)`);
        if (digests.has(entry.keySha256)) throw new Error(`approvers: the keySha256 of "${entry.id}" (tenant "${tenant.id}") is already used by another approver or key: each approver has a key of their own`);
        ids.add(entry.id);
        digests.add(entry.keySha256);
      }
    }
    this.#byTenant = byTenant;
    this.#trusted = new Set((options?.trustedProxy?.from ?? []).map(normalizeIp));
  }

  /** Whether deciding needs an approver's identity (`approvers.required`). */
  get required(): boolean {
    return this.#options?.required === true;
  }

  /** Whether the page's sign-in is on (`approvers.sessions`). */
  get signInEnabled(): boolean {
    return this.#options?.sessions !== false;
  }

  /** An approver by their key: every digest of every tenant is compared, so timing tells nothing. */
  byKey(key: string): ApproverIdentity | undefined {
    let found: ApproverIdentity | undefined;
    for (const { tenant, approvers } of this.#byTenant.values()) {
      for (const approver of approvers) if (matchesDigest(key, approver.keySha256)) found ??= { tenant, approver };
    }
    return found;
  }

  /** A declared approver of a tenant. */
  byId(tenantId: string, approverId: string): ApproverIdentity | undefined {
    const entry = this.#byTenant.get(tenantId);
    const approver = entry?.approvers.find((candidate) => candidate.id === approverId);
    return entry && approver ? { tenant: entry.tenant, approver } : undefined;
  }

  /**
   * The approver a trusted proxy names for this request: undefined unless `trustedProxy` is
   * configured, the TCP peer is one of its addresses, the header is present, and it names an
   * approver declared for the tenant in `X-Tenant-Id`. Never looks at `X-Forwarded-For`.
   */
  proxied(request: FastifyRequest): ApproverIdentity | undefined {
    const proxy = this.#options?.trustedProxy;
    if (!proxy) return undefined;
    const peer = request.raw.socket?.remoteAddress;
    if (peer === undefined || !this.#trusted.has(normalizeIp(peer))) return undefined;
    const name = first(request.headers[proxy.header.toLowerCase()])?.trim();
    const tenantId = first(request.headers[HEADERS.tenantId]);
    if (!name || tenantId === undefined) return undefined;
    return this.byId(tenantId, name);
  }
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Whether self-approval is forbidden for an approval: the rule that asked for it (found by the
 * approval's policy id in the current policy) decides when it sets `selfApproval`; otherwise,
 * and when the rule cannot be found (no id, removed, the default), the tenant's
 * `forbidSelfApproval`. Answers the rule's name for the refusal.
 *
 * @example
 * selfApprovalRule(policy, tenant, approval.policyId); // { forbidden: true, by: 'rule "large-payments"' }
 */
export function selfApprovalRule(policy: Policy, tenant: Tenant, policyId: string | null): { forbidden: boolean; by: string } {
  const rule = policyId === null ? undefined : policy.rules.find((candidate) => candidate.id === policyId);
  if (rule?.selfApproval !== undefined) return { forbidden: !rule.selfApproval, by: `rule "${rule.id}" (selfApproval: false)` };
  return { forbidden: tenant.forbidSelfApproval === true, by: `tenant "${tenant.id}" (forbidSelfApproval: true${policyId === null ? '' : `, for rule "${policyId}"`})` };
}

/**
 * Whether an approver may decide a request of `agentId`: not when their `agents` glob matches it
 * and self-approval is forbidden ({@link selfApprovalRule}). Answers the refusal's text, or undefined.
 *
 * @example
 * const refusal = selfApprovalRefusal(policy, identity, { agentId: 'alice-bot', policyId: 'large-payments', id });
 * if (refusal) return fail(reply, 403, refusal);
 */
export function selfApprovalRefusal(policy: Policy, identity: ApproverIdentity, approval: { id: string; agentId: string; policyId: string | null }): string | undefined {
  const glob = identity.approver.agents;
  if (glob === undefined || !globMatches(glob, approval.agentId)) return undefined;
  const { forbidden, by } = selfApprovalRule(policy, identity.tenant, approval.policyId);
  if (!forbidden) return undefined;
  return `Approver "${identity.approver.id}" may not decide approval ${approval.id}: agent "${approval.agentId}" acts for them, and ${by} forbids self-approval; another approver must decide it`;
}
