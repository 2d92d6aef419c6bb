import type { Principal } from '../auth/principal';
import type { EventBus } from '../events/event-bus';
import { DeskError, conflict, invalid, notFound } from '../tickets/desk.errors';
import type { MessageModel } from '../tickets/message.model';
import type { ThreadKeyModel } from '../tickets/thread-key.model';
import { actorOf } from '../tickets/ticket-desk.service';
import { ticketScope, toObjectId } from '../tickets/ticket-scope';
import { createViews, type TicketView, type ViewDeps } from '../tickets/ticket-views';
import type { TicketModel } from '../tickets/ticket.model';
import { ticketUpdated, type TicketService } from '../tickets/ticket.service';
import type { ContactDoc, ContactModel, IdentityModel, ValueTier } from './contact.model';
import { identityKey } from './identity';
import type { OptOutView } from './opt-out.service';

export interface ContactChanges {
  name?: string;
  tags?: string[];
  tier?: ValueTier | null;
  language?: string;
}

export interface ContactDeskDeps extends ViewDeps {
  Contact: ContactModel;
  Identity: IdentityModel;
  Ticket: TicketModel;
  Message: MessageModel;
  ThreadKey: ThreadKeyModel;
  tickets: TicketService;
  bus: EventBus;
  /** The opt-outs in force for a contact's addresses (SMS STOP). */
  optOuts?(identities: ContactDoc['identities']): Promise<OptOutView[]>;
}

/** For the HTTP layer, which may not import models. */
export { VALUE_TIERS } from './contact.model';

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const MAX_PAGE = 200;
const MAX_CONTACT_TICKETS = 500;

/**
 * Customer profiles for agents: search, read (with every ticket across channels the
 * caller may see), edit, and merge two profiles of one person.
 */
export function createContactDesk(deps: ContactDeskDeps) {
  const { Contact, Identity, Ticket, Message, ThreadKey, tickets, bus } = deps;
  const views = createViews(deps);

  async function find(id: string): Promise<ContactDoc> {
    const _id = toObjectId(id);
    const c = _id ? await Contact.findById(_id).lean() : null;
    if (!c) throw notFound('contact', id);
    return c;
  }

  /** Moves everything of `source` to `survivor`; idempotent, so a second run sweeps up stragglers. */
  async function moveAll(source: ContactDoc, survivor: ContactDoc) {
    // Identities: the index documents (_id lookups for the known ones, then any left behind).
    const keys = source.identities.map(identityKey);
    await Promise.all(keys.map((k) => Identity.updateOne({ _id: k, contact: source._id }, { $set: { contact: survivor._id } })));
    const strays = await Identity.updateMany({ contact: source._id }, { $set: { contact: survivor._id } });
    const movedTickets = await Ticket.find({ contact: source._id }, { _id: 1, number: 1 }).lean();
    if (movedTickets.length) await Ticket.updateMany({ _id: { $in: movedTickets.map((t) => t._id) } }, { $set: { contact: survivor._id } });
    await Message.updateMany({ contact: source._id }, { $set: { contact: survivor._id } });
    // Thread keys carry the contact: a reply to an old thread must still find it.
    await ThreadKey.updateMany({ contact: source._id }, { $set: { contact: survivor._id } });
    return { tickets: movedTickets, identities: keys.length + strays.modifiedCount };
  }

  return {
    async list(q: { q?: string; limit?: number; cursor?: string }): Promise<{ items: ContactDoc[]; nextCursor: string | null }> {
      const limit = Math.min(Math.max(q.limit ?? 50, 1), MAX_PAGE);
      const and: Array<Record<string, unknown>> = [{ mergedInto: null }];
      if (q.q?.trim()) {
        const re = { $regex: escapeRegex(q.q.trim()), $options: 'i' };
        and.push({ $or: [{ name: re }, { 'identities.value': re }] });
      }
      if (q.cursor) {
        const after = toObjectId(q.cursor);
        if (!after) throw new DeskError(400, 'The cursor is not valid; start again without it.');
        and.push({ _id: { $lt: after } });
      }
      const docs = await Contact.find({ $and: and }).sort({ _id: -1 }).limit(limit + 1).lean();
      const items = docs.slice(0, limit);
      return { items, nextCursor: docs.length > limit ? items[items.length - 1]!._id.toString() : null };
    },

    async detail(p: Principal, id: string): Promise<{ contact: ContactDoc; tickets: TicketView[]; optOuts: OptOutView[] }> {
      const contact = await find(id);
      const docs = await Ticket.find({ $and: [{ contact: contact._id }, ticketScope(p)] })
        .sort({ createdAt: -1, _id: -1 })
        .limit(MAX_CONTACT_TICKETS)
        .lean();
      return { contact, tickets: await views.tickets(docs), optOuts: (await deps.optOuts?.(contact.identities)) ?? [] };
    },

    async update(p: Principal, id: string, changes: ContactChanges): Promise<ContactDoc> {
      // A tier drives queue priority and SLA targets: setting it by hand is a supervisor's or an admin's call.
      if (changes.tier !== undefined && p.role === 'agent') {
        throw new DeskError(403, 'Only supervisors and admins may set a customer’s value tier.', [
          { field: 'tier', message: 'only supervisors and admins may set the value tier', code: 'forbidden' },
        ]);
      }
      const contact = await find(id);
      const set: Record<string, unknown> = {};
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.language !== undefined) set.language = changes.language;
      // A tier set by hand is an override: it wins over the computed one; null clears it (the computed tier applies again).
      if (changes.tier !== undefined) {
        set.tierOverride = changes.tier;
        set.tier = changes.tier ?? contact.computedTier ?? null;
      }
      if (changes.tags !== undefined) set.tags = [...new Set(changes.tags.map((t) => t.trim()).filter(Boolean))];
      if (Object.keys(set).length) await Contact.updateOne({ _id: contact._id }, { $set: set });
      return find(id);
    },

    /**
     * Merges `sourceId` into `survivorId`. The source is marked first (new inbound from its
     * identities follows `mergedInto` from that moment), then identities, tickets, messages
     * and thread keys move; the moved tickets' timelines and the survivor record the merge.
     * No transactions: every step is idempotent and calling it again completes a partial merge.
     */
    async merge(p: Principal, survivorId: string, sourceId: string): Promise<ContactDoc> {
      const [survivor, source] = await Promise.all([find(survivorId), find(sourceId)]);
      if (survivor._id.equals(source._id)) throw invalid('A contact cannot be merged into itself.');
      if (survivor.mergedInto) throw conflict(`Contact ${survivorId} was itself merged into ${survivor.mergedInto.toString()}; merge into that one.`);
      if (source.mergedInto && !source.mergedInto.equals(survivor._id)) throw conflict(`Contact ${sourceId} was already merged into another contact.`);
      const actor = actorOf(p);
      const firstTime = !source.mergedInto;
      await Contact.updateOne({ _id: source._id }, { $set: { mergedInto: survivor._id } });

      const moved = await moveAll(source, survivor);
      const set: Record<string, unknown> = {};
      if (!survivor.name && source.name) set.name = source.name;
      if (!survivor.language && source.language) set.language = source.language;
      if (!survivor.tier && source.tier) set.tier = source.tier;
      if (!survivor.organization && source.organization) set.organization = source.organization;
      const record = { contact: source._id, at: new Date(), actor, tickets: moved.tickets.length, identities: moved.identities };
      await Contact.updateOne(
        { _id: survivor._id },
        {
          $addToSet: { identities: { $each: source.identities }, tags: { $each: source.tags } },
          ...(Object.keys(set).length ? { $set: set } : {}),
          ...(firstTime ? { $push: { merges: record } } : {}),
        },
      );

      const label = (c: ContactDoc) => `${c.name || c.identities[0]?.value || c._id.toString()}`;
      for (const t of moved.tickets) {
        await tickets.addEvent(t._id, actor, 'contact_merged', source._id.toString(), survivor._id.toString(), { code: 'contact.merged', params: { from: label(source), to: label(survivor) }, text: `customer ${label(source)} merged into ${label(survivor)}` });
        const doc = await Ticket.findById(t._id).lean();
        if (doc) {
          await bus.publish(ticketUpdated(doc, ['contact']));
        }
      }
      return find(survivor._id.toString());
    },
  };
}
export type ContactDesk = ReturnType<typeof createContactDesk>;
