import type { Request } from 'express';
import type { AuthService } from '../auth/auth.service';
import type { Authenticator } from './route';

export const SESSION_COOKIE = 'hub_session';

/** Bearer token (session JWT or API token) first, then the httpOnly session cookie. */
export function createAuthenticator(auth: AuthService): Authenticator {
  return {
    async principal(req: Request) {
      const header = req.get('authorization');
      const bearer = header && /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
      const cookies = (req as Request & { cookies?: Record<string, string | undefined> }).cookies;
      const token = bearer || cookies?.[SESSION_COOKIE];
      return token ? auth.authenticate(token) : null;
    },
  };
}
