import type { ChannelId, Priority, TicketType } from '../../channels/contract';
import type { Delivery, EventBus } from '../events/event-bus';
import type { DomainEvent } from '../events/event.types';
import { customerTier, type RoutingService } from './routing.service';
import type { SlaService } from './sla.service';

/** What routing and SLA need to know about a ticket, read from the database by the caller. */
export interface RoutingTicketFacts {
  ticketId: string;
  channel: ChannelId;
  type: TicketType;
  priority: Priority;
  status: string;
  language: string;
  teamId: string | null;
  assigneeId: string | null;
  contactId: string;
  contactTier: string | null;
  createdAt: Date;
  /** Subject and first message text, for keyword rules. */
  text: string;
}

export interface RoutingListenerDeps {
  bus: EventBus;
  routing: RoutingService;
  sla: SlaService;
  facts(ticketId: string): Promise<RoutingTicketFacts | null>;
  /** Records the team the queue rules chose. */
  persistTeam(ticketId: string, teamId: string): Promise<void>;
  /** Tickets waiting for an agent (status new, unassigned), oldest first, for reconciliation. */
  waitingTickets(limit: number): Promise<string[]>;
  logger: { warn(obj: object, msg?: string): void };
}

/**
 * Routing and SLA hang off domain events (the ingest and ticket code never call them):
 * a new ticket is queued and its clocks start; status changes release capacity, pause
 * or stop clocks, or put the ticket back in the queue; replies meet response targets once sent.
 * The bus delivers each event to one worker process at least once (the `routing` consumer
 * group): every call is idempotent, so an event delivered again changes nothing, and an event
 * delivered again late (it failed before, or its process died) that no longer matches the
 * ticket (moved on to another status or team since) is skipped.
 * Presence is not among them: the console's switch and the HTTP API reach routing directly
 * and in order (agent-presence.service.ts); bus handlers run concurrently and could apply two
 * quick changes out of order.
 */
export function attachRoutingListeners(deps: RoutingListenerDeps) {
  const { routing, sla } = deps;

  /** New tickets are placed by the queue rules; a ticket coming back stays in its team. */
  async function queue(ticketId: string, byRules = false): Promise<void> {
    const f = await deps.facts(ticketId);
    if (!f || f.assigneeId || (f.status !== 'new' && f.status !== 'open')) return;
    const base = {
      ticketId,
      channel: f.channel,
      priority: f.priority,
      tier: customerTier(f.contactTier),
      language: f.language,
      contactId: f.contactId,
      waitingSince: f.createdAt,
    };
    const outcome =
      f.teamId && !byRules
        ? await routing.enqueue({ ...base, teamId: f.teamId, requiredSkills: [] })
        : await routing.route({ ...base, facts: { channel: f.channel, type: f.type, priority: f.priority, language: f.language, tier: base.tier, text: f.text } });
    if (outcome.teamId !== f.teamId) await deps.persistTeam(ticketId, outcome.teamId);
    await sla.track({ ticketId, type: f.type, priority: f.priority, tier: base.tier, teamId: outcome.teamId, createdAt: f.createdAt });
  }

  async function onEvent(e: DomainEvent, delivery: Delivery): Promise<void> {
    switch (e.type) {
      case 'ticket.created':
        return queue(e.ticketId, !e.placed);
      case 'ticket.updated': {
        const moved = e.changes.includes('team') && e.teamId && !e.assigneeId;
        if (!moved && !e.changes.includes('status')) return;
        // A redelivery may come after later changes: apply it only while the ticket still is that way.
        const now = delivery.attempt > 1 ? await deps.facts(e.ticketId) : null;
        if (now && (now.status !== e.status || now.teamId !== e.teamId)) return;
        // A supervisor moved a waiting ticket to another team in the desk (recorded there with its
        // actor): it waits in that team's queue now instead of being routed in the old one.
        if (moved && e.teamId) await routing.moveToTeam(e.ticketId, e.teamId);
        if (!e.changes.includes('status')) return;
        if (e.status === 'resolved' || e.status === 'closed') {
          await routing.release(e.ticketId, e.status);
          await sla.complete(e.ticketId, new Date(e.at));
        } else if (e.status === 'pending') {
          await sla.pause(e.ticketId, new Date(e.at));
        } else if (e.status === 'open') {
          await sla.resume(e.ticketId, new Date(e.at));
        } else if (e.status === 'new') {
          // Back to the queue (released, or reopened without an owner).
          await sla.resume(e.ticketId, new Date(e.at));
          if (!(await routing.reassign(e.ticketId))) await queue(e.ticketId);
        }
        return;
      }
      case 'message.created':
        if (e.direction === 'inbound') await sla.customerMessaged(e.ticketId, new Date(e.at));
        return;
      case 'message.updated':
        // A reply counts once its channel has sent it (at the time it was sent): a queued or
        // failed reply leaves the response clocks running.
        if (e.direction === 'outbound' && (e.deliveryStatus === 'sent' || e.deliveryStatus === 'delivered')) await sla.agentReplied(e.ticketId, new Date(e.at));
        return;
      default:
        return;
    }
  }

  // A handler that throws gets the event again (the bus logs it), up to its delivery limit.
  const unsubscribe = deps.bus.subscribe('routing', onEvent);

  return {
    /** Re-queues waiting tickets no event announced (from before the stream, or trimmed off it), then routes. */
    async reconcile(limit = 5000): Promise<number> {
      const ids = await deps.waitingTickets(limit);
      for (const id of ids) await queue(id).catch((err: unknown) => deps.logger.warn({ err, ticketId: id }, 'reconcile failed'));
      await routing.drainAll();
      return ids.length;
    },
    /** Stops listening (after the event in hand). */
    stop(): Promise<void> {
      return unsubscribe();
    },
  };
}
