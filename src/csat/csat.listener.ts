import type { EventBus, Unsubscribe } from '../events/event-bus';
import type { CsatService } from './csat.service';

/**
 * The `csat` listener group: a ticket that became resolved gets its satisfaction question
 * (once: the survey is keyed by the ticket, so a redelivery or a second resolution asks nothing new).
 */
export function startCsatListener(bus: EventBus, csat: Pick<CsatService, 'ask'>): Unsubscribe {
  return bus.subscribe('csat', async (e) => {
    if (e.type !== 'ticket.updated' || e.status !== 'resolved' || !e.changes.includes('status')) return;
    await csat.ask(e.ticketId);
  });
}
