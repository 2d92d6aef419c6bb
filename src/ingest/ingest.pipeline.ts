import type { Types } from 'mongoose';
import type { InboundMessage } from '../../channels/contract';
import type { Classifier } from '../classify/classifier';
import type { ContactService } from '../contacts/contact.service';
import { senderIdentities } from '../contacts/identity';
import { isDuplicateKey } from '../db/models';
import type { EventBus } from '../events/event-bus';
import type { MessageDoc, MessageModel } from '../tickets/message.model';
import type { Actor } from '../tickets/ticket-event.model';
import type { TicketDoc } from '../tickets/ticket.model';
import { needsNewTicket, type TicketService } from '../tickets/ticket.service';
import { htmlToText, sanitizeCustomerHtml } from './sanitize';

export interface IngestResult {
  messageId: string;
  ticketId: string;
  duplicate: boolean;
}

export interface IngestPipelineDeps {
  Message: MessageModel;
  contacts: ContactService;
  tickets: TicketService;
  classifier: Classifier;
  bus: EventBus;
  reopenWindowMs: number;
}

/** A normalized message whose attachments are already in the attachment store. */
export type StoredInboundMessage = InboundMessage & { attachments: Array<InboundMessage['attachments'][number] & { ref: string }> };

/**
 * InboundMessage → contact → ticket → stored message, exactly once per (channel, externalId).
 *
 * Every step is idempotent, so a job retried after a crash anywhere in the middle
 * finishes the work instead of doing it twice:
 *   1. insert the message first; a duplicate key means "already have it" (or resume);
 *   2. identities are claimed by unique-key inserts;
 *   3. a new ticket's `origin` is unique, so it is opened once;
 *   4. the message is linked to its ticket with an idempotent $set.
 */
export function createIngestPipeline(deps: IngestPipelineDeps) {
  const { Message, contacts, tickets, classifier, bus } = deps;

  async function insertOrResume(msg: StoredInboundMessage, messageId: string): Promise<{ doc: MessageDoc; duplicate: boolean }> {
    const rawHtml = msg.html ?? '';
    try {
      const created = await Message.create({
        _id: messageId,
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
      });
      return { doc: created.toObject<MessageDoc>(), duplicate: false };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await Message.findOne({ channel: msg.channel, externalId: msg.externalId }).lean();
      if (!existing) throw err;
      // Linked already: a replay. Not linked: an earlier attempt died midway; finish it.
      return { doc: existing, duplicate: existing.ticket !== null };
    }
  }

  async function ticketFor(msg: StoredInboundMessage, contact: Types.ObjectId, customer: Actor): Promise<{ ticket: TicketDoc; created: boolean }> {
    const thread = await tickets.findThread(msg.channel, msg.threadRefs, contact);
    if (thread && !needsNewTicket(thread, msg.receivedAt, deps.reopenWindowMs)) {
      return { ticket: await tickets.recordCustomerMessage(thread, msg.receivedAt, customer), created: false };
    }
    const c = classifier.classify({ text: msg.text, subject: msg.subject, chosenType: msg.chosenType });
    const subject = (msg.subject ?? '').trim() || msg.text.trim().split('\n')[0]!.slice(0, 120);
    return tickets.open({
      origin: `${msg.channel}:${msg.externalId}`,
      channel: msg.channel,
      contact,
      subject,
      type: c.type,
      priority: c.priority,
      language: msg.language ?? c.language,
      classification: { source: c.source, confidence: c.confidence, matched: c.matched },
      previousTicket: thread?._id ?? null,
      at: msg.receivedAt,
      actor: customer,
    });
  }

  return {
    async process(msg: StoredInboundMessage, messageId: string): Promise<IngestResult> {
      const { doc, duplicate } = await insertOrResume(msg, messageId);
      if (duplicate && doc.ticket) {
        return { messageId: doc._id.toString(), ticketId: doc.ticket.toString(), duplicate: true };
      }
      const contact = await contacts.resolve({
        identities: senderIdentities(msg.channel, msg.from, msg.identities),
        name: msg.from.name,
        language: msg.language,
      });
      const customer: Actor = { kind: 'customer', id: contact._id.toString(), name: contact.name || msg.from.address };
      const { ticket, created } = await ticketFor(msg, contact._id, customer);
      await Message.updateOne({ _id: doc._id }, { $set: { ticket: ticket._id, contact: contact._id } });

      const at = new Date().toISOString();
      if (created) {
        await bus.publish({
          type: 'ticket.created',
          ticketId: ticket._id.toString(),
          number: ticket.number,
          ticketType: ticket.type,
          priority: ticket.priority,
          status: ticket.status,
          channel: ticket.channel,
          contactId: contact._id.toString(),
          teamId: ticket.team?.toString() ?? null,
          at,
        });
      }
      await bus.publish({
        type: 'message.created',
        ticketId: ticket._id.toString(),
        messageId: doc._id.toString(),
        direction: 'inbound',
        channel: msg.channel,
        at,
      });
      return { messageId: doc._id.toString(), ticketId: ticket._id.toString(), duplicate: false };
    },
  };
}
export type IngestPipeline = ReturnType<typeof createIngestPipeline>;
