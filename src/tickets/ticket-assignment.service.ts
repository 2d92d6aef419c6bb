import { Types } from 'mongoose';
import { PRIORITIES, type Priority } from '../../channels/contract';
import type { UserModel } from '../auth/user.model';
import type { ContactModel } from '../contacts/contact.model';
import type { EventBus } from '../events/event-bus';
import { messageIdFor } from '../db/derived-id';
import type { MessageModel } from './message.model';
import type { Actor } from './ticket-event.model';
import type { TicketOwners } from './ticket-owner.store';
import type { TicketDoc, TicketModel } from './ticket.model';
import { TransitionConflict, type TicketService, ticketUpdated } from './ticket.service';

export const ROUTING_ACTOR: Actor = { kind: 'system', id: 'routing', name: 'routing' };
/** The reasons an owner changes, as the codes of their timeline entries (`assignee.<reason>`). */
const ASSIGNEE_REASONS: Record<string, string> = {
  taken: 'taken',
  released: 'released',
  assigned: 'assigned',
  unassigned: 'unassigned',
  replied: 'replied',
  'assigned by routing': 'routing',
  'agent unavailable': 'agent_unavailable',
  reassigned: 'reassigned',
  transferred: 'transferred',
};
const SLA_ACTOR: Actor = { kind: 'system', id: 'sla', name: 'SLA' };

export interface AssignmentDeps {
  Ticket: TicketModel;
  Message: MessageModel;
  Contact: ContactModel;
  User: UserModel;
  tickets: TicketService;
  owners: TicketOwners;
  bus: EventBus;
}

/**
 * Who owns a ticket, written in one place. The Redis owner key is compare-and-set first
 * (the arbiter), then MongoDB's `assignee` with the same expectation; then the timeline,
 * the new → open / open → new status change and the `ticket.updated` event.
 * Used by agents' take/release/assign and by routing's decisions alike.
 */
export function createAssignmentService(deps: AssignmentDeps) {
  const { Ticket, Message, Contact, User, tickets, owners, bus } = deps;

  async function userName(id: Types.ObjectId | null): Promise<string> {
    if (!id) return 'nobody';
    return (await User.findById(id, { name: 1 }).lean())?.name ?? id.toString();
  }

  async function publish(t: TicketDoc, changes: string[]): Promise<void> {
    await bus.publish(ticketUpdated(t, changes));
  }

  /**
   * Changes the assignee from what `t` says to `next`. Throws {@link TransitionConflict}
   * when someone else changed it first. No permission checks here.
   */
  async function setAssignee(t: TicketDoc, next: Types.ObjectId | null, actor: Actor, why: string): Promise<TicketDoc> {
    const expected = t.assignee;
    if (expected === next || (expected && next && expected.equals(next))) return t;
    const cas = await owners.compareAndSet(t._id.toString(), expected?.toString() ?? null, next?.toString() ?? null);
    if (!cas.ok) throw new TransitionConflict(`the ticket was just ${cas.owner ? 'taken by someone else' : 'released'}; reload it and try again`);
    const now = new Date();
    // Someone owns it now: a flag for supervisors (nobody would take it) is over.
    const res = await Ticket.updateOne({ _id: t._id, assignee: expected }, { $set: { assignee: next, ...(next ? { needsAttention: null } : {}) } });
    if (res.matchedCount !== 1) {
      // MongoDB moved under us: put the key back to what MongoDB says.
      const actual = await Ticket.findById(t._id, { assignee: 1 }).lean();
      await owners.compareAndSet(t._id.toString(), next?.toString() ?? null, actual?.assignee?.toString() ?? null);
      throw new TransitionConflict('the ticket changed meanwhile; reload it and try again');
    }
    if (next && !t.acceptedAt) await Ticket.updateOne({ _id: t._id, acceptedAt: null }, { $set: { acceptedAt: now } });
    const [fromName, toName] = await Promise.all([userName(expected), userName(next)]);
    const reason = ASSIGNEE_REASONS[why] ?? (why.startsWith('routing') ? 'routing' : 'other');
    const params = { from: expected ? fromName : '', to: next ? toName : '', ...(reason === 'other' ? { note: why } : {}) };
    await tickets.addEvent(t._id, actor, 'assignee', expected?.toString() ?? null, next?.toString() ?? null, { code: `assignee.${reason}`, params, text: `${why}: ${fromName} → ${toName}` }, now);
    let current = (await Ticket.findById(t._id).lean()) ?? t;
    if (next && current.status === 'new') current = await tickets.transition(t._id, 'open', actor, { code: 'status.owner', params: { name: toName }, text: `${toName} owns it` });
    else if (!next && current.status === 'open') current = await tickets.transition(t._id, 'new', actor, { code: 'status.queued', text: 'back in the queue' });
    await publish(current, ['assignee']);
    return current;
  }

  const load = (id: string) => (Types.ObjectId.isValid(id) ? Ticket.findById(id).lean() : Promise.resolve(null));

  const service = {
    setAssignee,

    /**
     * Routing reserved `agentId` for the ticket; false when the ticket no longer wants an agent.
     * A person's decision routing recorded (`decidedBy`) is written as that person, with their
     * note, and leaves the ticket's team as it is (they chose the owner, not the team).
     */
    async recordRouted(a: {
      ticketId: string;
      agentId: string;
      teamId: string;
      via: string;
      decidedBy?: { actorId: string | null; note: string; expectedAgentId?: string | null };
    }): Promise<boolean> {
      const t = await load(a.ticketId);
      if (!t || t.status === 'resolved' || t.status === 'closed' || t.mergedInto) return false;
      // Someone took the ticket outside routing meanwhile (before routing knew it): they keep it.
      const owner = t.assignee?.toString() ?? null;
      // (Handovers were checked against the holder by routing's own atomic step.)
      const seen = a.decidedBy?.expectedAgentId;
      if (owner && owner !== a.agentId && a.via !== 'transfer' && (!a.decidedBy || (seen !== undefined && owner !== seen))) return false;
      if (a.decidedBy) {
        const { actorId, note } = a.decidedBy;
        const actor: Actor = actorId && Types.ObjectId.isValid(actorId) ? { kind: 'user', id: actorId, name: await userName(new Types.ObjectId(actorId)) } : { ...ROUTING_ACTOR };
        await setAssignee(t, new Types.ObjectId(a.agentId), actor, note || 'assigned');
        return true;
      }
      const why = a.via === 'auto' ? 'assigned by routing' : `routing (${a.via})`;
      let current: TicketDoc = t;
      if (Types.ObjectId.isValid(a.teamId) && !t.team?.equals(a.teamId)) {
        // The owner's change below publishes the ticket as it is then (its new team included).
        current = (await tickets.editFields(t._id, { team: new Types.ObjectId(a.teamId) }, ROUTING_ACTOR, { why: { team: { code: 'team.routing', params: { via: a.via }, text: why } }, publish: false }))?.ticket ?? t;
      }
      await setAssignee(current, new Types.ObjectId(a.agentId), ROUTING_ACTOR, why);
      return true;
    },

    /**
     * Routing found nobody who will take the waiting ticket (every eligible agent declined):
     * flagged for supervisors, with a timeline event naming who declined.
     */
    async recordNeedsAttention(n: { ticketId: string; reason: string; declinedBy: string[]; at: Date }): Promise<void> {
      const t = await load(n.ticketId);
      if (!t || t.assignee || t.status === 'resolved' || t.status === 'closed' || t.mergedInto) return;
      await Ticket.updateOne({ _id: t._id, assignee: null }, { $set: { needsAttention: { reason: n.reason, at: n.at } } });
      const names = await Promise.all(n.declinedBy.map((id) => (Types.ObjectId.isValid(id) ? userName(new Types.ObjectId(id)) : Promise.resolve(id))));
      await tickets.addEvent(t._id, ROUTING_ACTOR, 'needs_attention', null, n.reason, { code: 'needs_attention.declined', params: { names: names.join(', ') }, text: `declined by every available agent: ${names.join(', ')}` }, n.at);
      const current = (await Ticket.findById(t._id).lean()) ?? t;
      await publish(current, ['needsAttention']);
    },

    /** Routing took the ticket from `agentId` (unavailable, reassigned, transferred). */
    async recordUnrouted(u: { ticketId: string; agentId: string; reason: string }): Promise<void> {
      const t = await load(u.ticketId);
      if (!t?.assignee?.equals(u.agentId)) return;
      await setAssignee(t, null, ROUTING_ACTOR, u.reason.replace(/_/g, ' '));
    },

    async recordTransfer(x: { ticketId: string; fromAgentId: string | null; toAgentId: string | null; fromTeamId: string; toTeamId: string; note: string; actorId: string | null }): Promise<void> {
      const t = await load(x.ticketId);
      if (!t) return;
      const actorName = x.actorId ? await userName(Types.ObjectId.isValid(x.actorId) ? new Types.ObjectId(x.actorId) : null) : 'routing';
      const actor: Actor = x.actorId ? { kind: 'user', id: x.actorId, name: actorName } : ROUTING_ACTOR;
      // The handover is its own timeline event (with the note), the new team included.
      const team = x.toTeamId !== x.fromTeamId && Types.ObjectId.isValid(x.toTeamId) ? new Types.ObjectId(x.toTeamId) : undefined;
      await tickets.editFields(t._id, { team }, actor, {
        record: { action: 'transfer', from: x.fromAgentId ?? x.fromTeamId, to: x.toAgentId ?? x.toTeamId, detail: x.note },
        changes: ['transfer'],
      });
    },

    /** What routing needs to queue a ticket: its fields, the customer's tier, the opening text. */
    async routingFacts(ticketId: string) {
      const t = await load(ticketId);
      if (!t) return null;
      const [contact, first] = await Promise.all([
        Contact.findById(t.contact, { tier: 1 }).lean(),
        // The opening message's _id derives from the ticket's origin (channel:externalId).
        t.origin.includes(':') ? Message.findById(messageIdFor(t.origin.slice(0, t.origin.indexOf(':')), t.origin.slice(t.origin.indexOf(':') + 1)), { text: 1 }).lean() : null,
      ]);
      return {
        ticketId,
        channel: t.channel,
        type: t.type,
        priority: t.priority,
        status: t.status,
        language: t.language,
        teamId: t.team?.toString() ?? null,
        assigneeId: t.assignee?.toString() ?? null,
        contactId: t.contact.toString(),
        contactTier: contact?.tier ?? null,
        createdAt: t.createdAt,
        text: `${t.subject}\n${first?.text ?? ''}`,
      };
    },

    /** The team routing's queue rules placed the ticket in. */
    async setTeam(ticketId: string, teamId: string): Promise<void> {
      if (!Types.ObjectId.isValid(ticketId) || !Types.ObjectId.isValid(teamId)) return;
      await tickets.editFields(ticketId, { team: new Types.ObjectId(teamId) }, ROUTING_ACTOR, { why: { team: { code: 'team.rules', text: 'queue rules' } } });
    },

    /** Tickets waiting for an agent, oldest first (a bounded scan, for reconciliation on start). */
    async waitingTickets(limit: number): Promise<string[]> {
      const rows = await Ticket.find({ status: 'new', assignee: null, mergedInto: null }, { _id: 1 }).sort({ createdAt: 1 }).limit(limit).lean();
      return rows.map((r) => r._id.toString());
    },

    async persistDueTimes(ticketId: string, due: { firstResponseDueAt: Date | null; nextResponseDueAt: Date | null; resolutionDueAt: Date | null }): Promise<void> {
      if (Types.ObjectId.isValid(ticketId)) await Ticket.updateOne({ _id: ticketId }, { $set: { sla: due } });
    },

    /** SLA escalation: one priority step up (compare-and-set on the current priority). */
    async raisePriority(ticketId: string): Promise<Priority | null> {
      const t = await load(ticketId);
      if (!t) return null;
      const next = PRIORITIES[Math.min(PRIORITIES.indexOf(t.priority) + 1, PRIORITIES.length - 1)]!;
      if (next === t.priority) return null;
      const r = await tickets.editFields(t._id, { priority: next }, SLA_ACTOR, { expect: { priority: t.priority }, why: { priority: { code: 'priority.sla_escalation', text: 'raised by SLA escalation' } } });
      return r && r.changed.length > 0 ? next : null;
    },
  };

  return {
    ...service,

    /**
     * Routing's persistence ports: its decisions land on tickets here. `release` gives routing
     * back a reservation the ticket no longer wants (it was resolved or merged meanwhile).
     */
    routingPorts(release: (ticketId: string) => Promise<unknown>) {
      return {
        async persistAssignment(a: Parameters<typeof service.recordRouted>[0]): Promise<void> {
          if (!(await service.recordRouted(a))) setImmediate(() => void release(a.ticketId).catch(() => undefined));
        },
        persistUnassignment: (u: Parameters<typeof service.recordUnrouted>[0]) => service.recordUnrouted(u),
        persistTransfer: (x: Parameters<typeof service.recordTransfer>[0]) => service.recordTransfer(x),
        persistNeedsAttention: (n: Parameters<typeof service.recordNeedsAttention>[0]) => service.recordNeedsAttention(n),
      };
    },
  };
}
export type AssignmentService = ReturnType<typeof createAssignmentService>;
