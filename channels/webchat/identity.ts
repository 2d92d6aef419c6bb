import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The hash a host site sends with its user id: hex HMAC-SHA256 of the id under the hub's
 * WEBCHAT_IDENTITY_SECRET (the same scheme Intercom and Chatwoot use, so sites know it).
 */
export function identityHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/** Whether `hash` is the site's signature of `userId` (constant time). */
export function verifyIdentity(secret: string, userId: string, hash: string): boolean {
  const expected = Buffer.from(identityHash(secret, userId), 'hex');
  const given = Buffer.from(hash.toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
