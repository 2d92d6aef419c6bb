import type { Types } from 'mongoose';
import type { ChannelId, Priority, TicketType } from '../../channels/contract';
import type { TeamModel } from '../auth/team.model';
import { derivedId } from '../db/derived-id';
import { isDuplicateKey } from '../db/models';
import type { EventBus } from '../events/event-bus';
import type { TicketCreatedEvent, TicketUpdatedEvent } from '../events/event.types';
import type { ThreadKeyModel } from './thread-key.model';
import { eventText, type Actor, type EventDetail, type TicketEventModel } from './ticket-event.model';
import type { TicketNumbers } from './ticket-number';
import type { TicketOwners } from './ticket-owner.store';
import type { ClassificationSource, TicketDoc, TicketModel, TicketStatus } from './ticket.model';
import { transitionError } from './ticket.state';
import { insertOne } from '../db/insert-batcher';

/** A thread ref naming a ticket by number (`[#123]`, an email subject token): never a thread key. */
const TICKET_NUMBER_REF = /^\[#(\d{1,12})\]$/;

export const SYSTEM: Actor = { kind: 'system', id: null, name: 'system' };

export interface OpenTicketInput {
  origin: string;
  channel: ChannelId;
  contact: Types.ObjectId;
  subject: string;
  type: TicketType;
  priority: Priority;
  language: string;
  classification: { source: ClassificationSource; confidence: number; matched: string[] };
  previousTicket: Types.ObjectId | null;
  team: Types.ObjectId | null;
  at: Date;
  actor: Actor;
}

export class TransitionConflict extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TransitionConflict';
  }
}

/** The ticket fields people and routing edit (the owner goes through the assignment service). */
export type TicketField = 'team' | 'priority' | 'type' | 'tags';

export interface TicketFieldChanges {
  team?: Types.ObjectId;
  priority?: Priority;
  /** A person's correction of the classification (its source becomes `agent`). */
  type?: TicketType;
  /** Trimmed, deduplicated, empty ones dropped. */
  tags?: string[];
}

export interface EditFieldsOptions {
  /** Compare-and-set: the edit applies only while the ticket still has these values (else `null`). */
  expect?: { priority?: Priority };
  /** Why, on the timeline (e.g. `queue rules`, `raised by SLA escalation`). */
  why?: Partial<Record<TicketField, EventDetail>>;
  /**
   * The edit as one timeline event of its own (a handover's `transfer`) instead of one per
   * field; written even when no field changed.
   */
  record?: { action: string; from: string | null; to: string | null; detail: EventDetail };
  /** More names for the published `changes` (e.g. `transfer`). */
  changes?: string[];
  /** False: the caller publishes `ticket.updated` (it batches this edit with others). */
  publish?: boolean;
}

export interface TicketService {
  /** Idempotent: the same origin always yields the same ticket. */
  open(input: OpenTicketInput): Promise<{ ticket: TicketDoc; created: boolean }>;
  /** The ticket a message answering `refs` continues, if any. */
  findThread(channel: ChannelId, refs: string[], contact: Types.ObjectId): Promise<TicketDoc | null>;
  /** Points these thread keys at the ticket (the newest ticket wins a shared key). */
  indexThread(channel: ChannelId, keys: string[], ticket: TicketDoc, at: Date): Promise<void>;
  /** Records a customer message on a ticket: pending → open, reopen a recently resolved one. */
  recordCustomerMessage(ticket: TicketDoc, at: Date, actor: Actor): Promise<TicketDoc>;
  /** Moves a ticket through the state machine; throws {@link TransitionConflict}. */
  transition(ticketId: Types.ObjectId, to: TicketStatus, actor: Actor, detail?: EventDetail): Promise<TicketDoc>;
  /**
   * The one way the ticket's fields change: applied with one single-document update (by _id,
   * compare-and-set with `opts.expect`), each change on the timeline with its actor, then
   * `ticket.updated` naming the changed fields. Null when the ticket does not exist or the
   * expectation no longer holds; `changed` is empty when every value was already so.
   */
  editFields(ticketId: Types.ObjectId | string, changes: TicketFieldChanges, actor: Actor, opts?: EditFieldsOptions): Promise<{ ticket: TicketDoc; changed: TicketField[] } | null>;
  addEvent(ticketId: Types.ObjectId, actor: Actor, action: string, from: string | null, to: string | null, detail?: EventDetail, at?: Date): Promise<void>;
}

export interface TicketServiceDeps {
  Ticket: TicketModel;
  ThreadKey: ThreadKeyModel;
  TicketEvent: TicketEventModel;
  /** Team names for the timeline. */
  Team: TeamModel;
  numbers: TicketNumbers;
  bus: EventBus;
  reopenWindowMs: number;
  /** The Redis owner keys; a transition to `new` releases the owner through them. */
  owners?: TicketOwners;
}

export function createTicketService(deps: TicketServiceDeps): TicketService {
  const { Ticket, ThreadKey, TicketEvent, numbers, bus } = deps;

  const addEvent: TicketService['addEvent'] = async (ticketId, actor, action, from, to, detail, at = new Date()) => {
    await insertOne(TicketEvent, { ticket: ticketId, actor, action, from, to, ...eventText(detail), at });
  };

  /** The "created" timeline entry, written once (its _id derives from the ticket). */
  async function recordCreation(ticket: Pick<TicketDoc, '_id' | 'createdAt' | 'channel' | 'type' | 'priority' | 'classification'>, actor: Actor): Promise<void> {
    const c = ticket.classification;
    const confidence = c.confidence.toFixed(2);
    const detail = `via ${ticket.channel}; ${ticket.type} / ${ticket.priority} (${c.source}, confidence ${confidence})`;
    const params = { channel: ticket.channel, type: ticket.type, priority: ticket.priority, source: c.source, confidence };
    try {
      await insertOne(TicketEvent, { _id: derivedId('ticket-created', ticket._id.toString()), ticket: ticket._id, actor, action: 'created', from: null, to: 'new', detail, code: 'created.via', params, at: ticket.createdAt });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  async function transition(ticketId: Types.ObjectId, to: TicketStatus, actor: Actor, detail: EventDetail = ''): Promise<TicketDoc> {
    const current = await Ticket.findById(ticketId).lean();
    if (!current) throw new TransitionConflict('ticket not found');
    const reason = transitionError(current.status, to);
    if (reason) throw new TransitionConflict(reason);
    const now = new Date();
    const set: Partial<TicketDoc> = { status: to };
    if (to === 'resolved') set.resolvedAt = now;
    if (to === 'closed') set.closedAt = now;
    const releases = to === 'new' && current.assignee !== null;
    if (to === 'new') set.assignee = null;
    // Compare-and-set on the status (and owner) we read: a concurrent change makes this a conflict.
    const filter = releases ? { _id: ticketId, status: current.status, assignee: current.assignee } : { _id: ticketId, status: current.status };
    const res = await Ticket.updateOne(filter, { $set: set });
    if (res.modifiedCount !== 1) throw new TransitionConflict(`the ticket changed meanwhile (was ${current.status})`);
    // Back in the queue: the owner key follows, so the next agent can take it.
    if (releases) await deps.owners?.compareAndSet(ticketId.toString(), current.assignee!.toString(), null);
    await addEvent(ticketId, actor, 'status', current.status, to, detail, now);
    const updated = { ...current, ...set, updatedAt: now } as TicketDoc;
    await bus.publish(ticketUpdated(updated, releases ? ['status', 'assignee'] : ['status'], now));
    return updated;
  }

  const teamName = async (id: Types.ObjectId | null): Promise<string | null> => (id ? ((await deps.Team.findById(id, { name: 1 }).lean())?.name ?? null) : null);

  const editFields: TicketService['editFields'] = async (ticketId, changes, actor, opts = {}) => {
    const t = await Ticket.findById(ticketId).lean();
    if (!t) return null;
    const set: Partial<TicketDoc> = {};
    const changed: TicketField[] = [];
    if (changes.team && !t.team?.equals(changes.team)) {
      set.team = changes.team;
      changed.push('team');
    }
    if (changes.priority && changes.priority !== t.priority) {
      set.priority = changes.priority;
      changed.push('priority');
    }
    if (changes.type && changes.type !== t.type) {
      set.type = changes.type;
      set.classification = { source: 'agent', confidence: 1, matched: [] };
      changed.push('type');
    }
    const tags = changes.tags && [...new Set(changes.tags.map((x) => x.trim()).filter(Boolean))];
    if (tags && tags.join('\u0000') !== t.tags.join('\u0000')) {
      set.tags = tags;
      changed.push('tags');
    }
    if (changed.length === 0 && !opts.record) return { ticket: t, changed };
    const now = new Date();
    if (changed.length > 0) {
      const expected = opts.expect?.priority ? { priority: opts.expect.priority } : {};
      const res = await Ticket.updateOne({ _id: t._id, ...expected }, { $set: set });
      if (opts.expect && res.modifiedCount !== 1) return null;
    }
    const why = opts.why ?? {};
    if (opts.record) {
      const r = opts.record;
      await addEvent(t._id, actor, r.action, r.from, r.to, r.detail, now);
    } else {
      if (set.team) {
        const [from, to] = await Promise.all([teamName(t.team), teamName(set.team)]);
        const names = `${from ?? 'no team'} → ${to ?? set.team.toString()}`;
        const w = why.team === undefined ? undefined : eventText(why.team);
        const params = { ...(w?.params ?? {}), from: from ?? '', to: to ?? set.team.toString() };
        await addEvent(t._id, actor, 'team', t.team?.toString() ?? null, set.team.toString(), { code: w?.code || 'team.changed', params, text: w ? `${w.detail}: ${names}` : names }, now);
      }
      if (set.priority) await addEvent(t._id, actor, 'priority', t.priority, set.priority, why.priority ?? '', now);
      if (set.type) {
        const was = t.classification;
        const confidence = was.confidence.toFixed(2);
        const detail = why.type ?? {
          code: 'classification.corrected',
          params: { name: actor.name, was: t.type, source: was.source, confidence },
          text: `corrected by ${actor.name} (was ${t.type} from ${was.source}, confidence ${confidence})`,
        };
        await addEvent(t._id, actor, 'classification', t.type, set.type, detail, now);
      }
      if (set.tags) await addEvent(t._id, actor, 'tags', t.tags.join(', '), set.tags.join(', '), why.tags ?? '', now);
    }
    const ticket = { ...t, ...set, updatedAt: now } as TicketDoc;
    const names = [...changed, ...(opts.changes ?? [])];
    if (opts.publish !== false && names.length > 0) await bus.publish(ticketUpdated(ticket, names, now));
    return { ticket, changed };
  };

  return {
    editFields,

    async open(input) {
      const _id = ticketIdForOrigin(input.origin);
      const number = await numbers.next();
      const createdAt = new Date();
      // The "created" timeline entry goes with the ticket, not after it: its id derives from the
      // ticket's, so a retry or a lost race inserts it at most once (see recordCreation).
      const entry = recordCreation(
        { _id, createdAt, channel: input.channel, type: input.type, priority: input.priority, classification: input.classification },
        input.actor,
      );
      try {
        const [doc] = await Promise.all([
          insertOne(Ticket, {
            _id,
            number,
            origin: input.origin,
            type: input.type,
            status: 'new',
            priority: input.priority,
            channel: input.channel,
            contact: input.contact,
            subject: input.subject,
            language: input.language,
            classification: input.classification,
            previousTicket: input.previousTicket,
            team: input.team,
            lastCustomerMessageAt: input.at,
            createdAt,
          }),
          entry,
        ]);
        return { ticket: doc, created: true };
      } catch (err) {
        await entry.catch(() => undefined);
        if (!isDuplicateKey(err)) throw err;
        const winner = await Ticket.findById(_id).lean();
        if (!winner) throw err;
        return { ticket: winner, created: false };
      }
    },

    async findThread(channel, refs, contact) {
      // Email References can be long; the most recent ids are the ones that matter.
      const keys = [...new Set(refs.filter((r) => !TICKET_NUMBER_REF.test(r)).slice(-20))].map((r) => `${channel}:${r}`);
      const hits = (await Promise.all(keys.map((k) => ThreadKey.findById(k).lean()))).filter((h) => h !== null);
      // A thread reference only continues the same customer's conversation.
      const mine = hits.filter((h) => h.contact.equals(contact)).sort((a, b) => b.at.getTime() - a.at.getTime())[0];
      if (mine) return Ticket.findById(mine.ticket).lean();
      // A ticket number (an email subject's [#n]) only leads to a ticket of this same contact.
      const number = refs.map((r) => TICKET_NUMBER_REF.exec(r)).find((m) => m !== null)?.[1];
      return number ? Ticket.findOne({ number: Number(number), contact }).lean() : null;
    },

    async indexThread(channel, keys, ticket, at) {
      await Promise.all(
        [...new Set(keys)].filter((key) => !TICKET_NUMBER_REF.test(key)).map(async (key) => {
          const _id = `${channel}:${key}`;
          const doc = { ticket: ticket._id, contact: ticket.contact, at };
          try {
            // Insert first: most keys are new (a message's own id), and an insert costs the
            // database one write where an upsert costs a read and a write (and a lock).
            await insertOne(ThreadKey, { _id, ...doc });
          } catch (err) {
            // The key exists (a reference shared with earlier mail): point it at this ticket.
            if (!isDuplicateKey(err)) throw err;
            await ThreadKey.updateOne({ _id }, { $set: doc });
          }
        }),
      );
    },

    async recordCustomerMessage(ticket, at, actor) {
      await Ticket.updateOne({ _id: ticket._id }, { $set: { lastCustomerMessageAt: at } });
      let current: TicketDoc = { ...ticket, lastCustomerMessageAt: at };
      const withinWindow = ticket.resolvedAt !== null && at.getTime() - ticket.resolvedAt.getTime() <= deps.reopenWindowMs;
      if (ticket.status === 'pending' || (ticket.status === 'resolved' && withinWindow)) {
        const to: TicketStatus = ticket.assignee ? 'open' : 'new';
        const why = ticket.status === 'pending' ? 'customer replied' : 'customer replied after resolution: reopened';
        try {
          current = await transition(ticket._id, to, actor, why);
        } catch (err) {
          if (!(err instanceof TransitionConflict)) throw err;
        }
      }
      return current;
    },

    transition,
    addEvent,
  };
}

/** The `ticket.updated` event for a ticket as it is now. */
export function ticketUpdated(t: Pick<TicketDoc, '_id' | 'number' | 'status' | 'assignee' | 'team'>, changes: string[], at = new Date()): TicketUpdatedEvent {
  return {
    type: 'ticket.updated',
    ticketId: t._id.toString(),
    number: t.number,
    status: t.status,
    assigneeId: t.assignee?.toString() ?? null,
    teamId: t.team?.toString() ?? null,
    changes,
    at: at.toISOString(),
  };
}

/** The `ticket.created` event of a ticket just opened (`placed`: its team was chosen, routing keeps it). */
export function ticketCreated(
  t: Pick<TicketDoc, '_id' | 'number' | 'type' | 'priority' | 'status' | 'channel' | 'contact' | 'team'>,
  at: Date | string = new Date(),
  placed?: boolean,
): TicketCreatedEvent {
  return {
    type: 'ticket.created',
    ticketId: t._id.toString(),
    number: t.number,
    ticketType: t.type,
    priority: t.priority,
    status: t.status,
    channel: t.channel,
    contactId: t.contact.toString(),
    teamId: t.team?.toString() ?? null,
    ...(placed ? { placed } : {}),
    at: typeof at === 'string' ? at : at.toISOString(),
  };
}

/** A ticket's _id is derived from its origin, so opening it twice collides on _id. */
export const ticketIdForOrigin = (origin: string): Types.ObjectId => derivedId('ticket', origin);

/** Whether a customer message should start a new ticket instead of continuing this one. */
export function needsNewTicket(ticket: TicketDoc, at: Date, reopenWindowMs: number): boolean {
  if (ticket.status === 'closed') return true;
  if (ticket.status === 'resolved') return !ticket.resolvedAt || at.getTime() - ticket.resolvedAt.getTime() > reopenWindowMs;
  return false;
}
