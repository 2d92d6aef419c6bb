import { Types } from 'mongoose';
import { careSubject, tierName } from '../care/care-texts';
import type { ChannelId } from '../../channels/contract';
import type { ContactModel, ValueTier } from '../contacts/contact.model';
import { isDuplicateKey } from '../db/models';
import type { EventBus } from '../events/event-bus';
import type { TicketModel } from '../tickets/ticket.model';
import { SYSTEM, ticketCreated, ticketIdForOrigin, type TicketService } from '../tickets/ticket.service';
import type { CustomerValueDoc, ValueModels } from './value.model';
import type { ValueSettings } from './value-settings.store';

export interface CareDeps extends Pick<ValueModels, 'CustomerValue' | 'CareOpening' | 'CareClaim'> {
  Contact: ContactModel;
  Ticket: TicketModel;
  tickets: TicketService;
  bus: EventBus;
  defaultTeam: Types.ObjectId;
  settings(): Promise<ValueSettings>;
}

export interface CareRunSummary {
  /** Moves (to declining, down a tier) not handled before. */
  moves: number;
  opened: number;
  /** Moves of customers who already had an open care ticket: none opened for them. */
  alreadyOpen: number;
}

const CLOSED = new Set(['resolved', 'closed']);
const CARE_ACTOR = { ...SYSTEM, name: 'proactive care' };

/**
 * Proactive care: a care ticket for each customer who newly moved to `declining` or down a
 * tier (the moves the recompute recorded), for the team that owns the customer's tier.
 * Two unique keys make it safe to run any number of times, on any number of processes:
 * `care_openings` (`contact:move`) lets each move be handled once, and `care_claims` (the
 * contact's id) holds the customer's one open care ticket; a claim whose ticket is resolved or
 * closed is released on the next move.
 */
export function createCareService(deps: CareDeps) {
  const { CustomerValue, CareOpening, CareClaim, Contact, Ticket, tickets, bus } = deps;

  /** Takes the customer's care slot for `ticket`; false when an open care ticket holds it. */
  async function claim(contact: Types.ObjectId, ticket: Types.ObjectId, at: Date): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await CareClaim.create({ _id: contact, ticket, at });
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const held = await CareClaim.findById(contact).lean();
        if (!held) continue;
        if (held.ticket.equals(ticket)) return true;
        const t = await Ticket.findById(held.ticket, { status: 1 }).lean();
        if (t && !CLOSED.has(t.status)) return false;
        // Its ticket is done: release exactly that claim (another run may have re-taken it meanwhile).
        await CareClaim.deleteOne({ _id: contact, ticket: held.ticket });
      }
    }
    return false;
  }

  function channelFor(identities: Array<{ kind: string }>): ChannelId {
    if (identities.some((i) => i.kind === 'email')) return 'email';
    if (identities.some((i) => i.kind === 'phone')) return 'sms';
    return 'api';
  }

  async function open(v: CustomerValueDoc, settings: ValueSettings): Promise<'opened' | 'already_open' | 'handled'> {
    const change = v.change!;
    const at = new Date();
    const origin = `care:${change.id}`;
    const ticketId = ticketIdForOrigin(origin);
    try {
      await CareOpening.create({ _id: `${v._id.toString()}:${change.id}`, contact: v._id, ticket: ticketId, at });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Handled before, or a run that died between this insert and the ticket: finish it only if the claim is ours.
      const held = await CareClaim.findById(v._id).lean();
      if (!held?.ticket.equals(ticketId) || (await Ticket.exists({ _id: ticketId }))) return 'handled';
    }
    if (!(await claim(v._id, ticketId, at))) {
      await CareOpening.updateOne({ _id: `${v._id.toString()}:${change.id}` }, { $set: { ticket: null } });
      return 'already_open';
    }
    const contact = await Contact.findById(v._id, { name: 1, identities: 1, language: 1 }).lean();
    if (!contact) return 'handled';
    const tier = v.tier as ValueTier | null;
    const team = (tier && settings.careTeams[tier]) || settings.careTeams.fallback;
    const teamId = team ? new Types.ObjectId(team) : deps.defaultTeam;
    const who = contact.name || contact.identities[0]?.value || contact._id.toString();
    const lang = contact.language || '';
    const subject =
      change.kind === 'declining'
        ? careSubject(lang, 'declining', { who })
        : careSubject(lang, 'tierDrop', { who, from: tierName(lang, change.from), to: tierName(lang, change.to) });
    const { ticket, created } = await tickets.open({
      origin,
      channel: channelFor(contact.identities),
      contact: contact._id,
      subject,
      type: 'care',
      priority: 'normal',
      language: contact.language || '',
      classification: { source: 'rules', confidence: 1, matched: [`value.${change.kind}`] },
      previousTicket: null,
      team: teamId,
      at,
      actor: CARE_ACTOR,
    });
    if (created) {
      const params: Record<string, string> = { from: change.from ?? '', to: change.to, code: v.stageReason.code };
      for (const [k, n] of Object.entries(v.stageReason.params)) params[k] = String(n);
      await tickets.addEvent(ticket._id, CARE_ACTOR, 'care', change.from, change.to, {
        code: change.kind === 'declining' ? 'care.declining' : 'care.tier_drop',
        params,
        text: change.kind === 'declining' ? `customer moved to declining (${v.stageReason.code})` : `customer dropped from ${change.from} to ${change.to}`,
      });
      await bus.publish(ticketCreated({ ...ticket, team: teamId }, at, true));
    }
    return 'opened';
  }

  return {
    async run(): Promise<CareRunSummary> {
      const settings = await deps.settings();
      const summary: CareRunSummary = { moves: 0, opened: 0, alreadyOpen: 0 };
      const handled = new Set((await CareOpening.find({}, { _id: 1 }).lean()).map((o) => o._id));
      for await (const v of CustomerValue.find({ change: { $ne: null } }).lean().cursor()) {
        if (!v.change || handled.has(`${v._id.toString()}:${v.change.id}`)) continue;
        summary.moves += 1;
        const outcome = await open(v, settings);
        if (outcome === 'opened') summary.opened += 1;
        if (outcome === 'already_open') summary.alreadyOpen += 1;
      }
      return summary;
    },
  };
}
export type CareService = ReturnType<typeof createCareService>;
