import { Types } from 'mongoose';
import type { Queue } from 'bullmq';
import {
  ChannelError,
  OutboundMessageSchema,
  type OutboundMessage,
  type ChannelAdapter,
  type ChannelId,
  type DeliveryFailure,
  type DeliveryReport,
  type IdentityKind,
  type SendResult,
} from '../../channels/contract';
import type { Principal } from '../auth/principal';
import type { ContactModel } from '../contacts/contact.model';
import { derivedId } from '../db/derived-id';
import { isDuplicateKey } from '../db/models';
import type { EventBus } from '../events/event-bus';
import { sanitizeCustomerHtml } from '../ingest/sanitize';
import { conflict, DeskError, notFound } from '../tickets/desk.errors';
import { channelErrorCode, reportErrorCode, type DeliveryErrorCode } from '../tickets/delivery-error.codes';
import type { DeliveryStatus, MessageDoc, MessageModel } from '../tickets/message.model';
import { actorOf, agentMessageBase, type TicketDesk } from '../tickets/ticket-desk.service';
import { assignableId, toObjectId } from '../tickets/ticket-scope';
import type { MessageView } from '../tickets/ticket-views';
import type { TicketDoc, TicketModel } from '../tickets/ticket.model';
import { SYSTEM, type TicketService, ticketUpdated } from '../tickets/ticket.service';
import type { ReplyAttachments } from './reply-attachments';

export interface OutboundJobData {
  messageId: string;
}

export interface OutboundServiceDeps {
  Ticket: TicketModel;
  Message: MessageModel;
  Contact: ContactModel;
  desk: TicketDesk;
  tickets: TicketService;
  bus: EventBus;
  queue: Queue<OutboundJobData>;
  /** The channel adapters that can send, by channel. */
  adapters: ReadonlyMap<ChannelId, ChannelAdapter>;
  /** Channel instances (mailboxes): the running instance's adapter, which sends replies on the tickets it brought in. */
  instanceSender?(instanceId: string): ChannelAdapter | undefined;
  /** Whether some running instance of the channel can send (for tickets whose channel has no built-in sender). */
  instancesCanSend?(channel: ChannelId): boolean;
  /** The channel a running instance answers tickets of `channel` on (a phone number answers call tickets by SMS), or null. */
  instancesAnswering?(channel: ChannelId): ChannelId | null;
  /** Send attempts per reply (the first one included). */
  attempts: number;
  /** Exponential backoff: retry n waits retryBaseMs · 2^(n-1). */
  retryBaseMs: number;
  /**
   * A live-channel reply whose customer is not connected is emailed too, when the customer
   * gave an address and the email channel can send (WEBCHAT_EMAIL_OFFLINE_REPLIES).
   */
  emailAbsentCustomers?: boolean;
  /** Files agents attach to replies (uploaded first); without it replies take no attachments. */
  replyAttachments?: ReplyAttachments;
  /** The opt-out in force for a customer's address on a channel (SMS STOP), or null. */
  optedOut?(channel: ChannelId, address: string): Promise<{ keyword: string; at: Date } | null>;
}

export interface ReplyInput {
  text: string;
  html?: string;
  /** Files uploaded with POST /api/v1/attachments (or on a ticket the agent may see), by ref. */
  attachments?: Array<{ ref: string; name: string; contentType: string }>;
}

/** Why replies on a ticket cannot be sent now (the console says so instead of offering to send). */
export type ReplyBlockedReason = 'channel_cannot_send' | 'ticket_closed';

/** Whether a ticket takes replies, and if not why (`detail` in English, for logs and problem+json). */
export interface ReplyAbility {
  canReply: boolean;
  /** The channel a reply goes out on (a call ticket's reply is an SMS); null when none can be sent. */
  channel: ChannelId | null;
  reason: ReplyBlockedReason | null;
  detail: string | null;
}

/** What one send attempt came to, for the worker. */
export type AttemptOutcome =
  | { kind: 'done'; status: DeliveryStatus }
  | { kind: 'retry'; reason: string }
  | { kind: 'failed'; reason: string };

const DEFAULT_KIND: Record<ChannelId, IdentityKind> = { api: 'external', webchat: 'webchat', email: 'email', sms: 'phone', voice: 'phone', fax: 'fax' };

/** An outbound message's _id: derived from (ticket, Idempotency-Key) when there is one, so a double click stores one message. */
export const outboundMessageId = (ticketId: string, idempotencyKey: string | undefined): Types.ObjectId =>
  idempotencyKey ? derivedId('outbound', ticketId, idempotencyKey) : new Types.ObjectId();

/** Where a delivery status stands: a report only ever moves a reply forward. */
const DELIVERY_RANK: Record<DeliveryStatus, number> = { received: 0, queued: 0, sent: 1, sending: 2, delivered: 3, failed: 3, bounced: 3 };

/** Why nothing is sent to an address that opted out (for the agent, on the reply or the refusal). */
export const optedOutReason = (channel: ChannelId, address: string, o: { keyword: string; at: Date }): string =>
  `${address} opted out of ${channel === 'sms' ? 'SMS' : channel} (they sent ${o.keyword || 'STOP'} on ${o.at.toISOString().slice(0, 16).replace('T', ' ')} UTC); nothing is sent until they text START`;

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 500);

/**
 * Replies: stored as an outbound message in `queued`, then sent by a job (architecture
 * invariant 5) through the ticket's channel adapter, with retries and exponential backoff.
 * Every outcome is recorded on the message, on the ticket's timeline and as an event.
 */
export function createOutboundService(deps: OutboundServiceDeps) {
  const { Ticket, Message, Contact, desk, tickets, bus, queue } = deps;

  async function enqueue(messageId: string): Promise<void> {
    // The job id is the message id: enqueueing the same message twice is a no-op.
    await queue.add(
      'send',
      { messageId },
      {
        jobId: messageId,
        attempts: deps.attempts,
        backoff: { type: 'exponential', delay: deps.retryBaseMs },
        removeOnComplete: { age: 7 * 86_400, count: 100_000 },
        removeOnFail: { age: 30 * 86_400 },
      },
    );
  }

  /**
   * A send again after the provider could not get through (a busy line): its own job, `delay`
   * from now (the message's earlier jobs are done), named by the provider id of the send it
   * repeats, so it is enqueued once per failed send.
   */
  async function enqueueResend(messageId: string, after: string, delayMs: number): Promise<void> {
    await queue.add(
      'send',
      { messageId },
      {
        jobId: `${messageId}-after-${after.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120)}`,
        delay: delayMs,
        attempts: deps.attempts,
        backoff: { type: 'exponential', delay: deps.retryBaseMs },
        removeOnComplete: { age: 7 * 86_400, count: 100_000 },
        removeOnFail: { age: 30 * 86_400 },
      },
    );
  }

  /** Where the reply goes: the address the customer last wrote from on this ticket. */
  async function recipient(t: TicketDoc): Promise<{ address: string; name: string; kind?: IdentityKind }> {
    const last = await Message.find({ ticket: t._id, direction: 'inbound' }, { from: 1, externalId: 1 }).sort({ receivedAt: -1 }).limit(1).lean();
    if (last[0]) return { address: last[0].from.address, name: last[0].from.name };
    const contact = await Contact.findById(t.contact, { name: 1, identities: 1 }).lean();
    const identity = contact?.identities.find((i) => i.kind === DEFAULT_KIND[t.channel]);
    if (identity) return { address: identity.value, name: contact?.name ?? '', kind: identity.kind };
    throw conflict(`The customer has no ${t.channel} address to reply to.`);
  }

  /** The customer's last message: the reply answers it, through the channel instance it came in by. */
  async function lastInbound(t: TicketDoc): Promise<{ ref: string | null; instance: string | null }> {
    const last = await Message.find({ ticket: t._id, direction: 'inbound' }, { externalId: 1, metadata: 1 }).sort({ receivedAt: -1 }).limit(1).lean();
    return { ref: last[0]?.externalId ?? null, instance: last[0]?.metadata.find((x) => x.key === 'channelInstance')?.value ?? null };
  }

  async function publishDelivery(
    m: Pick<MessageDoc, '_id' | 'ticket' | 'channel'>,
    status: DeliveryStatus,
    error: string | null,
    errorCode: DeliveryErrorCode | null = null,
    when = new Date(),
  ): Promise<void> {
    const at = when.toISOString();
    await bus.publish({
      type: 'message.updated',
      ticketId: m.ticket?.toString() ?? '',
      messageId: m._id.toString(),
      direction: 'outbound',
      channel: m.channel,
      deliveryStatus: status,
      deliveryError: error,
      deliveryErrorCode: errorCode,
      at,
    });
  }

  async function publishTicket(ticketId: Types.ObjectId, changes: string[]): Promise<void> {
    const t = await Ticket.findById(ticketId).lean();
    if (!t) return;
    await bus.publish(ticketUpdated(t, changes));
  }

  /** Final failure: visible on the message, the timeline and the bus. Only the first call records it. */
  async function markFailed(messageId: string, reason: string, reasonCode: DeliveryErrorCode = 'unknown'): Promise<boolean> {
    const res = await Message.updateOne({ _id: messageId, deliveryStatus: 'queued' }, { $set: { deliveryStatus: 'failed', deliveryError: reason, deliveryErrorCode: reasonCode } });
    if (res.modifiedCount !== 1) return false;
    const m = await Message.findById(messageId, { ticket: 1, channel: 1 }).lean();
    if (!m?.ticket) return true;
    await tickets.addEvent(m.ticket, SYSTEM, 'delivery', 'queued', 'failed', { code: 'delivery.failed', params: { channel: m.channel, messageId, reason, reasonCode }, text: `reply ${messageId} could not be sent: ${reason}` });
    await publishDelivery(m, 'failed', reason, reasonCode);
    await publishTicket(m.ticket, ['delivery']);
    return true;
  }

  /**
   * The adapter accepted the reply: recorded once (queued → sent/delivered), at the time it was
   * sent. Only now does the reply count as the ticket's first response (and stop the response
   * clocks, through the `message.updated` event the SLA listener hears), so a reply that fails
   * never does.
   */
  async function markSent(m: MessageDoc, result: SendResult): Promise<void> {
    const sentAt = new Date();
    const set = { deliveryStatus: result.status, deliveryError: null, deliveryErrorCode: null };
    // First, so that whoever reads the reply as sent reads the first response too (set once).
    // A message the hub sent by itself (notify: a satisfaction question) is no agent's response.
    const hubNotice = m.author === null && m.metadata.some((x) => x.key === 'purpose');
    const first = m.ticket && !hubNotice ? await Ticket.updateOne({ _id: m.ticket, firstResponseAt: null }, { $set: { firstResponseAt: sentAt } }) : null;
    const firstResponse = first?.modifiedCount === 1;
    let res;
    try {
      res = await Message.updateOne({ _id: m._id, deliveryStatus: 'queued' }, { $set: { ...set, externalId: result.externalId } });
    } catch (err) {
      // The provider's id is already taken by another message of this channel: keep ours, note theirs.
      if (!isDuplicateKey(err)) throw err;
      res = await Message.updateOne(
        { _id: m._id, deliveryStatus: 'queued' },
        { $set: set, $push: { metadata: { key: 'providerMessageId', value: result.externalId } } },
      );
    }
    if (res.modifiedCount !== 1 || !m.ticket) return;
    // A customer answering the provider's id (email In-Reply-To, …) finds this ticket.
    const t = await Ticket.findById(m.ticket).lean();
    if (t) await tickets.indexThread(m.channel, [result.externalId], t, sentAt);
    await tickets.addEvent(
      m.ticket,
      SYSTEM,
      'delivery',
      'queued',
      result.status,
      {
        code: `delivery.${result.status}`,
        params: { channel: m.channel, messageId: m._id.toString(), providerId: result.externalId, firstResponse: firstResponse ? 'yes' : 'no', ...(hubNotice ? { notice: 'yes' } : {}) },
        text: `reply ${m._id.toString()} ${result.status} (provider id ${result.externalId})${firstResponse ? ' (first response)' : ''}`,
      },
      sentAt,
    );
    await publishDelivery(m, result.status, null, null, sentAt);
    await publishTicket(m.ticket, firstResponse ? ['delivery', 'firstResponseAt'] : ['delivery']);
  }

  /** A delivery report that moved a reply (`from` its status then): on the timeline and the bus. */
  async function recordReport(m: MessageDoc, status: DeliveryReport['status'], providerId: string, reason: string | null, reasonCode: DeliveryErrorCode | null): Promise<void> {
    if (!m.ticket) return;
    const messageId = m._id.toString();
    await tickets.addEvent(
      m.ticket,
      SYSTEM,
      'delivery',
      m.deliveryStatus,
      status,
      status === 'failed'
        ? { code: 'delivery.not_delivered', params: { channel: m.channel, messageId, reason: reason ?? '', reasonCode: reasonCode ?? 'not_delivered' }, text: `reply ${messageId} was not delivered: ${reason ?? ''}` }
        : { code: `delivery.${status}`, params: { channel: m.channel, messageId, providerId, firstResponse: 'no' }, text: `reply ${messageId} ${status} (provider id ${providerId})` },
    );
    await publishDelivery(m, status, reason, reasonCode);
    await publishTicket(m.ticket, ['delivery']);
  }

  /** Provider ids of a reply's earlier sends (each re-send after a busy line notes the one before). */
  const RESENT_FROM = 'resentFrom';
  /** A user's retry of a failed reply: the re-sends before it no longer count against the attempts. */
  const REDIALS_RESET = 'resendsReset';

  /**
   * The provider could not get through this time (a busy line, no answer): while sends are left,
   * the reply goes back to `queued` with the reason and a re-send is enqueued after the backoff;
   * the last one fails it. Only the report about its current send counts (a conditional update
   * on the provider id and a sent status), so a duplicate or a stale report changes nothing.
   */
  async function resendOrFail(m: MessageDoc, report: DeliveryReport, retry: { attempts: number; backoffMs: number }): Promise<boolean> {
    const reason = (report.reason ?? 'not delivered').slice(0, 400);
    const reasonCode = reportErrorCode(report.code ?? 'not_delivered');
    const since = m.metadata.map((x) => x.key).lastIndexOf(REDIALS_RESET) + 1;
    const sends = 1 + m.metadata.slice(since).filter((x) => x.key === RESENT_FROM).length;
    const current = { _id: m._id, externalId: report.externalId, deliveryStatus: { $in: ['sent', 'sending'] as DeliveryStatus[] } };
    const messageId = m._id.toString();
    if (sends >= retry.attempts) {
      const final = `${reason} (gave up after ${sends} attempts)`;
      const res = await Message.updateOne(current, { $set: { deliveryStatus: 'failed', deliveryError: final, deliveryErrorCode: reasonCode } });
      if (res.modifiedCount !== 1) return false;
      await recordReport(m, 'failed', report.externalId, final, reasonCode);
      return true;
    }
    const delayMs = retry.backoffMs * 2 ** (sends - 1);
    const note = `attempt ${sends} of ${retry.attempts} failed (${reason}); trying again in ${Math.max(1, Math.round(delayMs / 1000))} s`;
    const res = await Message.updateOne(current, {
      $set: { deliveryStatus: 'queued', deliveryError: note, deliveryErrorCode: reasonCode },
      $push: { metadata: { key: RESENT_FROM, value: report.externalId } },
    });
    if (res.modifiedCount !== 1) return false;
    if (m.ticket) {
      await tickets.addEvent(m.ticket, SYSTEM, 'delivery', m.deliveryStatus, 'queued', {
        code: 'delivery.retry_scheduled',
        params: { channel: m.channel, messageId, reason, reasonCode, attempt: String(sends), attempts: String(retry.attempts), seconds: String(Math.max(1, Math.round(delayMs / 1000))) },
        text: `reply ${messageId}: attempt ${sends} of ${retry.attempts} was not delivered (${reason}); sent again in ${Math.round(delayMs / 1000)} s`,
      });
    }
    await enqueueResend(messageId, report.externalId, delayMs);
    await publishDelivery(m, 'queued', note, reasonCode);
    if (m.ticket) await publishTicket(m.ticket, ['delivery']);
    return true;
  }

  /** The address a chat customer asked replies to go to (pre-chat form), else the contact's email. */
  async function emailAddressFor(t: TicketDoc): Promise<{ address: string; name: string } | null> {
    const given = await Message.find({ ticket: t._id, direction: 'inbound', 'metadata.key': 'replyEmail' }, { metadata: 1, from: 1 })
      .sort({ receivedAt: -1 })
      .limit(1)
      .lean();
    const fromForm = given[0]?.metadata.find((m) => m.key === 'replyEmail')?.value;
    if (fromForm) return { address: fromForm, name: given[0]?.from.name ?? '' };
    const contact = await Contact.findById(t.contact, { name: 1, identities: 1 }).lean();
    const email = contact?.identities.find((i) => i.kind === 'email');
    return email ? { address: email.value, name: contact?.name ?? '' } : null;
  }

  /**
   * The customer has left the chat: the reply waits in the conversation, and a copy goes by
   * email when they gave an address. A retryable email failure retries the whole attempt (the
   * chat side is idempotent: the widget shows a message id once); a final one is noted.
   */
  async function emailAbsentCustomer(m: MessageDoc, t: TicketDoc, reply: OutboundMessage): Promise<void> {
    if (!deps.emailAbsentCustomers || m.channel === 'email' || m.metadata.some((x) => x.key === 'emailCopyTo')) return;
    const to = await emailAddressFor(t);
    if (!to) return;
    const email = deps.adapters.get('email');
    if (!email?.send) {
      await tickets.addEvent(t._id, SYSTEM, 'delivery', null, null, { code: 'delivery.copy_unconfigured', params: { address: to.address }, text: `the customer has left the chat; no copy was emailed to ${to.address} (no email channel: set SMTP_URL)` });
      return;
    }
    let result: SendResult;
    try {
      result = await email.send({
        ...reply,
        channel: 'email',
        to: [{ address: to.address, ...(to.name ? { name: to.name } : {}) }],
        subject: `Re: [#${t.number}] ${t.subject || 'Your conversation with us'}`,
        text: `${reply.text}\n\n-- \n${reply.from?.name ? `${reply.from.name}\n` : ''}You received this by email because you had left the chat. Reply to this email or come back to the chat to continue.`,
        threadRefs: [],
      });
    } catch (err) {
      if (err instanceof ChannelError && !err.retryable) {
        await tickets.addEvent(t._id, SYSTEM, 'delivery', null, 'failed', { code: 'delivery.copy_failed', params: { address: to.address, reason: errorText(err) }, text: `the customer has left the chat; emailing a copy to ${to.address} failed: ${errorText(err)}` });
        return;
      }
      throw err;
    }
    await Message.updateOne(
      { _id: m._id },
      { $push: { metadata: { $each: [{ key: 'emailCopyTo', value: to.address }, { key: 'emailCopyMessageId', value: result.externalId }] } } },
    );
    // The customer answering that email (In-Reply-To) continues this ticket.
    await tickets.indexThread('email', [result.externalId], t, new Date());
    await tickets.addEvent(t._id, SYSTEM, 'delivery', null, 'emailed', { code: 'delivery.copy_emailed', params: { address: to.address, messageId: m._id.toString() }, text: `the customer had left the chat; reply ${m._id.toString()} was also emailed to ${to.address}` });
  }

  /**
   * A bounce of the email copy of a chat reply (sent to a customer who had left): recorded on that
   * chat message (`emailCopyBounce`: why) and its ticket's timeline, once. The
   * chat reply itself stays as it was (it waits in the conversation).
   */
  async function emailCopyBounced(failure: DeliveryFailure): Promise<boolean> {
    // The copy's Message-ID is `<the chat message's id@domain>` (the email adapter's): found by id, then checked.
    const id = /^<([0-9a-f]{24})@[^<>\s]+>$/i.exec(failure.externalId)?.[1];
    const m = id ? await Message.findById(id).lean() : null;
    if (!m || m.direction !== 'outbound' || !m.metadata.some((x) => x.key === 'emailCopyMessageId' && x.value === failure.externalId)) return false;
    const reason = failure.reason.slice(0, 500);
    // A compare-and-set on the message: the update that sets it records the bounce; a second bounce
    // of the same copy changes nothing.
    const res = await Message.updateOne({ _id: m._id, emailCopyBounce: null }, { $set: { emailCopyBounce: reason } });
    if (res.modifiedCount !== 1 || !m.ticket) return true;
    const address = m.metadata.find((x) => x.key === 'emailCopyTo')?.value ?? '';
    await tickets.addEvent(m.ticket, SYSTEM, 'delivery', 'emailed', 'bounced', {
      code: 'delivery.copy_bounced',
      params: { address, messageId: m._id.toString(), reason },
      text: `the email copy of reply ${m._id.toString()} to ${address} bounced: ${reason}`,
    });
    await publishDelivery(m, m.deliveryStatus, m.deliveryError);
    await publishTicket(m.ticket, ['delivery']);
    return true;
  }

  /** Whether replies on this ticket can go out now: a closed ticket takes none, and a channel needs a sending adapter. */
  /** The channel replies on a ticket of `channel` go out on: its own, or one that answers it (a call ticket by SMS). */
  function replyChannelOf(channel: ChannelId): ChannelId | null {
    if (deps.adapters.get(channel)?.send || deps.instancesCanSend?.(channel)) return channel;
    return deps.instancesAnswering?.(channel) ?? null;
  }

  function replyAbility(t: Pick<TicketDoc, 'channel' | 'status'>): ReplyAbility {
    if (t.status === 'closed') return { canReply: false, channel: null, reason: 'ticket_closed', detail: 'The ticket is closed; a new message from the customer opens a new ticket.' };
    const channel = replyChannelOf(t.channel);
    if (!channel) {
      const hint = t.channel === 'email' ? ' (set SMTP_URL)' : t.channel === 'voice' ? ' (a phone number with SMS on answers call tickets by SMS)' : '';
      return { canReply: false, channel: null, reason: 'channel_cannot_send', detail: `The ${t.channel} channel cannot send replies: no ${t.channel} adapter is configured on this hub${hint}.` };
    }
    return { canReply: true, channel, reason: null, detail: null };
  }

  function resolveAttachments(p: Principal, items: NonNullable<ReplyInput['attachments']>) {
    if (!deps.replyAttachments) throw new DeskError(422, 'This hub takes no attachments on replies.', [{ field: 'attachments', message: 'not supported', code: 'not_supported' }]);
    return deps.replyAttachments.resolve(p, items);
  }

  const cannotSend = (a: ReplyAbility) => conflict(`${a.detail ?? 'Replies cannot be sent.'} Internal notes still work.`, [{ field: 'channel', message: 'cannot_send', code: 'cannot_send' }]);

  /**
   * A message the hub itself sends a ticket's customer (a satisfaction question, news of a shipped
   * suggestion): stored as an outbound message without an author, once per `key` (its _id derives
   * from the ticket and the key), and sent by the same job as replies (retries, delivery status).
   * Closed tickets included. Null when nothing can be sent on the ticket's channel or to its customer.
   */
  async function notify(ticketId: Types.ObjectId, n: { key: string; text: string; html?: string; senderName?: string; purpose: string }): Promise<{ messageId: string; created: boolean; channel: ChannelId } | null> {
    const t = await Ticket.findById(ticketId).lean();
    if (!t) return null;
    const channel = replyChannelOf(t.channel);
    if (!channel) return null;
    const _id = derivedId('outbound', t._id.toString(), `hub:${n.key}`);
    const existing = await Message.findById(_id).lean();
    if (existing) {
      if (existing.deliveryStatus === 'queued') await enqueue(_id.toString());
      return { messageId: _id.toString(), created: false, channel };
    }
    let to: { address: string; name: string };
    try {
      to = await recipient(t);
    } catch (err) {
      if (err instanceof DeskError) return null;
      throw err;
    }
    if (await deps.optedOut?.(channel, to.address)) return null;
    const { ref: inReplyTo, instance } = await lastInbound(t);
    const now = new Date();
    try {
      await Message.create({
        _id,
        ticket: t._id,
        contact: t.contact,
        author: null,
        direction: 'outbound',
        channel,
        externalId: `out:${_id.toString()}`,
        from: { address: 'hub', name: n.senderName ?? '' },
        to: [{ address: to.address, name: to.name }],
        subject: t.subject,
        text: n.text,
        html: n.html ? sanitizeCustomerHtml(n.html) : '',
        threadKeys: [_id.toString(), ...(inReplyTo ? [inReplyTo] : [])],
        deliveryStatus: 'queued',
        idempotencyKey: n.key,
        metadata: [{ key: 'purpose', value: n.purpose }, ...(instance ? [{ key: 'channelInstance', value: instance }] : [])],
        receivedAt: now,
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return { messageId: _id.toString(), created: false, channel };
    }
    await tickets.indexThread(channel, [_id.toString()], t, now);
    await enqueue(_id.toString());
    await bus.publish({ type: 'message.created', ticketId: t._id.toString(), messageId: _id.toString(), direction: 'outbound', channel, at: now.toISOString() });
    return { messageId: _id.toString(), created: true, channel };
  }

  return {
    enqueue,
    markFailed,
    replyAbility,
    notify,

    /**
     * The provider reported that a sent message did not arrive (an email bounce): the message
     * turns `bounced` with the reason, on its ticket's timeline (it was sent: `firstResponseAt` and
     * the SLA clocks it met stay). False when no sent message has the id.
     */
    async deliveryFailed(failure: DeliveryFailure): Promise<boolean> {
      const m = await Message.findOne({ channel: failure.channel, externalId: failure.externalId, direction: 'outbound' }).lean();
      if (!m) return failure.channel === 'email' ? emailCopyBounced(failure) : false;
      const reason = failure.reason.slice(0, 500);
      const reasonCode: DeliveryErrorCode = failure.code ?? 'bounced';
      const res = await Message.updateOne(
        { _id: m._id, deliveryStatus: { $in: ['sent', 'delivered'] } },
        { $set: { deliveryStatus: 'bounced', deliveryError: reason, deliveryErrorCode: reasonCode } },
      );
      if (res.modifiedCount !== 1 || !m.ticket) return res.modifiedCount === 1;
      await tickets.addEvent(m.ticket, SYSTEM, 'delivery', m.deliveryStatus, 'bounced', { code: 'delivery.bounced', params: { channel: m.channel, messageId: m._id.toString(), reason, reasonCode }, text: `reply ${m._id.toString()} bounced: ${reason}` });
      await publishDelivery(m, 'bounced', reason, reasonCode);
      await publishTicket(m.ticket, ['delivery']);
      return true;
    },

    /**
     * A provider's delivery report (an SMS or fax status callback), possibly out of order or
     * twice: the reply's status only moves forward (`sent` → `sending` → `delivered` / `failed`;
     * a late `sent` after `delivered` changes nothing), by a conditional update on the status it
     * had. `failed` carries the provider's reason and code; a failure worth retrying (`retry`: a
     * busy line) sends it again later instead, until the attempts are used up.
     */
    async deliveryReport(report: DeliveryReport): Promise<boolean> {
      const byId = report.messageId ? toObjectId(report.messageId) : null;
      const m = await Message.findOne(byId ? { _id: byId, channel: report.channel, direction: 'outbound' } : { channel: report.channel, externalId: report.externalId, direction: 'outbound' }).lean();
      if (!m) return false;
      if (report.status === 'failed' && report.retry) return resendOrFail(m, report, report.retry);
      const rank = DELIVERY_RANK[report.status];
      // Named by the provider id only, a message waiting to be sent again (after a busy line) takes
      // no report: it still carries its last send's id, whose reports are stale now.
      const below = (Object.keys(DELIVERY_RANK) as DeliveryStatus[]).filter((s) => s !== 'received' && (byId || s !== 'queued') && DELIVERY_RANK[s] < rank);
      const reason = report.status === 'failed' ? (report.reason ?? 'not delivered').slice(0, 500) : null;
      const reasonCode: DeliveryErrorCode | null = report.status === 'failed' ? reportErrorCode(report.code ?? 'not_delivered') : null;
      const res = await Message.updateOne(
        { _id: m._id, deliveryStatus: { $in: below }, ...(byId ? {} : { externalId: report.externalId }) },
        { $set: { deliveryStatus: report.status, deliveryError: reason, deliveryErrorCode: reasonCode } },
      );
      if (res.modifiedCount !== 1 || !m.ticket) return res.modifiedCount === 1;
      await recordReport(m, report.status, report.externalId, reason, reasonCode);
      return true;
    },

    /**
     * Sends a failed reply again: the same message, through the same job id (so two retries at
     * once send it once: only the one that turns it from `failed` back to `queued` enqueues).
     * Only a `failed` reply can be retried; anything else is a 409. Recorded on the timeline.
     */
    async retry(p: Principal, ticketId: string, messageId: string): Promise<MessageView> {
      const t = await desk.visible(p, ticketId);
      const _id = toObjectId(messageId);
      const m = _id ? await Message.findOne({ _id, ticket: t._id, direction: 'outbound' }).lean() : null;
      if (!m) throw notFound('reply', messageId);
      const notFailed = () => conflict(`Only a failed reply can be retried; this one is ${m.deliveryStatus}.`, [{ field: 'messageId', message: 'not_failed', code: 'not_failed' }]);
      if (m.deliveryStatus !== 'failed') throw notFailed();
      if (t.status === 'closed') throw conflict(`Ticket #${t.number} is closed; a new message from the customer opens a new ticket.`);
      const ability = replyAbility({ channel: m.channel, status: t.status });
      if (!ability.canReply) throw cannotSend(ability);
      const was = m.deliveryError;
      // A retried fax starts its redials afresh: only dials after this mark count.
      const flipped = await Message.updateOne(
        { _id: m._id, deliveryStatus: 'failed' },
        {
          $set: { deliveryStatus: 'queued', deliveryError: null, deliveryErrorCode: null },
          ...(m.metadata.some((x) => x.key === RESENT_FROM) ? { $push: { metadata: { key: REDIALS_RESET, value: new Date().toISOString() } } } : {}),
        },
      );
      if (flipped.modifiedCount !== 1) throw notFailed();
      const now = new Date();
      const actor = actorOf(p);
      await tickets.addEvent(t._id, actor, 'delivery', 'failed', 'queued', { code: 'delivery.retried', params: { channel: m.channel, messageId: m._id.toString(), name: actor.name, reason: was ?? '' }, text: `reply ${m._id.toString()} retried by ${actor.name}${was ? ` (it had failed: ${was})` : ''}` }, now);
      // The failed job keeps the id; removing it lets the same id be enqueued again.
      await queue.remove(m._id.toString()).catch(() => 0);
      await enqueue(m._id.toString());
      await publishDelivery(m, 'queued', null, null, now);
      await publishTicket(t._id, ['delivery']);
      const fresh = await Message.findById(m._id).lean();
      return (await desk.messages([fresh ?? { ...m, deliveryStatus: 'queued', deliveryError: null, deliveryErrorCode: null }]))[0]!;
    },

    /**
     * Stores a reply as `queued` and enqueues its send. With an Idempotency-Key the same
     * request again answers the stored message (`replayed: true`) and sends nothing new.
     */
    async reply(p: Principal, ticketId: string, input: ReplyInput, idempotencyKey?: string): Promise<{ message: MessageView; replayed: boolean }> {
      let t = await desk.visible(p, ticketId);
      const _id = outboundMessageId(t._id.toString(), idempotencyKey);
      const replay = async (doc: MessageDoc) => {
        if (doc.deliveryStatus === 'queued') await enqueue(doc._id.toString());
        return { message: (await desk.messages([doc]))[0]!, replayed: true };
      };
      if (idempotencyKey) {
        const existing = await Message.findById(_id).lean();
        if (existing) return replay(existing);
      }
      if (t.status === 'closed') throw conflict(`Ticket #${t.number} is closed; a new message from the customer opens a new ticket.`);
      // A reply that cannot be sent is refused rather than stored to fail.
      const ability = replyAbility(t);
      if (!ability.canReply || !ability.channel) throw cannotSend(ability);
      const files = input.attachments?.length ? await resolveAttachments(p, input.attachments) : [];
      // A call ticket's reply is an SMS to the caller: stored, sent, opted out and reported as one.
      const channel = ability.channel;
      const to = await recipient(t);
      const optedOut = await deps.optedOut?.(channel, to.address);
      if (optedOut) throw conflict(`${optedOutReason(channel, to.address, optedOut)}.`, [{ field: 'to', message: 'opted_out', code: 'opted_out' }]);
      const { ref: inReplyTo, instance } = await lastInbound(t);
      const actor = actorOf(p);
      const now = new Date();
      const html = input.html ? sanitizeCustomerHtml(input.html) : '';
      let doc: MessageDoc;
      try {
        const created = await Message.create({
          ...agentMessageBase(p, { _id: t._id, contact: t.contact, channel }, _id, 'outbound'),
          to: [{ address: to.address, name: to.name }],
          subject: t.subject,
          text: input.text,
          html,
          attachments: files,
          threadKeys: [_id.toString(), ...(inReplyTo ? [inReplyTo] : [])],
          deliveryStatus: 'queued',
          idempotencyKey: idempotencyKey ?? null,
          ...(instance ? { metadata: [{ key: 'channelInstance', value: instance }] } : {}),
          receivedAt: now,
        });
        doc = created.toObject<MessageDoc>();
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const winner = await Message.findById(_id).lean();
        if (!winner) throw err;
        return replay(winner);
      }

      // The customer answering this reply (threadRefs: [its id]) lands on this ticket.
      await tickets.indexThread(channel, [_id.toString()], t, now);
      // firstResponseAt waits for the send (markSent): a reply that fails is no response.
      await Ticket.updateOne({ _id: t._id }, { $set: { lastAgentMessageAt: now } });
      await tickets.addEvent(t._id, actor, 'reply', null, 'queued', { code: 'reply.written', params: { channel, messageId: _id.toString() }, text: `reply ${_id.toString()} via ${channel}` }, now);
      // Replying to an unassigned or new ticket takes it and opens it (through the one state machine).
      if (t.status === 'new' || (!t.assignee && assignableId(p))) t = await desk.takeForReply(p, t);
      await enqueue(_id.toString());
      await bus.publish({ type: 'message.created', ticketId: t._id.toString(), messageId: _id.toString(), direction: 'outbound', channel, at: now.toISOString() });
      await publishTicket(t._id, ['reply']);
      return { message: (await desk.messages([doc]))[0]!, replayed: false };
    },

    /**
     * One send attempt (`attempt` counts from 1). Already sent or failed messages are left
     * alone, so a job run twice sends once from our side; the adapter passes the message id
     * as the idempotency key for the provider's side.
     */
    async attempt(messageId: string, attempt: number, maxAttempts: number): Promise<AttemptOutcome> {
      const m = await Message.findById(messageId).lean();
      if (!m) return { kind: 'failed', reason: `message ${messageId} no longer exists` };
      if (m.deliveryStatus !== 'queued') return { kind: 'done', status: m.deliveryStatus };
      const fail = async (reason: string, code: DeliveryErrorCode): Promise<AttemptOutcome> => {
        await markFailed(messageId, reason, code);
        return { kind: 'failed', reason };
      };
      const t = m.ticket ? await Ticket.findById(m.ticket).lean() : null;
      if (!t) return fail('the ticket no longer exists', 'ticket_gone');
      const instance = m.metadata.find((x) => x.key === 'channelInstance')?.value;
      const adapter = (instance ? deps.instanceSender?.(instance) : undefined) ?? deps.adapters.get(m.channel);
      if (!adapter?.send) return fail(`the ${m.channel} channel cannot send replies (no adapter configured)`, 'no_adapter');
      const parsed = OutboundMessageSchema.safeParse({
        channel: m.channel,
        messageId,
        ticketId: t._id.toString(),
        ticketNumber: t.number,
        to: m.to.map((x) => ({ address: x.address, ...(x.name ? { name: x.name } : {}) })),
        from: { address: m.from.address, ...(m.from.name ? { name: m.from.name } : {}) },
        subject: m.subject,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
        threadRefs: m.threadKeys.slice(1),
        attachments: m.attachments.map((a) => ({ name: a.name, contentType: a.contentType, size: a.size, ref: a.ref })),
      });
      if (!parsed.success) return fail(`the reply is not sendable: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 'not_sendable');
      // The customer may have opted out after the reply was written.
      for (const to of parsed.data.to) {
        const out = await deps.optedOut?.(m.channel, to.address);
        if (out) return fail(optedOutReason(m.channel, to.address, out), 'opted_out');
      }

      let result: SendResult;
      try {
        result = await adapter.send(parsed.data);
        if (result.recipientAbsent) await emailAbsentCustomer(m, t, parsed.data);
      } catch (err) {
        const retryable = err instanceof ChannelError ? err.retryable : true;
        const reason = err instanceof ChannelError ? `${err.code}: ${errorText(err)}` : errorText(err);
        const code = err instanceof ChannelError ? channelErrorCode(err.code) : 'unknown';
        if (!retryable) return fail(reason, code);
        if (attempt >= maxAttempts) return fail(`${reason} (gave up after ${attempt} attempts)`, code);
        const note = `attempt ${attempt} of ${maxAttempts} failed (${reason}); retrying`;
        await Message.updateOne({ _id: m._id, deliveryStatus: 'queued' }, { $set: { deliveryError: note, deliveryErrorCode: code } });
        await publishDelivery(m, 'queued', note, code);
        return { kind: 'retry', reason };
      }
      await markSent(m, result);
      return { kind: 'done', status: result.status };
    },
  };
}
export type OutboundService = ReturnType<typeof createOutboundService>;
