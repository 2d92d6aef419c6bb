import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { sendProblem } from './problem';

/** Per-IP request budget per minute, shared by every hub process through Redis. */
export function publicRateLimit(redis: Redis, prefix: string, perMinute: number): RequestHandler {
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:public`, points: perMinute, duration: 60 });
  return (req, res, next) => {
    limiter.consume(req.ip ?? 'unknown').then(
      () => next(),
      (err: unknown) => {
        if (!(err instanceof RateLimiterRes)) return next(err);
        res.set('Retry-After', String(Math.ceil(err.msBeforeNext / 1000)));
        sendProblem(res, 429, 'Too many requests', `Slow down; try again in ${Math.ceil(err.msBeforeNext / 1000)} s.`);
      },
    );
  };
}
