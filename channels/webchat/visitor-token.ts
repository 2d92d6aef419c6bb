import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const VISITOR_ID = /^[A-Za-z0-9_-]{22}$/;

export const isVisitorId = (s: string): boolean => VISITOR_ID.test(s);

/**
 * Visitor tokens: `v1.<visitorId>.<HMAC-SHA256(secret, channelKey + visitorId)>`.
 * The visitor id is random (128 bits); only the hub can sign one, so a token made up or
 * edited by a browser is refused and never leads to another visitor's conversation.
 */
export function createVisitorTokens(secret: string, channelKey: string) {
  const mac = (...parts: string[]): Buffer => {
    const h = createHmac('sha256', secret);
    for (const p of parts) h.update(p).update('\u0000');
    return h.digest();
  };
  const signVisitor = (visitorId: string): string => `v1.${visitorId}.${mac('visitor', channelKey, visitorId).toString('base64url')}`;

  return {
    issue(): { visitorId: string; token: string } {
      const visitorId = randomBytes(16).toString('base64url');
      return { visitorId, token: signVisitor(visitorId) };
    },
    /**
     * The visitor a verified user of the host site always is: derived from the user id, so
     * every device and browser of theirs continues one conversation.
     */
    forUser(userId: string): { visitorId: string; token: string } {
      const visitorId = mac('user', channelKey, userId).subarray(0, 16).toString('base64url');
      return { visitorId, token: signVisitor(visitorId) };
    },
    /** The visitor id a token names, or null when it is not one this hub signed. */
    verify(token: string): string | null {
      const m = /^v1\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!m) return null;
      const expected = mac('visitor', channelKey, m[1]!);
      const given = Buffer.from(m[2]!, 'base64url');
      // Only the canonical spelling: the last character's unused bits must not give a second valid token.
      if (given.toString('base64url') !== m[2]) return null;
      return given.length === expected.length && timingSafeEqual(given, expected) ? m[1]! : null;
    },
    /** A MAC over arbitrary parts (signed attachment URLs). */
    sign(...parts: string[]): string {
      return mac('url', ...parts).toString('base64url');
    },
    check(sig: string, ...parts: string[]): boolean {
      const expected = mac('url', ...parts);
      const given = Buffer.from(sig, 'base64url');
      if (given.toString('base64url') !== sig) return false;
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
export type VisitorTokens = ReturnType<typeof createVisitorTokens>;
