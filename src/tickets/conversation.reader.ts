import type { Types } from 'mongoose';
import type { ChannelId, Conversation, ConversationEntry } from '../../channels/contract';
import type { UserModel } from '../auth/user.model';
import type { MessageModel } from './message.model';
import type { ThreadKeyModel } from './thread-key.model';
import type { TicketModel } from './ticket.model';

export interface ConversationReaderDeps {
  Ticket: TicketModel;
  Message: MessageModel;
  ThreadKey: ThreadKeyModel;
  User: UserModel;
  /** When the agents last read a ticket's conversation (the realtime read state). */
  readState: { get(ticketId: string): Promise<{ agent: Date | null }> };
  /** How many earlier tickets of the same thread (closed, then continued) are included. */
  maxTickets?: number;
}

/**
 * A live channel's conversation, for its customer: the ticket the thread key points at and
 * the tickets before it, their inbound messages that carry that thread key (so only the
 * customer's own), and the agents' replies on that channel. Never notes.
 */
export function createConversationReader(deps: ConversationReaderDeps) {
  const { Ticket, Message, ThreadKey, User } = deps;
  const maxTickets = deps.maxTickets ?? 5;

  return async function history(thread: { channel: ChannelId; ref: string }, limit: number): Promise<Conversation> {
    const key = await ThreadKey.findById(`${thread.channel}:${thread.ref}`).lean();
    if (!key) return { entries: [], ticketIds: [], agentReadAt: null };
    const tickets: Types.ObjectId[] = [];
    let next: Types.ObjectId | null = key.ticket;
    while (next && tickets.length < maxTickets && !tickets.some((t) => t.equals(next!))) {
      tickets.push(next);
      const t: { previousTicket: Types.ObjectId | null } | null = await Ticket.findById(next, { previousTicket: 1 }).lean();
      next = t?.previousTicket ?? null;
    }
    tickets.reverse();
    const docs = await Message.find({ ticket: { $in: tickets }, direction: { $in: ['inbound', 'outbound'] } })
      .sort({ receivedAt: -1 })
      .limit(Math.max(1, limit) * 2)
      .lean();
    const mine = docs
      .filter((m) => (m.direction === 'inbound' ? m.channel === thread.channel && m.threadKeys.includes(thread.ref) : m.channel === thread.channel))
      .slice(0, limit)
      .reverse();
    const authorIds = [...new Set(mine.flatMap((m) => (m.author ? [m.author.toString()] : [])))];
    const authors = new Map(
      (await Promise.all(authorIds.map((id) => User.findById(id, { name: 1 }).lean()))).flatMap((u) => (u ? [[u._id.toString(), u.name] as const] : [])),
    );
    const entries: ConversationEntry[] = mine.map((m) => ({
      id: m._id.toString(),
      ticketId: m.ticket?.toString() ?? '',
      direction: m.direction === 'inbound' ? 'inbound' : 'outbound',
      externalId: m.externalId,
      text: m.text,
      authorName: m.direction === 'outbound' ? ((m.author && authors.get(m.author.toString())) ?? (m.from.name || null)) : null,
      attachments: m.attachments.map((a) => ({ name: a.name, contentType: a.contentType, size: a.size, ref: a.ref })),
      at: m.receivedAt,
    }));
    const current = tickets.at(-1)!.toString();
    const read = await deps.readState.get(current);
    return { entries, ticketIds: tickets.map(String), agentReadAt: read.agent };
  };
}
