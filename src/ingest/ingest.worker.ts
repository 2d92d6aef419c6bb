import { Worker, type ConnectionOptions } from 'bullmq';
import { QUEUES } from '../jobs/queues';
import type { IngestPipeline, IngestResult } from './ingest.pipeline';
import type { IngestJobData } from './ingest.service';

export interface IngestWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  lockMs: number;
  onStored?: (channel: string, acceptedAt: Date) => void;
  onError?: (err: Error, jobId: string | undefined) => void;
}

/** Runs the ingest pipeline for queued inbound messages. */
export function createIngestWorker(pipeline: IngestPipeline, opts: IngestWorkerOptions): Worker<IngestJobData, IngestResult> {
  const worker = new Worker<IngestJobData, IngestResult>(
    QUEUES.ingest,
    async (job) => {
      const message = job.data.message;
      const result = await pipeline.process({ ...message, receivedAt: new Date(message.receivedAt), acceptedAt: new Date(job.data.acceptedAt) }, { team: job.data.team });
      if (!result.duplicate) opts.onStored?.(message.channel, new Date(job.data.acceptedAt));
      return result;
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: Math.max(500, Math.floor(opts.lockMs / 2)),
      // A worker killed mid-job leaves it stalled; it is picked up again, never dropped.
      maxStalledCount: 100,
    },
  );
  worker.on('failed', (job, err) => opts.onError?.(err, job?.id));
  worker.on('error', (err) => opts.onError?.(err, undefined));
  return worker;
}
