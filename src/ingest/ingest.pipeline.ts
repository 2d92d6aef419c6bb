import { Types } from 'mongoose';
import type { InboundMessage } from '../../channels/contract';
import type { Classifier } from '../classify/classifier';
import type { ContactService } from '../contacts/contact.service';
import { senderIdentities } from '../contacts/identity';
import { messageIdFor } from '../db/derived-id';
import { isDuplicateKey } from '../db/models';
import type { EventBus } from '../events/event-bus';
import type { MessageDoc, MessageModel } from '../tickets/message.model';
import type { Actor } from '../tickets/ticket-event.model';
import type { TicketDoc } from '../tickets/ticket.model';
import { needsNewTicket, ticketCreated, type TicketService } from '../tickets/ticket.service';
import { htmlToText, sanitizeCustomerHtml } from './sanitize';
import { insertOne } from '../db/insert-batcher';
import type { DocumentLocks } from '../db/update-lock';

export interface IngestResult {
  messageId: string;
  ticketId: string;
  duplicate: boolean;
  /** The ticket's number (absent on a replay of a stored message). */
  ticketNumber?: number;
  /** This message opened its ticket (absent on a replay). */
  newTicket?: boolean;
}

export interface IngestPipelineDeps {
  Message: MessageModel;
  contacts: ContactService;
  tickets: TicketService;
  classifier: Classifier;
  bus: EventBus;
  reopenWindowMs: number;
  /** The queue new tickets join until routing rules place them elsewhere. */
  defaultTeam: Types.ObjectId | null;
  /**
   * One customer's messages decide their ticket one at a time (across workers and processes):
   * otherwise a message and the reply to it, processed at the same moment, each find no thread
   * and open two tickets.
   */
  locks?: DocumentLocks;
  /**
   * A message that is an answer to something the hub asked rather than a ticket message (an SMS
   * that is just a CSAT score): handled there, its result returned, nothing stored here. Null: ingest it.
   */
  intercept?(msg: StoredInboundMessage): Promise<IngestResult | null>;
}

/** A normalized message whose attachments are already in the attachment store. */
export type StoredInboundMessage = InboundMessage & {
  attachments: Array<InboundMessage['attachments'][number] & { ref: string }>;
  /** When the hub durably accepted it (enqueued); recorded on the message for latency metrics. */
  acceptedAt?: Date;
};


/**
 * InboundMessage → contact → ticket → stored message, exactly once per (channel, externalId).
 *
 * Every step is idempotent, so a job retried after a crash anywhere in the middle finishes
 * the work instead of doing it twice, and two workers racing on one message store it once:
 *   - identities are claimed by unique-key inserts (one contact per address);
 *   - a new ticket's _id derives from the message that opened it (opened once);
 *   - the message insert is the arbiter: its _id derives from (channel, externalId), and a
 *     duplicate key means "already have it". It is looked up first only where a replay would
 *     otherwise touch something (a thread it continues, a ticket that already existed).
 */
export function createIngestPipeline(deps: IngestPipelineDeps) {
  const { Message, contacts, tickets, classifier, bus } = deps;

  const duplicateOf = (doc: Pick<MessageDoc, '_id' | 'ticket'>): IngestResult | null =>
    doc.ticket ? { messageId: doc._id.toString(), ticketId: doc.ticket.toString(), duplicate: true } : null;

  async function storedAs(_id: Types.ObjectId): Promise<IngestResult | null> {
    const seen = await Message.findById(_id, { ticket: 1 }).lean();
    return seen && duplicateOf(seen);
  }

  async function insert(msg: StoredInboundMessage, _id: Types.ObjectId, ticket: TicketDoc, contact: Types.ObjectId): Promise<IngestResult | null> {
    const rawHtml = msg.html ?? '';
    try {
      await insertOne(Message, {
        _id,
        ticket: ticket._id,
        contact,
        direction: 'inbound',
        channel: msg.channel,
        externalId: msg.externalId,
        from: { address: msg.from.address, name: msg.from.name ?? '' },
        to: msg.to.map((p) => ({ address: p.address, name: p.name ?? '' })),
        subject: msg.subject ?? '',
        text: msg.text.trim() !== '' || !rawHtml ? msg.text : htmlToText(rawHtml),
        html: rawHtml ? sanitizeCustomerHtml(rawHtml) : '',
        rawHtml,
        attachments: msg.attachments.map((a) => ({ name: a.name, contentType: a.contentType, size: a.size, ref: a.ref })),
        threadKeys: [msg.externalId, ...msg.threadRefs],
        chosenType: msg.chosenType ?? null,
        metadata: Object.entries(msg.metadata ?? {}).map(([key, value]) => ({ key, value })),
        deliveryStatus: 'received',
        receivedAt: msg.receivedAt,
        acceptedAt: msg.acceptedAt ?? null,
      });
      return null;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const dup = await storedAs(_id);
      if (!dup) throw err;
      return dup;
    }
  }

  async function ticketFor(
    msg: StoredInboundMessage,
    messageId: Types.ObjectId,
    contact: Types.ObjectId,
    customer: Actor,
    team: Types.ObjectId | null,
  ): Promise<{ ticket: TicketDoc; created: boolean } | { replay: IngestResult }> {
    // Its own id too: a reply processed before it (out of order) already indexed it into its thread.
    const thread = await tickets.findThread(msg.channel, [msg.externalId, ...msg.threadRefs], contact);
    if (thread && !needsNewTicket(thread, msg.receivedAt, deps.reopenWindowMs)) {
      // A replay must not touch the thread again (it would move its clocks back or reopen it).
      const replay = await storedAs(messageId);
      if (replay) return { replay };
      return { ticket: await tickets.recordCustomerMessage(thread, msg.receivedAt, customer), created: false };
    }
    const c = classifier.classify({ text: msg.text, subject: msg.subject, chosenType: msg.chosenType });
    const subject = (msg.subject ?? '').trim() || msg.text.trim().split('\n')[0]!.slice(0, 120);
    const opened = await tickets.open({
      origin: `${msg.channel}:${msg.externalId}`,
      channel: msg.channel,
      contact,
      subject,
      type: c.type,
      priority: c.priority,
      language: msg.language ?? c.language,
      classification: { source: c.source, confidence: c.confidence, matched: c.matched },
      previousTicket: thread?._id ?? null,
      team,
      at: msg.receivedAt,
      actor: customer,
    });
    if (!opened.created) {
      // The ticket existed: a replay, or a retry after a crash. A stored message means replay.
      const replay = await storedAs(messageId);
      if (replay) return { replay };
      // A retry: this message opened the ticket (its id derives from the message) on an earlier
      // attempt that died before storing the message, so before announcing the ticket (that
      // follows the message insert). Announce it now, or nothing would ever route it.
      return { ticket: opened.ticket, created: true };
    }
    return opened;
  }

  return {
    /** `team`: the team a new ticket joins (a channel instance's), instead of the default team. */
    async process(msg: StoredInboundMessage, options: { team?: string } = {}): Promise<IngestResult> {
      // No "have we seen it" lookup up front: a message that opens a ticket is arbitrated by
      // the derived ids (its ticket's and its own), so a replay costs no extra read on the
      // common path; only a message continuing a thread checks first (see ticketFor).
      const answered = deps.intercept ? await deps.intercept(msg) : null;
      if (answered) return answered;
      const _id = messageIdFor(msg.channel, msg.externalId);
      const contact = await contacts.resolve({
        identities: senderIdentities(msg.channel, msg.from, msg.identities),
        name: msg.from.name,
        language: msg.language,
      });
      const customer: Actor = { kind: 'customer', id: contact._id.toString(), name: contact.name || msg.from.address };
      const team = options.team && Types.ObjectId.isValid(options.team) ? new Types.ObjectId(options.team) : deps.defaultTeam;
      const release = await deps.locks?.acquire(`ingest-contact:${contact._id.toString()}`);
      let ticket: TicketDoc;
      let created: boolean;
      try {
        const found = await ticketFor(msg, _id, contact._id, customer, team);
        if ('replay' in found) return found.replay;
        ({ ticket, created } = found);
        // Before the insert: after it, a retry would return early and never index the keys.
        await tickets.indexThread(msg.channel, [msg.externalId, ...msg.threadRefs], ticket, msg.receivedAt);
        const dup = await insert(msg, _id, ticket, contact._id);
        if (dup) return dup;
      } finally {
        await release?.();
      }

      const at = new Date().toISOString();
      // Sent together; one connection keeps their order on the stream (ticket first).
      await Promise.all([
        ...(created ? [bus.publish(ticketCreated(ticket, at))] : []),
        bus.publish({
          type: 'message.created',
          ticketId: ticket._id.toString(),
          messageId: _id.toString(),
          direction: 'inbound',
          channel: msg.channel,
          audience: { teamId: ticket.team?.toString() ?? null, assigneeId: ticket.assignee?.toString() ?? null },
          at,
        }),
      ]);
      return { messageId: _id.toString(), ticketId: ticket._id.toString(), duplicate: false, ticketNumber: ticket.number, newTicket: created };
    },
  };
}
export type IngestPipeline = ReturnType<typeof createIngestPipeline>;
