import { randomBytes } from 'node:crypto';
import { secretDigest } from './secret-compare.js';

/** How many unused sign-in codes, and how many sessions, one tenant may have; the oldest go first. */
const MAX_CODES_PER_TENANT = 16;
const MAX_SESSIONS_PER_TENANT = 64;

/** Whose a session is: a tenant, and the approver who signed in (none for the admin key or a code of it). */
export interface SessionHolder {
  tenantId: string;
  approverId?: string;
}

/**
 * The approvals page's sessions, as the routes use them: {@link SessionBook} in memory (dev), or
 * signed stateless tokens when several instances serve one tenant (`SignedSessions`).
 *
 * @example
 * const token = sessions.open({ tenantId: 'acme', approverId: 'alice' });
 * sessions.holderOf(token); // { tenantId: 'acme', approverId: 'alice' }
 */
export interface Sessions {
  /** A new one-time sign-in code, for the holder. */
  issueCode(tenantId: string, approverId?: string): string;
  /** Uses a code up; a used, unknown or dropped one answers undefined. */
  exchange(code: string): (SessionHolder & { token: string }) | undefined;
  /** A new session for a holder whose key was just checked. */
  open(holder: SessionHolder): string;
  /** The holder of a live session token. */
  holderOf(token: string): SessionHolder | undefined;
  /** The tenant of a live session token. */
  tenantOf(token: string): string | undefined;
  /** Ends a session (sign-out). */
  close(token: string): void;
}

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
export class SessionBook implements Sessions {
  /** code digest → holder */
  readonly #codes = new Map<string, SessionHolder>();
  /** token digest → holder */
  readonly #sessions = new Map<string, SessionHolder>();
  readonly #open: ((holder: SessionHolder) => string) | undefined;

  /** `open`, when given, makes the session tokens instead (signed ones); the book then keeps only codes. */
  constructor(open?: (holder: SessionHolder) => string) {
    this.#open = open;
  }

  issueCode(tenantId: string, approverId?: string): string {
    const code = `hs_code_${randomBytes(18).toString('base64url')}`;
    add(this.#codes, secretDigest(code), holder(tenantId, approverId), MAX_CODES_PER_TENANT);
    return code;
  }

  exchange(code: string): (SessionHolder & { token: string }) | undefined {
    const digest = secretDigest(code);
    const found = this.#codes.get(digest);
    if (found === undefined) return undefined;
    this.#codes.delete(digest);
    return { ...found, token: this.open(found) };
  }

  open(owner: SessionHolder): string {
    if (this.#open) return this.#open(owner);
    const token = `hs_session_${randomBytes(24).toString('base64url')}`;
    add(this.#sessions, secretDigest(token), holder(owner.tenantId, owner.approverId), MAX_SESSIONS_PER_TENANT);
    return token;
  }

  /** A map lookup by digest: nothing to time. */
  holderOf(token: string): SessionHolder | undefined {
    return this.#sessions.get(secretDigest(token));
  }

  tenantOf(token: string): string | undefined {
    return this.holderOf(token)?.tenantId;
  }

  close(token: string): void {
    this.#sessions.delete(secretDigest(token));
  }
}

const holder = (tenantId: string, approverId: string | undefined): SessionHolder => (approverId === undefined ? { tenantId } : { tenantId, approverId });

/** Adds an entry, dropping the tenant's oldest when it has `max` already (maps keep insertion order). */
function add(map: Map<string, SessionHolder>, digest: string, entry: SessionHolder, max: number): void {
  const own = [...map].filter(([, other]) => other.tenantId === entry.tenantId);
  for (const [old] of own.slice(0, Math.max(0, own.length - max + 1))) map.delete(old);
  map.set(digest, entry);
}
