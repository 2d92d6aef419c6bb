import { randomBytes } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { VALUE_QUEUE } from '../jobs/queues';
import type { CareRunSummary, CareService } from './care.service';
import type { SegmentService } from './segments.service';
import type { RecomputeSummary, ValueService } from './value.service';

interface Logger {
  warn(obj: object, msg?: string): void;
}

export interface ValueJobData {
  /** Also open care tickets for the moves found (the nightly run does). */
  care: boolean;
  /** Why it runs: `nightly` (the repeatable job) or `on-demand` (POST /api/v1/value/recompute). */
  trigger: 'nightly' | 'on-demand';
}
export interface ValueJobResult {
  recompute: RecomputeSummary;
  segments: { k: number; customers: number };
  care: CareRunSummary | null;
}

export interface ValueJobsDeps {
  connection: ConnectionOptions;
  redis: Redis;
  prefix: string;
  values: ValueService;
  segments: SegmentService;
  care: CareService;
  segmentsK(): Promise<number>;
  /** Cron pattern of the nightly run (VALUE_RECOMPUTE_CRON), in `timezone`. */
  cron: string;
  timezone?: string;
  lockMs: number;
  logger: Logger;
}

/** A value run (recompute or segments) is in progress on some process. */
export class ValueBusy extends Error {
  constructor() {
    super('another value run is in progress; try again when it has finished');
    this.name = 'ValueBusy';
  }
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * The value job: recompute RFM, tiers and stages → segments → (nightly) proactive care.
 * A BullMQ queue: one repeatable job scheduler for the nightly run, and jobs added on demand.
 * Runs never overlap across processes: a run holds a Redis lock (SET NX PX, renewed while it
 * runs); a job that finds it taken fails and is retried after a back-off.
 */
export function createValueJobs(deps: ValueJobsDeps) {
  const { redis, prefix, lockMs, logger } = deps;
  const queue = new Queue<ValueJobData, ValueJobResult>(VALUE_QUEUE, { connection: deps.connection, prefix });
  const lockKey = `${prefix}:value:lock`;
  let worker: Worker<ValueJobData, ValueJobResult> | null = null;

  async function locked<T>(fn: () => Promise<T>): Promise<T> {
    const token = randomBytes(9).toString('base64url');
    if ((await redis.set(lockKey, token, 'PX', lockMs, 'NX')) !== 'OK') throw new ValueBusy();
    const renew = setInterval(() => void redis.eval(RENEW, 1, lockKey, token, String(lockMs)).catch(() => undefined), Math.max(100, Math.floor(lockMs / 3)));
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await redis.eval(RELEASE, 1, lockKey, token).catch(() => undefined);
    }
  }

  async function run(data: ValueJobData): Promise<ValueJobResult> {
    return locked(async () => {
      const recompute = await deps.values.recompute();
      const seg = await deps.segments.compute(await deps.segmentsK());
      const care = data.care ? await deps.care.run() : null;
      return { recompute, segments: { k: seg.k, customers: seg.customers }, care };
    });
  }

  const jobOpts = { attempts: 5, backoff: { type: 'exponential' as const, delay: 2000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };

  return {
    /** Registers the nightly run (idempotent: one scheduler, whatever the number of processes). */
    async schedule(): Promise<void> {
      await queue.upsertJobScheduler('value-nightly', { pattern: deps.cron, ...(deps.timezone ? { tz: deps.timezone } : {}) }, { name: 'recompute', data: { care: true, trigger: 'nightly' }, opts: jobOpts });
    },
    /** Takes value jobs on this process (worker role). */
    start(): void {
      worker ??= new Worker<ValueJobData, ValueJobResult>(VALUE_QUEUE, (job) => run(job.data), { connection: deps.connection, prefix, concurrency: 1 });
      worker.on('failed', (job, err) => logger.warn({ err: err.message, jobId: job?.id }, 'value job attempt failed'));
      worker.on('error', (err) => logger.warn({ err: err.message }, 'value worker error'));
    },
    async enqueue(data: ValueJobData): Promise<string> {
      const job = await queue.add('recompute', data, jobOpts);
      return job.id!;
    },
    async status(id: string): Promise<{ id: string; state: string; trigger: string; result: ValueJobResult | null; error: string | null; attempts: number; createdAt: string; finishedAt: string | null } | null> {
      // The state first, then the job: a job read before it completed would carry no result yet.
      const state = await queue.getJobState(id);
      const job = await queue.getJob(id);
      if (!job) return null;
      return {
        id,
        state,
        trigger: job.data.trigger,
        result: state === 'completed' ? (job.returnvalue ?? null) : null,
        error: job.failedReason || null,
        attempts: job.attemptsMade,
        createdAt: new Date(job.timestamp).toISOString(),
        finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      };
    },
    /** Runs segments alone (a supervisor chose k), under the same lock as the job. */
    async segmentsNow(k: number) {
      return locked(() => deps.segments.compute(k));
    },
    async close(): Promise<void> {
      await worker?.close();
      await queue.close();
    },
  };
}
export type ValueJobs = ReturnType<typeof createValueJobs>;
