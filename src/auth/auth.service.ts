import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SignJWT, jwtVerify } from 'jose';
import { Types } from 'mongoose';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { ApiTokenDoc, ApiTokenModel } from './api-token.model';
import { hashPassword, verifyPassword } from './password';
import type { Principal } from './principal';
import type { Role, UserDoc, UserModel } from './user.model';

export const TOKEN_PREFIX = 'oh_';

export class LoginThrottled extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed sign-ins; try again in ${retryAfterSeconds} s`);
    this.name = 'LoginThrottled';
  }
}

export interface AuthServiceDeps {
  User: UserModel;
  ApiToken: ApiTokenModel;
  redis: Redis;
  prefix: string;
  jwtSecret: string;
  sessionTtlSeconds: number;
  throttle: { perAccount: number; perIp: number; windowSeconds: number };
}

export interface LoginResult {
  token: string;
  expiresAt: Date;
  principal: Principal;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export const userPrincipal = (u: UserDoc, sessionId: string | null): Principal => ({
  kind: 'user',
  id: u._id.toString(),
  name: u.name,
  email: u.email,
  role: u.role,
  teams: u.teams.map(String),
  sessionId,
});

const tokenPrincipal = (t: ApiTokenDoc): Principal => ({
  kind: 'token',
  id: t._id.slice(0, 16),
  name: `API token "${t.name}"`,
  email: null,
  role: t.role,
  teams: t.teams.map(String),
  sessionId: null,
});

/**
 * Sign-in, sessions and integrator tokens.
 * Sessions are JWTs naming a session id that must still exist in Redis, so logout and
 * deactivation take effect at once. The user is re-read on every request: a role or
 * team change applies immediately. Failed logins are counted per account and per IP.
 */
export function createAuthService(deps: AuthServiceDeps) {
  const { User, ApiToken, redis, prefix } = deps;
  const secret = new TextEncoder().encode(deps.jwtSecret);
  const sessionKey = (sid: string) => `${prefix}:session:${sid}`;
  const limiter = (points: number, name: string) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:login-fail:${name}`, points, duration: deps.throttle.windowSeconds });
  const perAccount = limiter(deps.throttle.perAccount, 'account');
  const perIp = limiter(deps.throttle.perIp, 'ip');
  let dummyHash: Promise<string> | null = null;

  async function blockedFor(email: string, ip: string): Promise<number> {
    const [a, i] = await Promise.all([perAccount.get(email), perIp.get(ip)]);
    const over = [
      a && a.consumedPoints >= deps.throttle.perAccount ? a.msBeforeNext : 0,
      i && i.consumedPoints >= deps.throttle.perIp ? i.msBeforeNext : 0,
    ];
    return Math.ceil(Math.max(...over) / 1000);
  }

  async function recordFailure(email: string, ip: string): Promise<void> {
    await Promise.all(
      [perAccount.consume(email), perIp.consume(ip)].map((p) =>
        p.catch((e: unknown) => {
          if (!(e instanceof RateLimiterRes)) throw e;
        }),
      ),
    );
  }

  return {
    async login(emailInput: string, password: string, ip: string): Promise<LoginResult | null> {
      const email = emailInput.trim().toLowerCase();
      const wait = await blockedFor(email, ip);
      if (wait > 0) throw new LoginThrottled(wait);
      const user = await User.findOne({ email }).lean();
      // Unknown accounts cost one argon2 verification too, so timing does not tell who exists.
      dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      const valid = await verifyPassword(user?.passwordHash ?? (await dummyHash), password);
      const ok = valid && user !== null && user.active;
      if (!ok || !user) {
        await recordFailure(email, ip);
        return null;
      }
      await perAccount.delete(email);
      const sid = randomBytes(18).toString('base64url');
      const expiresAt = new Date(Date.now() + deps.sessionTtlSeconds * 1000);
      await redis.set(sessionKey(sid), user._id.toString(), 'EX', deps.sessionTtlSeconds);
      const token = await new SignJWT({ sid, role: user.role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user._id.toString())
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(secret);
      return { token, expiresAt, principal: userPrincipal(user, sid) };
    },

    async logout(principal: Principal): Promise<void> {
      if (principal.sessionId) await redis.del(sessionKey(principal.sessionId));
    },

    /** A session JWT or an API token → who it is; null when invalid, expired or revoked. */
    async authenticate(token: string): Promise<Principal | null> {
      if (token.startsWith(TOKEN_PREFIX)) {
        const doc = await ApiToken.findById(sha256(token)).lean();
        if (!doc || doc.revokedAt) return null;
        void ApiToken.updateOne({ _id: doc._id, revokedAt: null }, { $set: { lastUsedAt: new Date() } }).catch(() => undefined);
        return tokenPrincipal(doc);
      }
      let sub: string | undefined;
      let sid: unknown;
      try {
        const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
        sub = payload.sub;
        sid = payload.sid;
      } catch {
        return null;
      }
      if (!sub || typeof sid !== 'string' || !Types.ObjectId.isValid(sub)) return null;
      if ((await redis.get(sessionKey(sid))) !== sub) return null;
      const user = await User.findById(sub).lean();
      if (!user || !user.active) return null;
      return userPrincipal(user, sid);
    },

    /** Creates an integrator token; the clear token is returned once and never stored. */
    async createApiToken(input: { name: string; role: Role; teams: string[]; createdBy: string }): Promise<{ token: string; doc: ApiTokenDoc }> {
      const token = `${TOKEN_PREFIX}${randomBytes(30).toString('base64url')}`;
      const doc = await ApiToken.create({
        _id: sha256(token),
        name: input.name,
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        role: input.role,
        teams: input.teams.map((t) => new Types.ObjectId(t)),
        createdBy: new Types.ObjectId(input.createdBy),
        createdAt: new Date(),
      });
      return { token, doc: doc.toObject<ApiTokenDoc>() };
    },

    listApiTokens(): Promise<ApiTokenDoc[]> {
      return ApiToken.find({}).sort({ createdAt: -1 }).lean();
    },

    /** Revokes by the listed id (the first 16 hex characters of the hash). */
    async revokeApiToken(id: string): Promise<boolean> {
      if (!/^[0-9a-f]{16}$/.test(id)) return false;
      const match = await ApiToken.findOne({ _id: { $regex: `^${id}` }, revokedAt: null }, { _id: 1 }).lean();
      if (!match) return false;
      await ApiToken.updateOne({ _id: match._id }, { $set: { revokedAt: new Date() } });
      return true;
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
