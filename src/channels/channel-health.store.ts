import type { Redis } from 'ioredis';
import type { HealthReport } from '../../channels/contract';

export interface ChannelHealth {
  /** `api`, `webchat`, … or the instance id. */
  key: string;
  channel: string;
  /** The instance's name (the channel id for built-in channels). */
  name: string;
  ok: boolean;
  reason: string | null;
  at: string;
}

/**
 * The last health report of every channel (instance), in one Redis hash shared by every hub
 * process: a poller running on process B is seen by /readyz and /metrics on process A.
 */
export function createChannelHealthStore(redis: Redis, prefix: string) {
  const key = `${prefix}:channel-health`;
  return {
    async report(who: { key: string; channel: string; name: string }, r: HealthReport): Promise<void> {
      const h: ChannelHealth = { ...who, ok: r.ok, reason: r.ok ? null : (r.reason ?? 'unhealthy').slice(0, 500), at: (r.at ?? new Date()).toISOString() };
      await redis.hset(key, who.key, JSON.stringify(h));
    },
    async all(): Promise<ChannelHealth[]> {
      const raw = await redis.hgetall(key);
      return Object.values(raw)
        .map((v) => JSON.parse(v) as ChannelHealth)
        .sort((a, b) => a.key.localeCompare(b.key));
    },
    async forget(who: string): Promise<void> {
      await redis.hdel(key, who);
    },
  };
}
export type ChannelHealthStore = ReturnType<typeof createChannelHealthStore>;
