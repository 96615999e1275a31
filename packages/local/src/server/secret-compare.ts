import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether two secrets are equal, in time that depends on neither: both are hashed first, so the
 * comparison always runs over 32 bytes and a wrong key's length or first differing byte cannot
 * be learned by timing (comparing the raw strings leaks the length).
 *
 * @example
 * sameSecret(presentedKey, tenant.adminKey); // true or false, in the same time
 */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * A secret's SHA-256 digest, hex: what the server keeps of a session token, and the name of a
 * key's rate-limit bucket (so no map ever holds a key in clear).
 *
 * @example
 * const id = secretDigest(token); // 64 hex characters
 */
export function secretDigest(secret: string): string {
  return digest(secret).toString('hex');
}

/**
 * Whether a presented secret has the given SHA-256 digest (64 hex digits), in constant time:
 * how an approver key is checked against the `keySha256` the policy keeps instead of the key.
 *
 * @example
 * matchesDigest(presentedKey, approver.keySha256); // true or false, in the same time
 */
export function matchesDigest(presented: string, digestHex: string): boolean {
  const expected = Buffer.from(digestHex, 'hex');
  // A malformed digest (never from a validated policy) compares against zeros: still false, same time.
  return timingSafeEqual(digest(presented), expected.length === 32 ? expected : Buffer.alloc(32)) && expected.length === 32;
}
