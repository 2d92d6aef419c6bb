import { randomBytes } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ScheduledTask } from '../../channels/contract';
import { QUEUES } from '../jobs/queues';

interface Logger {
  warn(obj: object, msg?: string): void;
}

export interface ChannelSchedulerDeps {
  connection: ConnectionOptions;
  redis: Redis;
  prefix: string;
  /** A run holds its task's lock this long, renewed while it runs (a dead process frees it after this). */
  lockMs: number;
  logger: Logger;
  /** A run threw: the runtime reports the instance unhealthy with the reason. */
  onFailure(key: string, err: Error): void;
}

interface ScheduleJob {
  key: string;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * Periodic tasks of channel instances (mailbox polls), one BullMQ job scheduler per task:
 * each tick is one job, taken by one hub process. A lock per task (SET NX PX, renewed while
 * the run lasts, released by compare-and-delete) keeps a slow run from being overlapped by
 * the next tick on another process, so a mailbox is polled by one process at a time.
 *
 * Every process that runs the instance registers the task; a tick taken by a process that
 * does not run it (yet) is skipped, and the next tick comes at the next interval.
 */
export function createChannelScheduler(deps: ChannelSchedulerDeps) {
  const { redis, prefix, lockMs, logger } = deps;
  const tasks = new Map<string, ScheduledTask>();
  const queue = new Queue<ScheduleJob>(QUEUES.channelSchedules, { connection: deps.connection, prefix });
  const lockKey = (key: string): string => `${prefix}:channel-schedule:lock:${key}`;

  async function run(key: string): Promise<'ran' | 'busy' | 'not-here'> {
    const task = tasks.get(key);
    if (!task) return 'not-here';
    const token = randomBytes(9).toString('base64url');
    if ((await redis.set(lockKey(key), token, 'PX', lockMs, 'NX')) !== 'OK') return 'busy';
    const renew = setInterval(() => {
      void redis.eval(RENEW, 1, lockKey(key), token, String(lockMs)).catch(() => undefined);
    }, Math.max(100, Math.floor(lockMs / 3)));
    try {
      await task();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      logger.warn({ err: e.message, task: key }, 'channel: scheduled run failed');
      deps.onFailure(key, e);
    } finally {
      clearInterval(renew);
      await redis.eval(RELEASE, 1, lockKey(key), token).catch(() => undefined);
    }
    return 'ran';
  }

  let worker: Worker<ScheduleJob, string> | null = null;

  return {
    /** Starts taking ticks on this process. */
    start(): void {
      worker ??= new Worker<ScheduleJob, string>(QUEUES.channelSchedules, (job) => run(job.data.key), {
        connection: deps.connection,
        prefix,
        concurrency: 4,
      });
      worker.on('error', (err) => logger.warn({ err: err.message }, 'channel scheduler: worker error'));
    },
    async register(key: string, everyMs: number, task: ScheduledTask): Promise<void> {
      tasks.set(key, task);
      await queue.upsertJobScheduler(
        key,
        { every: everyMs },
        { name: 'tick', data: { key }, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 10 } } },
      );
    },
    /** Stops running `key` here; `remove` also stops the ticks for every process (instance disabled or deleted). */
    async unregister(key: string, remove: boolean): Promise<void> {
      tasks.delete(key);
      if (remove) await queue.removeJobScheduler(key);
    },
    async close(): Promise<void> {
      tasks.clear();
      await worker?.close();
      await queue.close();
    },
  };
}
export type ChannelScheduler = ReturnType<typeof createChannelScheduler>;
