import { Types } from 'mongoose';
import type { ChannelId, Conversation, ConversationEntry, ConversationEvent } from '../../channels/contract';
import type { TeamModel } from '../auth/team.model';
import type { UserModel } from '../auth/user.model';
import type { TicketEventDoc, TicketEventModel } from './ticket-event.model';
import type { MessageModel } from './message.model';
import type { ThreadKeyModel } from './thread-key.model';
import type { TicketModel } from './ticket.model';

export interface ConversationReaderDeps {
  Ticket: TicketModel;
  Message: MessageModel;
  ThreadKey: ThreadKeyModel;
  User: UserModel;
  TicketEvent: TicketEventModel;
  Team: TeamModel;
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
  const { Ticket, Message, ThreadKey, User, TicketEvent, Team } = deps;
  const maxTickets = deps.maxTickets ?? 5;

  /** An agent handed over with a transfer also has an owner change: the transfer's line says it. */
  const HANDOVER_WINDOW_MS = 10_000;

  /**
   * The timeline's owner changes and transfers → the lines the customer saw live: "<agent> has
   * joined" (someone took it, from nobody or from a colleague) and handovers to a colleague or a
   * team. Only names: never the note, the detail or an id.
   */
  async function conversationEvents(tickets: Types.ObjectId[]): Promise<ConversationEvent[]> {
    const docs: TicketEventDoc[] = await TicketEvent.find({ ticket: { $in: tickets }, action: { $in: ['assignee', 'transfer'] } })
      .sort({ at: 1, _id: 1 })
      .lean();
    const ids = [...new Set(docs.flatMap((e) => (e.to && Types.ObjectId.isValid(e.to) ? [e.to] : [])))];
    const [users, teams] = await Promise.all([
      Promise.all(ids.map((id) => User.findById(id, { name: 1 }).lean())),
      Promise.all(ids.map((id) => Team.findById(id, { name: 1 }).lean())),
    ]);
    const userName = new Map(users.flatMap((u) => (u ? [[u._id.toString(), u.name] as const] : [])));
    const teamName = new Map(teams.flatMap((t) => (t ? [[t._id.toString(), t.name] as const] : [])));
    const transfers = docs.filter((e) => e.action === 'transfer');
    const out: ConversationEvent[] = [];
    for (const e of docs) {
      if (!e.to) continue; // released: back in the queue, nothing was said
      const base = { id: e._id.toString(), ticketId: e.ticket.toString(), at: e.at };
      if (e.action === 'transfer') {
        const agent = userName.get(e.to) ?? null;
        const team = agent ? null : (teamName.get(e.to) ?? null);
        if (agent || team) out.push({ ...base, status: { kind: 'transferred', ticketId: base.ticketId, toAgentName: agent, toTeamName: team } });
        continue;
      }
      const name = userName.get(e.to);
      if (!name) continue;
      const handedOver = transfers.some((x) => x.to === e.to && x.ticket.equals(e.ticket) && Math.abs(x.at.getTime() - e.at.getTime()) <= HANDOVER_WINDOW_MS);
      if (!handedOver) out.push({ ...base, status: { kind: 'assigned', ticketId: base.ticketId, agentName: name, agentAway: false } });
    }
    return out;
  }

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
    const [read, events] = await Promise.all([deps.readState.get(current), conversationEvents(tickets)]);
    // A history cut at `limit` messages shows the lines of that span only.
    const since = mine.length >= limit ? mine[0]?.receivedAt : undefined;
    return {
      entries,
      events: since ? events.filter((e) => e.at >= since) : events,
      ticketIds: tickets.map(String),
      agentReadAt: read.agent,
    };
  };
}
