import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretDigest } from './secret-compare.js';
import type { ApproverOptions } from './approvers.js';
import { SessionBook, type SessionHolder, type Sessions } from './sessions.js';

/** The shortest session secret accepted: HMAC-SHA256's own key size. @unit bytes */
export const MIN_SESSION_SECRET_BYTES = 32;

/** How long a signed session lasts. @unit milliseconds */
export const DEFAULT_SESSION_TTL_MS = 8 * 3_600_000;

const PREFIX = 'hs_session.';

interface Claims {
  /** tenant id */
  t: string;
  /** approver id */
  a?: string;
  /** expiry, epoch ms */
  exp: number;
}

/**
 * Session tokens that need no shared memory: `hs_session.<claims>.<HMAC-SHA256>`, the claims
 * (tenant, approver, expiry) in base64url JSON. Every instance given the same secret accepts a
 * token any of them signed, so the page keeps working behind a load balancer. A token cannot be
 * revoked everywhere before its expiry: sign-out forgets it on the instance that got it, and
 * rotating the secret ends every session. One-time sign-in codes stay in memory (a code must be
 * exchanged on the instance that issued it).
 *
 * @example
 * const sessions = new SignedSessions(process.env.HALTSTATE_SESSION_SECRET!, { ttlMs: 3_600_000 });
 * const token = sessions.open({ tenantId: 'acme', approverId: 'alice' });
 * sessions.holderOf(token); // { tenantId: 'acme', approverId: 'alice' } (on any instance with the secret)
 */
export class SignedSessions implements Sessions {
  readonly #secret: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #codes: SessionBook;
  /** Signed-out token digests → their expiry, forgotten once expired. */
  readonly #closed = new Map<string, number>();

  constructor(secret: string | Buffer, options: { ttlMs?: number; now?: () => number } = {}) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (bytes.length < MIN_SESSION_SECRET_BYTES) throw new Error(`the session secret is ${bytes.length} bytes; it must be at least ${MIN_SESSION_SECRET_BYTES} (e.g. \`openssl rand -base64 48\`)`);
    this.#secret = bytes;
    this.#ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    this.#now = options.now ?? Date.now;
    this.#codes = new SessionBook((holder) => this.open(holder));
  }

  issueCode(tenantId: string, approverId?: string): string {
    return this.#codes.issueCode(tenantId, approverId);
  }

  exchange(code: string): (SessionHolder & { token: string }) | undefined {
    return this.#codes.exchange(code);
  }

  open(holder: SessionHolder): string {
    const claims: Claims = { t: holder.tenantId, ...(holder.approverId === undefined ? {} : { a: holder.approverId }), exp: this.#now() + this.#ttlMs };
    const body = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
    return `${PREFIX}${body}.${this.#sign(body)}`;
  }

  holderOf(token: string): SessionHolder | undefined {
    if (!token.startsWith(PREFIX)) return undefined;
    const [body, signature, ...rest] = token.slice(PREFIX.length).split('.');
    if (body === undefined || signature === undefined || rest.length > 0) return undefined;
    const expected = Buffer.from(this.#sign(body), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: Partial<Claims>;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Claims>;
    } catch {
      return undefined;
    }
    if (typeof claims.t !== 'string' || typeof claims.exp !== 'number' || (claims.a !== undefined && typeof claims.a !== 'string')) return undefined;
    if (claims.exp <= this.#now() || this.#closed.has(secretDigest(token))) return undefined;
    return claims.a === undefined ? { tenantId: claims.t } : { tenantId: claims.t, approverId: claims.a };
  }

  tenantOf(token: string): string | undefined {
    return this.holderOf(token)?.tenantId;
  }

  close(token: string): void {
    const now = this.#now();
    for (const [digest, exp] of this.#closed) if (exp <= now) this.#closed.delete(digest);
    if (this.holderOf(token) !== undefined) this.#closed.set(secretDigest(token), now + this.#ttlMs);
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#secret).update(body).digest('base64url');
  }
}

/**
 * The page's sessions for a server: signed, stateless tokens when a session secret is given
 * (several instances accept each other's); in memory otherwise (dev). Approver mode
 * (`required`) without a secret is refused, since a token made on one instance would fail on
 * the next, unless page sign-in is off (`sessions: false`).
 *
 * @example
 * const sessions = sessionsFor({ required: true, sessionSecret }, options.now);
 */
export function sessionsFor(approvers: ApproverOptions | undefined, now?: () => Date): Sessions {
  const clock = now ? () => now().getTime() : undefined;
  if (approvers?.sessionSecret !== undefined) return new SignedSessions(approvers.sessionSecret, { ...(approvers.sessionTtlMs !== undefined ? { ttlMs: approvers.sessionTtlMs } : {}), ...(clock ? { now: clock } : {}) });
  if (approvers?.required && approvers.sessions !== false) {
    throw new Error('approvers.required needs approvers.sessionSecret (at least 32 bytes) to sign page sessions, or approvers.sessions: false to turn page sign-in off');
  }
  return new SessionBook();
}
