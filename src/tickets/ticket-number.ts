import type { Redis } from 'ioredis';
import type { TicketModel } from './ticket.model';

export interface TicketNumbers {
  next(): Promise<number>;
}

/** Raises the counter to at least ARGV[1]; never lowers it. */
const RAISE = `local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

/**
 * Ticket numbers come from a Redis INCR (atomic across processes). On start the counter
 * is raised to the highest stored number, so a Redis that lost its data never hands out
 * a number twice (the unique index on `number` would refuse it anyway).
 */
export async function createTicketNumbers(redis: Redis, prefix: string, Ticket: TicketModel): Promise<TicketNumbers> {
  const key = `${prefix}:seq:ticket`;
  const last = await Ticket.findOne({}, { number: 1 }).sort({ number: -1 }).lean();
  await redis.eval(RAISE, 1, key, String(Math.max(last?.number ?? 0, 1000)));
  return { next: () => redis.incr(key) };
}
