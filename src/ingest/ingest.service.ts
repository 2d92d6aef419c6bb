import { createHash } from 'node:crypto';
import { Job, type Queue, type QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { InboundMessageSchema, type IngestOutcome, type InboundMessageInput } from '../../channels/contract';
import type { AttachmentStore } from '../storage/attachment.storage';
import { messageIdFor } from '../db/derived-id';
import type { IngestResult, StoredInboundMessage } from './ingest.pipeline';

export interface IngestJobData {
  message: StoredInboundMessage;
  /** The id the stored message gets (derived from channel + externalId). */
  messageId: string;
  acceptedAt: string;
  /** The team a new ticket joins (the channel instance's), instead of the default team. */
  team?: string;
}

export interface AcceptOptions {
  /** 0: answer once durably enqueued; otherwise wait up to this long for the stored result. */
  waitMs: number;
  /** The team new tickets of this message join (a channel instance's team). */
  team?: string;
}

export interface IngestService {
  /**
   * Stores attachment bytes, enqueues durably, then waits up to `waitMs` for the result.
   * `duplicate` on an `accepted` outcome: an earlier acceptance of the same message exists.
   */
  accept(input: InboundMessageInput, options: AcceptOptions): Promise<IngestOutcome & { duplicate?: boolean }>;
  status(jobId: string): Promise<IngestOutcome | { state: 'unknown' } | { state: 'failed'; reason: string }>;
  /** Whether (channel, externalId) was accepted before (its job is waiting, running or stored). */
  seen(channel: string, externalId: string): Promise<boolean>;
}

/** The job id is derived from (channel, externalId): a replay enqueues nothing new. */
export function ingestJobId(channel: string, externalId: string): string {
  return `in-${createHash('sha256').update(`${channel}\u0000${externalId}`).digest('hex').slice(0, 40)}`;
}

export interface IngestServiceDeps {
  queue: Queue<IngestJobData, IngestResult>;
  events: QueueEvents;
  redis: Redis;
  prefix: string;
  store: AttachmentStore;
  jobAttempts: number;
}

export function createIngestService(deps: IngestServiceDeps): IngestService {
  const { queue, events, redis, prefix, store } = deps;

  async function status(jobId: string): Promise<IngestOutcome | { state: 'unknown' } | { state: 'failed'; reason: string }> {
    const job = await Job.fromId<IngestJobData, IngestResult>(queue, jobId);
    if (!job) return { state: 'unknown' };
    const state = await job.getState();
    if (state === 'completed' && job.returnvalue) return { state: 'stored', ...job.returnvalue };
    if (state === 'failed') return { state: 'failed', reason: job.failedReason };
    return { state: 'accepted', jobId, messageId: job.data.messageId };
  }

  return {
    async accept(input, { waitMs, team }) {
      const parsed = InboundMessageSchema.parse(input);
      const attachments = [];
      for (const a of parsed.attachments) {
        const ref = a.ref ?? (await store.put(Buffer.from(a.contentBase64 ?? '', 'base64')));
        attachments.push({ name: a.name, contentType: a.contentType, size: a.size, ref });
      }
      const message: StoredInboundMessage = { ...parsed, attachments };
      const jobId = ingestJobId(message.channel, message.externalId);
      // Who accepted it first: later acceptances of the same message answer duplicate: true.
      const first = (await redis.set(`${prefix}:inbound:claim:${jobId}`, '1', 'EX', 7 * 86400, 'NX')) === 'OK';
      const data: IngestJobData = {
        message,
        messageId: messageIdFor(message.channel, message.externalId).toString(),
        acceptedAt: new Date().toISOString(),
        ...(team ? { team } : {}),
      };
      const job = await queue.add('inbound', data, {
        jobId,
        attempts: deps.jobAttempts,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: { age: 7 * 86400, count: 100_000 },
        removeOnFail: { age: 30 * 86400 },
      });
      if (waitMs > 0) {
        // The job's own result (the first acceptance's, for a replay of a finished one): no read-back needed.
        const result = (await job.waitUntilFinished(events, waitMs).catch(() => null)) as IngestResult | null;
        if (result && typeof result.messageId === 'string') return { state: 'stored', ...result, duplicate: result.duplicate || !first };
      }
      // Not finished in time (or it failed): read the outcome back from Redis.
      const s = await status(jobId);
      if (s.state === 'failed') throw new Error(`ingest failed: ${s.reason}`);
      if (s.state === 'stored') return { ...s, duplicate: s.duplicate || !first };
      return { state: 'accepted', jobId, messageId: s.state === 'accepted' ? s.messageId : data.messageId, duplicate: !first };
    },
    status,
    async seen(channel, externalId) {
      const s = await status(ingestJobId(channel, externalId));
      return s.state === 'stored' || s.state === 'accepted';
    },
  };
}
