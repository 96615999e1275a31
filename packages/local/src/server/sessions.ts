import { randomBytes } from 'node:crypto';
import { secretDigest } from './secret-compare.js';

/** How many unused sign-in codes, and how many sessions, one tenant may have; the oldest go first. */
const MAX_CODES_PER_TENANT = 16;
const MAX_SESSIONS_PER_TENANT = 64;

/**
 * The approvals page's sign-in: a one-time code (in the link `haltstate dev` prints) is exchanged,
 * once, for a session token the page keeps in sessionStorage. The browser's history then holds
 * only a used code, and no key. Codes and sessions live in memory: a restart ends them. Only
 * digests are kept, so a heap dump shows no usable token.
 *
 * @example
 * const sessions = new SessionBook();
 * const code = sessions.issueCode('acme');
 * sessions.exchange(code); // { tenantId: 'acme', token: 'hs_session_…' }
 * sessions.exchange(code); // undefined: a code works once
 */
export class SessionBook {
  /** code digest → tenant */
  readonly #codes = new Map<string, string>();
  /** token digest → tenant */
  readonly #sessions = new Map<string, string>();

  /** A new one-time sign-in code for the tenant. */
  issueCode(tenantId: string): string {
    const code = `hs_code_${randomBytes(18).toString('base64url')}`;
    add(this.#codes, secretDigest(code), tenantId, MAX_CODES_PER_TENANT);
    return code;
  }

  /** Uses a code up; a used, unknown or dropped one answers undefined. */
  exchange(code: string): { tenantId: string; token: string } | undefined {
    const digest = secretDigest(code);
    const tenantId = this.#codes.get(digest);
    if (tenantId === undefined) return undefined;
    this.#codes.delete(digest);
    return { tenantId, token: this.open(tenantId) };
  }

  /** A new session for a tenant whose admin key was just checked. */
  open(tenantId: string): string {
    const token = `hs_session_${randomBytes(24).toString('base64url')}`;
    add(this.#sessions, secretDigest(token), tenantId, MAX_SESSIONS_PER_TENANT);
    return token;
  }

  /** The tenant of a live session token (a map lookup by digest: nothing to time). */
  tenantOf(token: string): string | undefined {
    return this.#sessions.get(secretDigest(token));
  }

  /** Ends a session (sign-out). */
  close(token: string): void {
    this.#sessions.delete(secretDigest(token));
  }
}

/** Adds an entry, dropping the tenant's oldest when it has `max` already (maps keep insertion order). */
function add(map: Map<string, string>, digest: string, tenantId: string, max: number): void {
  const own = [...map].filter(([, tenant]) => tenant === tenantId);
  for (const [old] of own.slice(0, Math.max(0, own.length - max + 1))) map.delete(old);
  map.set(digest, tenantId);
}
