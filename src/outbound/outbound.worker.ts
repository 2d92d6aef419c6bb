import { UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { QUEUES } from '../jobs/queues';
import type { OutboundJobData, OutboundService } from './outbound.service';

export interface OutboundWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  lockMs: number;
  onError?: (err: Error, jobId: string | undefined) => void;
}

/**
 * Sends queued replies. A retryable channel error throws, so BullMQ retries with the
 * job's exponential backoff; anything else fails the job at once (UnrecoverableError).
 * The outcome is recorded by the service before the job settles; the `failed` listener
 * is the backstop for jobs that die some other way (stalled too often, …).
 */
export function createOutboundWorker(outbound: OutboundService, opts: OutboundWorkerOptions): Worker<OutboundJobData> {
  const worker = new Worker<OutboundJobData>(
    QUEUES.outbound,
    async (job) => {
      const max = job.opts.attempts ?? 1;
      const outcome = await outbound.attempt(job.data.messageId, job.attemptsMade + 1, max);
      if (outcome.kind === 'retry') throw new Error(outcome.reason);
      if (outcome.kind === 'failed') throw new UnrecoverableError(outcome.reason);
      return outcome.status;
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: Math.max(500, Math.floor(opts.lockMs / 2)),
      maxStalledCount: 5,
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    void job
      .getState()
      .then((state) => (state === 'failed' ? outbound.markFailed(job.data.messageId, err.message) : false))
      .catch((e: unknown) => opts.onError?.(e instanceof Error ? e : new Error(String(e)), job.id));
    opts.onError?.(err, job.id);
  });
  worker.on('error', (err) => opts.onError?.(err, undefined));
  return worker;
}
