import { Types } from 'mongoose';
import type { ChannelId, Priority, TicketType } from '../../channels/contract';
import { atLeast, type Principal } from '../auth/principal';
import type { TeamModel } from '../auth/team.model';
import type { UserModel } from '../auth/user.model';
import type { ContactDoc, ContactModel } from '../contacts/contact.model';
import type { EventBus } from '../events/event-bus';
import type { AttachmentStore } from '../storage/attachment.storage';
import { conflict, DeskError, forbidden, invalid, notFound } from './desk.errors';
import type { MessageDoc, MessageModel } from './message.model';
import type { ThreadKeyModel } from './thread-key.model';
import type { Actor, TicketEventDoc, TicketEventModel } from './ticket-event.model';
import type { AssignmentService } from './ticket-assignment.service';
import { assignableId, canSee, NOTHING, ticketScope, toObjectId, type TicketFilter } from './ticket-scope';
import { createViews, type MessageView, type TicketView } from './ticket-views';
import type { TicketDoc, TicketModel, TicketStatus } from './ticket.model';
import { TransitionConflict, type TicketService, ticketUpdated } from './ticket.service';
import { transitionError } from './ticket.state';

/** For the HTTP layer, which may not import models. */
export { TICKET_STATUSES, SUGGESTION_STAGES } from './ticket.model';

export const TICKET_SORTS = ['-updatedAt', 'updatedAt', '-createdAt', 'createdAt', '-number', 'number'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

export interface TicketListQuery {
  view?: 'mine' | 'unassigned' | 'all';
  status?: TicketStatus[];
  type?: TicketType[];
  priority?: Priority[];
  channel?: ChannelId[];
  /** `me`, `none` or a user id. */
  assignee?: string;
  team?: string;
  contact?: string;
  tag?: string;
  /** Text in the subject or in any message of the ticket. */
  q?: string;
  createdFrom?: Date;
  createdTo?: Date;
  sort?: TicketSort;
  limit?: number;
  cursor?: string;
}

export interface TicketPatch {
  status?: TicketStatus;
  priority?: Priority;
  type?: TicketType;
  tags?: string[];
  /** A user id, or null to release. */
  assignee?: string | null;
  team?: string;
  /** Resolving a complaint: its cause (one of the configured list) and what was done. */
  cause?: string;
  actionTaken?: string;
}

/** What resolving a ticket also involves (complaint follow-through): a check before, the follow-up after. */
export interface ResolutionHooks {
  /** Throws a {@link DeskError} (400 naming the field) when the ticket may not be resolved like this. */
  check(t: TicketDoc, patch: TicketPatch): Promise<void>;
  resolved(ticketId: Types.ObjectId, patch: TicketPatch, actor: Actor): Promise<void>;
}

/** Where a web chat customer was first seen on this ticket: the page and their browser (from the widget's messages). */
export interface WebVisitor {
  page: string | null;
  userAgent: string | null;
  firstSeenAt: Date;
}

export interface TicketDetail {
  ticket: TicketView;
  messages: MessageView[];
  timeline: TicketEventDoc[];
  contact: ContactDoc | null;
  webVisitor: WebVisitor | null;
}

/** The first web chat message that says where the visitor was (page) or what they use (browser). */
export function webVisitorOf(messages: readonly MessageDoc[]): WebVisitor | null {
  for (const m of messages) {
    if (m.direction !== 'inbound' || m.channel !== 'webchat') continue;
    const meta = new Map(m.metadata.map((x) => [x.key, x.value]));
    const page = meta.get('page') ?? null;
    const userAgent = meta.get('userAgent') ?? null;
    if (page || userAgent) return { page, userAgent, firstSeenAt: m.receivedAt };
  }
  return null;
}

export interface TicketDeskDeps {
  Ticket: TicketModel;
  Message: MessageModel;
  TicketEvent: TicketEventModel;
  ThreadKey: ThreadKeyModel;
  User: UserModel;
  Team: TeamModel;
  Contact: ContactModel;
  tickets: TicketService;
  /** Owner changes (Redis compare-and-set, MongoDB, timeline, new ⇄ open, ticket.updated). */
  assignment: AssignmentService;
  /**
   * Routing's say in a manual owner change (`expectedAgentId`: the owner the person saw):
   * `claimed` when routing made and recorded it, `conflict` when someone else got the ticket
   * meanwhile, `direct` when the change is made here.
   */
  claim?: (ticketId: string, agentId: string | null, actorId: string | null, note: string, expectedAgentId: string | null) => Promise<'claimed' | 'direct' | 'conflict'>;
  bus: EventBus;
  store: AttachmentStore;
  /** Complaint follow-through on resolution (src/care). */
  resolution?: ResolutionHooks;
}

/** The timeline actor for a principal: a user, or an integrator's API token. */
export const actorOf = (p: Principal): Actor =>
  p.kind === 'user' ? { kind: 'user', id: p.id, name: p.name } : { kind: 'system', id: `token:${p.id}`, name: p.name };

/** What every message an agent writes on a ticket (a reply or a note) starts with. */
export function agentMessageBase(p: Principal, t: Pick<TicketDoc, '_id' | 'contact' | 'channel'>, _id: Types.ObjectId, direction: 'outbound' | 'note') {
  return {
    _id,
    ticket: t._id,
    contact: t.contact,
    author: assignableId(p),
    direction,
    channel: t.channel,
    externalId: `${direction === 'note' ? 'note' : 'out'}:${_id.toString()}`,
    from: { address: p.email ?? actorOf(p).id ?? p.id, name: p.name },
  };
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const MAX_TEXT_MATCHES = 1000;
const MAX_PAGE = 200;

interface Cursor {
  s: TicketSort;
  v: string | number;
  id: string;
}

function encodeCursor(sort: TicketSort, t: TicketDoc): string {
  const field = sort.replace('-', '') as 'updatedAt' | 'createdAt' | 'number';
  const v = field === 'number' ? t.number : t[field].toISOString();
  return Buffer.from(JSON.stringify({ s: sort, v, id: t._id.toString() } satisfies Cursor)).toString('base64url');
}

function decodeCursor(raw: string, sort: TicketSort): { value: Date | number; id: Types.ObjectId } {
  let c: Partial<Cursor>;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    throw new DeskError(400, 'The cursor is not valid; start again without it.');
  }
  const id = toObjectId(c.id);
  if (!id || c.s !== sort || (typeof c.v !== 'string' && typeof c.v !== 'number')) {
    throw new DeskError(400, 'The cursor is not valid for this sort order; start again without it.');
  }
  const value = sort.endsWith('number') ? Number(c.v) : new Date(c.v);
  if (typeof value !== 'number' && Number.isNaN(value.getTime())) throw new DeskError(400, 'The cursor is not valid; start again without it.');
  return { value, id };
}

/**
 * What agents, supervisors and admins do with tickets: list and read them within their
 * scope, change them (status only through the one state machine), take and release them
 * (an atomic compare-and-set in Redis), write internal notes and merge duplicates.
 * Every change writes a timeline event with its actor and publishes `ticket.updated`.
 */
export function createTicketDesk(deps: TicketDeskDeps) {
  const { Ticket, Message, TicketEvent, ThreadKey, User, Team, tickets, assignment, bus } = deps;
  const views = createViews(deps);

  /** The ticket if the principal may see it; 404 otherwise (also for a malformed id). */
  async function visible(p: Principal, id: string): Promise<TicketDoc> {
    const _id = toObjectId(id);
    const t = _id ? await Ticket.findById(_id).lean() : null;
    if (!t || !canSee(p, t)) throw notFound('ticket', id);
    return t;
  }

  async function reload(id: Types.ObjectId): Promise<TicketDoc> {
    const t = await Ticket.findById(id).lean();
    if (!t) throw notFound('ticket', id.toString());
    return t;
  }

  async function publishUpdate(t: TicketDoc, changes: string[]): Promise<void> {
    if (changes.length === 0) return;
    await bus.publish(ticketUpdated(t, changes));
  }

  /** One implementation of an owner change for everyone (agents here, routing there): Redis compare-and-set first. */
  const setAssignee = async (t: TicketDoc, next: Types.ObjectId | null, actor: Actor, why: string): Promise<TicketDoc> => {
    const routed = deps.claim ? await deps.claim(t._id.toString(), next?.toString() ?? null, actor.kind === 'user' ? actor.id : null, why, t.assignee?.toString() ?? null) : 'direct';
    if (routed === 'claimed') {
      // Routing made it, but the ticket's owner is what counts: someone who took it outside
      // routing a moment earlier (before routing knew the ticket) keeps it.
      const after = await reload(t._id);
      if (next && !after.assignee?.equals(next)) throw new TransitionConflict('the ticket was just taken by someone else; reload it and try again');
      return after;
    }
    if (routed === 'conflict') throw new TransitionConflict('the ticket was just taken by someone else; reload it and try again');
    return assignment.setAssignee(t, next, actor, why);
  };

  /** Who may change the assignee to what (scope was checked already). */
  async function checkAssignee(p: Principal, t: TicketDoc, next: Types.ObjectId | null, teamAfter: Types.ObjectId | null): Promise<void> {
    const me = assignableId(p);
    if (p.role === 'agent') {
      const takes = next !== null && me !== null && next.equals(me) && t.assignee === null;
      const releases = next === null && me !== null && t.assignee?.equals(me) === true;
      if (!takes && !releases) throw forbidden('Agents may take unassigned tickets of their teams and release their own; ask a supervisor to assign others.');
      return;
    }
    if (!next) return;
    const user = await User.findById(next, { active: 1, teams: 1 }).lean();
    if (!user || !user.active) throw invalid(`No active user ${next.toString()} to assign.`);
    if (p.role === 'supervisor' && !(teamAfter && user.teams.some((x) => x.equals(teamAfter)))) {
      throw invalid("Supervisors assign members of the ticket's team; this user is not one.");
    }
  }

  async function listFilter(p: Principal, q: TicketListQuery): Promise<TicketFilter> {
    const and: TicketFilter[] = [ticketScope(p)];
    const me = assignableId(p);
    const assignee = q.view === 'mine' ? 'me' : q.view === 'unassigned' ? 'none' : q.assignee;
    if (q.view && q.view !== 'all' && q.assignee && q.assignee !== assignee) and.push(NOTHING);
    if (assignee === 'me') and.push(me ? { assignee: me } : NOTHING);
    else if (assignee === 'none') and.push({ assignee: null });
    else if (assignee) and.push({ assignee: toObjectId(assignee) ?? NOTHING });
    if (q.status?.length) and.push({ status: { $in: q.status } });
    if (q.type?.length) and.push({ type: { $in: q.type } });
    if (q.priority?.length) and.push({ priority: { $in: q.priority } });
    if (q.channel?.length) and.push({ channel: { $in: q.channel } });
    if (q.team) and.push({ team: toObjectId(q.team) });
    if (q.contact) and.push({ contact: toObjectId(q.contact) });
    if (q.tag) and.push({ tags: q.tag });
    if (q.createdFrom || q.createdTo) {
      and.push({ createdAt: { ...(q.createdFrom ? { $gte: q.createdFrom } : {}), ...(q.createdTo ? { $lt: q.createdTo } : {}) } });
    }
    if (q.q) {
      const pattern = escapeRegex(q.q.trim());
      const hits = await Message.find({ text: { $regex: pattern, $options: 'i' } }, { ticket: 1 }).limit(MAX_TEXT_MATCHES).lean();
      const ids = [...new Set(hits.map((h) => h.ticket?.toString()).filter((x): x is string => Boolean(x)))].map((x) => new Types.ObjectId(x));
      // `1004` or `#1004` also finds ticket number 1004.
      const number = /^#?(\d{1,12})$/.exec(q.q.trim());
      and.push({ $or: [{ subject: { $regex: pattern, $options: 'i' } }, { _id: { $in: ids } }, ...(number ? [{ number: Number(number[1]) }] : [])] });
    }
    return { $and: and };
  }

  return {
    visible,

    async view(t: TicketDoc): Promise<TicketView> {
      return views.ticket(t);
    },

    messages(docs: MessageDoc[]): Promise<MessageView[]> {
      return views.messages(docs);
    },

    async list(p: Principal, q: TicketListQuery): Promise<{ items: TicketView[]; nextCursor: string | null }> {
      const sort = q.sort ?? '-updatedAt';
      const limit = Math.min(Math.max(q.limit ?? 50, 1), MAX_PAGE);
      const field = sort.replace('-', '');
      const dir = sort.startsWith('-') ? -1 : 1;
      const filter = await listFilter(p, q);
      if (q.cursor) {
        const c = decodeCursor(q.cursor, sort);
        const op = dir < 0 ? '$lt' : '$gt';
        (filter.$and as TicketFilter[]).push({ $or: [{ [field]: { [op]: c.value } }, { [field]: c.value, _id: { [op]: c.id } }] });
      }
      const docs = await Ticket.find(filter).sort({ [field]: dir, _id: dir }).limit(limit + 1).lean();
      const page = docs.slice(0, limit);
      const nextCursor = docs.length > limit ? encodeCursor(sort, page[page.length - 1]!) : null;
      return { items: await views.tickets(page), nextCursor };
    },

    async detail(p: Principal, id: string): Promise<TicketDetail> {
      const t = await visible(p, id);
      const [messages, timeline, contact] = await Promise.all([
        Message.find({ ticket: t._id }).sort({ receivedAt: 1, _id: 1 }).lean(),
        TicketEvent.find({ ticket: t._id }).sort({ at: 1, _id: 1 }).lean(),
        deps.Contact.findById(t.contact).lean(),
      ]);
      return { ticket: await views.ticket(t), messages: await views.messages(messages), timeline, contact, webVisitor: webVisitorOf(messages) };
    },

    async update(p: Principal, id: string, patch: TicketPatch): Promise<TicketView> {
      let t = await visible(p, id);
      const actor = actorOf(p);
      const changes: string[] = [];

      // Check everything first, so a refused request changes nothing.
      const team = patch.team !== undefined ? toObjectId(patch.team) : undefined;
      if (patch.team !== undefined) {
        if (!atLeast(p, 'supervisor')) throw forbidden('Only supervisors and admins move tickets between teams.');
        if (!team || !(await Team.findById(team, { _id: 1 }).lean())) throw invalid(`No team ${patch.team}.`);
      }
      const teamAfter = team ?? t.team;
      const next = patch.assignee === undefined ? undefined : patch.assignee === null ? null : toObjectId(patch.assignee);
      if (next === null && patch.assignee !== null && patch.assignee !== undefined) throw invalid(`No user ${patch.assignee}.`);
      const assigneeChanges = next !== undefined && !(next === null ? t.assignee === null : t.assignee?.equals(next));
      if (assigneeChanges) await checkAssignee(p, t, next, teamAfter);
      // Taking a `new` ticket opens it; an explicit `open` alongside is then already done.
      const autoOpens = assigneeChanges && next !== null && t.status === 'new';
      if (patch.status && !(autoOpens && patch.status === 'open')) {
        const reason = transitionError(t.status, patch.status);
        if (reason) throw new TransitionConflict(reason);
        const owner = assigneeChanges ? next : t.assignee;
        if (patch.status === 'open' && !owner && !assignableId(p)) throw conflict('An open ticket needs an owner: set the assignee too.');
        if (patch.status === 'resolved') await deps.resolution?.check(patch.type ? { ...t, type: patch.type } : t, patch);
      }

      // Field edits through the ticket service (timeline included); published together below.
      if (team && !t.team?.equals(team)) {
        changes.push(...((await tickets.editFields(t._id, { team }, actor, { publish: false }))?.changed ?? []));
        t = await reload(t._id);
      }
      if (assigneeChanges) {
        const why = p.role === 'agent' ? (next ? 'taken' : 'released') : next ? 'assigned' : 'unassigned';
        // Publishes its own ticket.updated (changes: assignee).
        t = await setAssignee(t, next, actor, why);
      }
      const fields = { priority: patch.priority, type: patch.type, tags: patch.tags };
      changes.push(...((await tickets.editFields(t._id, fields, actor, { publish: false }))?.changed ?? []));
      t = await reload(t._id);
      if (patch.status && patch.status !== t.status) {
        if (patch.status === 'open' && !t.assignee) {
          // Opening means someone owns it: the one who opens it, unless someone else just did.
          t = await setAssignee(t, assignableId(p), actor, 'taken');
        }
        if (patch.status !== t.status) {
          t = await tickets.transition(t._id, patch.status, actor);
          if (t.status === 'resolved') await deps.resolution?.resolved(t._id, patch, actor);
        }
      }
      t = await reload(t._id);
      await publishUpdate(t, changes);
      return views.ticket(t);
    },

    /**
     * A reply by a signed-in user takes an unassigned ticket and opens a new one, through
     * the same compare-and-set as taking it by hand. Someone else winning is not an error.
     */
    async takeForReply(p: Principal, t: TicketDoc): Promise<TicketDoc> {
      const me = assignableId(p);
      const actor = actorOf(p);
      if (me && !t.assignee) {
        try {
          return await setAssignee(t, me, actor, 'replied');
        } catch (err) {
          if (!(err instanceof TransitionConflict)) throw err;
          t = await reload(t._id);
        }
      }
      if (t.status === 'new' && t.assignee) {
        try {
          return await tickets.transition(t._id, 'open', actor, { code: 'status.replied', text: 'agent replied' });
        } catch (err) {
          if (!(err instanceof TransitionConflict)) throw err;
        }
      }
      return reload(t._id);
    },

    async addNote(p: Principal, id: string, text: string): Promise<MessageView> {
      const t = await visible(p, id);
      const actor = actorOf(p);
      const _id = new Types.ObjectId();
      const now = new Date();
      const doc = await Message.create({
        ...agentMessageBase(p, t, _id, 'note'),
        to: [],
        text,
        deliveryStatus: 'received',
        receivedAt: now,
      });
      await tickets.addEvent(t._id, actor, 'note', null, null, text.length > 140 ? `${text.slice(0, 139)}…` : text, now);
      await bus.publish({ type: 'message.created', ticketId: t._id.toString(), messageId: _id.toString(), direction: 'note', channel: t.channel, at: now.toISOString() });
      await publishUpdate(await reload(t._id), ['notes']);
      return (await views.messages([doc.toObject<MessageDoc>()]))[0]!;
    },

    /**
     * Merges `sourceId` into `targetId` (same customer): the source's messages and thread
     * keys move over, the source is closed with `mergedInto`, both timelines record it.
     * Calling it again after a partial failure finishes the job.
     */
    async merge(p: Principal, targetId: string, sourceId: string): Promise<TicketView> {
      const [target, source] = await Promise.all([visible(p, targetId), visible(p, sourceId)]);
      const actor = actorOf(p);
      if (target._id.equals(source._id)) throw invalid('A ticket cannot be merged into itself.');
      if (!target.contact.equals(source.contact)) throw conflict('The tickets belong to different customers; merge the contacts first.');
      if (target.mergedInto) throw conflict(`Ticket #${target.number} was itself merged into another ticket.`);
      if (target.status === 'closed') throw conflict(`Ticket #${target.number} is closed; merge into an open one.`);
      if (source.mergedInto && !source.mergedInto.equals(target._id)) throw conflict(`Ticket #${source.number} was already merged into another ticket.`);
      const firstTime = !source.mergedInto;
      // The pointer first: a crash after it leaves a merge that a second call completes.
      await Ticket.updateOne({ _id: source._id }, { $set: { mergedInto: target._id } });
      const moved = await Message.updateMany({ ticket: source._id }, { $set: { ticket: target._id } });
      await ThreadKey.updateMany({ ticket: source._id }, { $set: { ticket: target._id } });
      const set: Record<string, unknown> = {};
      const last = [target.lastCustomerMessageAt, source.lastCustomerMessageAt].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0];
      if (last && last.getTime() !== target.lastCustomerMessageAt?.getTime()) set.lastCustomerMessageAt = last;
      const tags = [...new Set([...target.tags, ...source.tags])];
      if (tags.length !== target.tags.length) set.tags = tags;
      if (Object.keys(set).length) await Ticket.updateOne({ _id: target._id }, { $set: set });
      if (firstTime) {
        const n = moved.modifiedCount;
        await tickets.addEvent(source._id, actor, 'merged', source._id.toString(), target._id.toString(), { code: 'merged.into', params: { number: String(target.number), count: String(n) }, text: `merged into #${target.number}; ${n} message(s) moved` });
        await tickets.addEvent(target._id, actor, 'merged', source._id.toString(), target._id.toString(), { code: 'merged.from', params: { number: String(source.number), count: String(n) }, text: `#${source.number} merged into this ticket; ${n} message(s) moved` });
      }
      const src = await reload(source._id);
      if (src.status !== 'closed') await tickets.transition(source._id, 'closed', actor, { code: 'status.merged', params: { number: String(target.number) }, text: `merged into #${target.number}` });
      await publishUpdate(await reload(source._id), ['mergedInto']);
      const result = await reload(target._id);
      await publishUpdate(result, ['merged', 'messages']);
      return views.ticket(result);
    },

    /** An attachment's bytes, if it belongs to a message of a ticket the principal sees. */
    async attachment(p: Principal, ref: string): Promise<{ bytes: Buffer; name: string; contentType: string }> {
      if (!/^sha256-[0-9a-f]{64}$/.test(ref)) throw notFound('attachment', ref);
      const owners = await Message.find({ 'attachments.ref': ref }, { ticket: 1, attachments: 1 }).limit(50).lean();
      for (const m of owners) {
        const t = m.ticket ? await Ticket.findById(m.ticket, { team: 1, assignee: 1 }).lean() : null;
        const a = m.attachments.find((x) => x.ref === ref);
        if (t && a && canSee(p, t)) return { bytes: await deps.store.get(ref), name: a.name, contentType: a.contentType };
      }
      throw notFound('attachment', ref);
    },
  };
}
export type TicketDesk = ReturnType<typeof createTicketDesk>;
