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
  /** When it last completed a read of its provider (a mailbox poll), or null. */
  lastSyncAt: string | null;
}

/**
 * The last health report of every channel (instance), in one Redis hash shared by every hub
 * process: a poller running on process B is seen by /readyz and /metrics on process A. The time
 * of each one's last completed sync is kept in a second hash (an unhealthy report keeps it).
 */
export function createChannelHealthStore(redis: Redis, prefix: string) {
  const key = `${prefix}:channel-health`;
  const syncedKey = `${prefix}:channel-synced`;
  return {
    async report(who: { key: string; channel: string; name: string }, r: HealthReport): Promise<void> {
      const at = (r.at ?? new Date()).toISOString();
      const h: Omit<ChannelHealth, 'lastSyncAt'> = { ...who, ok: r.ok, reason: r.ok ? null : (r.reason ?? 'unhealthy').slice(0, 500), at };
      const m = redis.multi().hset(key, who.key, JSON.stringify(h));
      if (r.ok && r.synced) m.hset(syncedKey, who.key, at);
      await m.exec();
    },
    async all(): Promise<ChannelHealth[]> {
      const [raw, synced] = await Promise.all([redis.hgetall(key), redis.hgetall(syncedKey)]);
      return Object.values(raw)
        .map((v) => {
          const h = JSON.parse(v) as Omit<ChannelHealth, 'lastSyncAt'>;
          return { ...h, lastSyncAt: synced[h.key] ?? null };
        })
        .sort((a, b) => a.key.localeCompare(b.key));
    },
    async forget(who: string): Promise<void> {
      await redis.multi().hdel(key, who).hdel(syncedKey, who).exec();
    },
  };
}
export type ChannelHealthStore = ReturnType<typeof createChannelHealthStore>;
