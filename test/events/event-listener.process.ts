/**
 * A listener process for test/events/event-bus.test.ts: one consumer of a consumer group on
 * the event stream, whose handler is idempotent (a claim by event id, then the side effect, in
 * one Lua script). Every delivery is also logged, to show events really arrive more than once.
 * Environment: REDIS_URL, PREFIX, GROUP, CONSUMER, CLAIM_IDLE_MS, HANDLER_DELAY_MS.
 */
import { Redis } from 'ioredis';
import { createRedisEventBus } from '../../src/events/event-bus';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const EFFECT = `if redis.call('SET', KEYS[1], '1', 'NX') then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0`;

const prefix = env('PREFIX');
const group = env('GROUP');
const delayMs = Number(process.env.HANDLER_DELAY_MS ?? '5');
const redis = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null });
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const bus = createRedisEventBus(redis, {
  prefix,
  logger: log,
  consumer: env('CONSUMER'),
  maxLen: 100_000,
  maxAgeMs: 0,
  claimIdleMs: Number(env('CLAIM_IDLE_MS')),
  retryDelayMs: 200,
  maxDeliveries: 10,
});

bus.subscribe(group, async (event) => {
  await redis.rpush(`${prefix}:test:deliveries`, event.id);
  await new Promise((r) => setTimeout(r, delayMs));
  await redis.eval(EFFECT, 2, `${prefix}:test:claim:${event.id}`, `${prefix}:test:effects`, event.id);
});

const stop = () => {
  void bus
    .close()
    .then(() => redis.quit())
    .then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.stdout.write('listening\n');
