import type { Redis } from 'ioredis';

export const PRESENCE_STATUSES = ['online', 'away', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

const isStatus = (s: string | null): s is PresenceStatus => s !== null && (PRESENCE_STATUSES as readonly string[]).includes(s);

const REPLACE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0`;

/**
 * The latest presence each agent chose, at `<prefix>:presence:<agentId>` (routing keeps its
 * own view; this one is what the console shows and what "agents online" counts).
 */
export function createPresenceStore(redis: Redis, prefix: string) {
  const key = (agentId: string) => `${prefix}:presence:${agentId}`;
  return {
    async get(agentId: string): Promise<PresenceStatus | null> {
      const v = await redis.get(key(agentId));
      return isStatus(v) ? v : null;
    },
    /** Sets the status atomically; returns the previous one. */
    async set(agentId: string, status: PresenceStatus): Promise<PresenceStatus | null> {
      const prev = await redis.set(key(agentId), status, 'GET');
      return isStatus(prev) ? prev : null;
    },
    /** Sets the status only when none is recorded yet; true when it did. */
    async init(agentId: string, status: PresenceStatus): Promise<boolean> {
      return (await redis.set(key(agentId), status, 'NX')) === 'OK';
    },
    /** Compare-and-set: `to` only while the status is still `from`; true when it changed. */
    async replace(agentId: string, from: PresenceStatus, to: PresenceStatus): Promise<boolean> {
      return Number(await redis.eval(REPLACE, 1, key(agentId), from, to)) === 1;
    },
    async many(agentIds: string[]): Promise<Array<PresenceStatus | null>> {
      if (agentIds.length === 0) return [];
      const values = await redis.mget(...agentIds.map(key));
      return values.map((v) => (isStatus(v) ? v : null));
    },
  };
}
export type PresenceStore = ReturnType<typeof createPresenceStore>;

/** When the customer and the agents last read a ticket's conversation, at `<prefix>:read:<ticketId>`. */
export function createReadStateStore(redis: Redis, prefix: string, ttlSeconds = 90 * 86_400) {
  const key = (ticketId: string) => `${prefix}:read:${ticketId}`;
  return {
    async mark(ticketId: string, who: 'agent' | 'customer', at: Date): Promise<void> {
      await redis.multi().hset(key(ticketId), who, at.toISOString()).expire(key(ticketId), ttlSeconds).exec();
    },
    async get(ticketId: string): Promise<{ agent: Date | null; customer: Date | null }> {
      const [agent, customer] = await redis.hmget(key(ticketId), 'agent', 'customer');
      return { agent: agent ? new Date(agent) : null, customer: customer ? new Date(customer) : null };
    },
  };
}
export type ReadStateStore = ReturnType<typeof createReadStateStore>;
