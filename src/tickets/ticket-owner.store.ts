import type { Redis } from 'ioredis';

/**
 * Who owns a ticket, arbitrated in Redis (architecture invariant 3): every change of a
 * ticket's assignee is a compare-and-set on `<prefix>:ticket:<id>:owner`, so two agents
 * taking the same ticket at once can never both win. MongoDB's `assignee` is written only
 * by the caller that won the compare-and-set.
 *
 * The value is `<ownerId or empty>|<epoch ms of the change>`. A missing key (never set,
 * expired, or a Redis that lost its data) trusts the caller's reading of MongoDB. A key
 * that disagrees with MongoDB and is older than `staleMs` is treated as stale (the winner
 * of that change died before writing MongoDB) and may be overwritten.
 */
const CAS = `
local cur = redis.call('GET', KEYS[1])
local expected, nextOwner, now, stale, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if cur then
  local sep = string.find(cur, '|', 1, true)
  local owner = cur
  local at = 0
  if sep then
    owner = string.sub(cur, 1, sep - 1)
    at = tonumber(string.sub(cur, sep + 1)) or 0
  end
  if owner ~= expected and at > now - stale then return {0, owner} end
end
redis.call('SET', KEYS[1], nextOwner .. '|' .. ARGV[3], 'EX', ttl)
return {1, nextOwner}
`;

export type CasResult = { ok: true } | { ok: false; owner: string | null };

export interface TicketOwners {
  /** Sets the owner to `next` (null = nobody) if it is `expected` now. */
  compareAndSet(ticketId: string, expected: string | null, next: string | null): Promise<CasResult>;
}

export interface TicketOwnersOptions {
  /** A disagreement with MongoDB older than this is considered stale (default 30 s). */
  staleMs?: number;
  /** Keys expire after this long without a change (default 30 days); a missing key is harmless. */
  ttlSeconds?: number;
  now?: () => number;
}

export function createTicketOwners(redis: Redis, prefix: string, opts: TicketOwnersOptions = {}): TicketOwners {
  const staleMs = opts.staleMs ?? 30_000;
  const ttl = opts.ttlSeconds ?? 30 * 86_400;
  const now = opts.now ?? Date.now;
  return {
    async compareAndSet(ticketId, expected, next) {
      const key = `${prefix}:ticket:${ticketId}:owner`;
      const r = (await redis.eval(CAS, 1, key, expected ?? '', next ?? '', String(now()), String(staleMs), String(ttl))) as [number, string];
      return r[0] === 1 ? { ok: true } : { ok: false, owner: r[1] || null };
    },
  };
}
