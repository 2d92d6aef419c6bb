import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { sendProblem } from './problem';

/**
 * Authenticated callers get a budget of their own instead of their address's: `identify` names
 * the caller (a stable name that is not the secret itself) or answers null (anonymous, or a
 * credential that does not check out), which counts against the address.
 */
export interface CallerBudget {
  identify(req: Request): string | null;
  perMinute: number;
}

function tooMany(res: Response, err: RateLimiterRes): void {
  const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
  res.set('Retry-After', String(seconds));
  sendProblem(res, 429, 'Too many requests', `Slow down; try again in ${seconds} s.`);
}

/**
 * Request budgets per minute, shared by every hub process through Redis: per client address on
 * the public endpoints, and per caller for the authenticated ones {@link CallerBudget} names.
 */
export function publicRateLimit(redis: Redis, prefix: string, perMinute: number, caller?: CallerBudget): RequestHandler {
  const perAddress = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:public`, points: perMinute, duration: 60 });
  const perCaller = caller && new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:caller`, points: caller.perMinute, duration: 60 });
  return (req, res, next) => {
    const who = perCaller ? caller.identify(req) : null;
    const consumed = who && perCaller ? perCaller.consume(who) : perAddress.consume(req.ip ?? 'unknown');
    consumed.then(
      () => next(),
      (err: unknown) => (err instanceof RateLimiterRes ? tooMany(res, err) : next(err)),
    );
  };
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Callers of the inbound API (`/api/v1/inbound…`) presenting its bearer key, named by a digest
 * of the key; the channel still checks the key itself on every request.
 */
export function inboundKeyCaller(apiKey: string): (req: Request) => string | null {
  const expected = digest(apiKey);
  const name = `inbound:${expected.toString('hex').slice(0, 32)}`;
  return (req) => {
    if (req.baseUrl !== '/api/v1/inbound') return null;
    const match = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    return match && timingSafeEqual(digest(match[1]!.trim()), expected) ? name : null;
  };
}
