import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a satisfaction link says: the ticket, what it does (`score` n, or open the comment form), and the survey's nonce. */
export interface CsatLink {
  ticketId: string;
  /** 1 … 5 for a score link; 0 for the comment form that follows an answer. */
  score: number;
  nonce: string;
}

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/**
 * Signed satisfaction links (`/csat/<token>`): `v1.<payload>.<HMAC-SHA256>` over the payload, so a
 * link cannot be forged or changed (another score, another ticket); the nonce ties it to the one
 * survey it was sent for. Single use is the survey's business (its answer is claimed once).
 */
export function createCsatLinks(secret: string | Buffer) {
  const key = createHmac('sha256', secret).update('omnihub csat links v1').digest();
  const mac = (payload: string): string => createHmac('sha256', key).update(payload).digest('base64url');
  return {
    sign(link: CsatLink): string {
      const payload = b64(JSON.stringify({ t: link.ticketId, s: link.score, n: link.nonce }));
      return `v1.${payload}.${mac(payload)}`;
    },
    /** The link's contents, or null when it is malformed or its signature does not match. */
    verify(token: string): CsatLink | null {
      const m = /^v1\.([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!m) return null;
      const expected = Buffer.from(mac(m[1]!));
      const given = Buffer.from(m[2]!);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      try {
        const p = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { t?: unknown; s?: unknown; n?: unknown };
        if (typeof p.t !== 'string' || typeof p.n !== 'string' || typeof p.s !== 'number' || !Number.isInteger(p.s) || p.s < 0 || p.s > 5) return null;
        return { ticketId: p.t, score: p.s, nonce: p.n };
      } catch {
        return null;
      }
    },
  };
}
export type CsatLinks = ReturnType<typeof createCsatLinks>;
