import type { InboundMessageInput, IngestOptions, IngestResult } from '../../channels/contract';
import { ingestJobId, type IngestService } from '../ingest/ingest.service';

/**
 * `ctx.ingest` for channel adapters on top of the ingest service: `wait: false` answers once
 * the job is durably enqueued (its id derives from channel + externalId, so a provider's
 * retry enqueues nothing new and answers `duplicate: true`); otherwise it waits up to `waitMs`.
 */
export function channelIngest(ingest: IngestService, waitMs: number) {
  return async (message: InboundMessageInput, options: IngestOptions & { team?: string } = {}): Promise<IngestResult> => {
    const o = await ingest.accept(message, { waitMs: options.wait === false ? 0 : waitMs, ...(options.team ? { team: options.team } : {}) });
    if (o.state === 'stored') {
      return {
        accepted: true,
        messageId: o.messageId,
        ticketId: o.ticketId,
        duplicate: o.duplicate,
        ...(o.ticketNumber !== undefined ? { ticketNumber: o.ticketNumber } : {}),
        // A replay opened nothing.
        ...(o.newTicket !== undefined && !o.duplicate ? { newTicket: o.newTicket } : {}),
        jobId: ingestJobId(message.channel, message.externalId),
      };
    }
    return { accepted: true, messageId: o.messageId, jobId: o.jobId, ...(o.duplicate ? { duplicate: true } : {}) };
  };
}
