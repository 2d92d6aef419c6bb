import type { EventBus, Unsubscribe } from '../events/event-bus';
import type { DomainEventType } from '../events/event.types';
import type { StatsService } from './stats.service';

/** Events after which a ticket's recorded times may have changed. */
const TICKET_EVENTS: ReadonlySet<DomainEventType> = new Set<DomainEventType>([
  'ticket.created',
  'ticket.updated',
  'message.updated',
  'routing.assigned',
  'routing.released',
  'routing.transferred',
  'sla.breached',
  'csat.answered',
]);

/**
 * The `stats` consumer group: after an event about a ticket, its share of the hourly buckets
 * is recomputed from what is stored on it and only the difference is `$inc`ed. Delivering an
 * event again (the bus does, after a failure) therefore changes nothing.
 */
export function startStatsListener(bus: EventBus, stats: StatsService): Unsubscribe {
  return bus.subscribe('stats', async (event) => {
    if (!TICKET_EVENTS.has(event.type) || !('ticketId' in event)) return;
    await stats.refreshTicket(event.ticketId);
  });
}
