import type { Redis } from 'ioredis';

/**
 * Sliding-window occurrence counts for channels (per-sender hourly limits), in Redis sorted sets
 * shared by every hub process: one Lua script adds the occurrence (idempotently, by id), trims what
 * is older than twice the window before now, and counts the occurrences in the window up to `at`.
 */
const COUNT = `
redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return redis.call('ZCOUNT', KEYS[1], ARGV[3], ARGV[2])
`;

export function createChannelCounters(redis: Redis, prefix: string) {
  return {
    async countInWindow(key: string, id: string, at: Date, windowMs: number): Promise<number> {
      const t = at.getTime();
      const keep = Math.max(2 * windowMs, Date.now() - t + windowMs);
      const n = await redis.eval(COUNT, 1, `${prefix}:channel-count:${key}`, id, String(t), String(t - windowMs), String(Date.now() - keep), String(keep));
      return Number(n);
    },
  };
}
export type ChannelCounters = ReturnType<typeof createChannelCounters>;
