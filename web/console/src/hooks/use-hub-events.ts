import { useEffect } from 'preact/hooks';
import type { Realtime } from '../realtime';
import { ticketOf, type HubEvent, type Presence, type TicketSummary, type User } from '../types';
import { useLatest } from './use-latest';

/** What the console does about live events: the state each event changes, the alerts it raises. */
export interface HubEventHandlers {
  user: User;
  /** The ticket open in the console, if any. */
  openTicketId: string | null;
  /** The inbox list shown. */
  items: TicketSummary[] | null;
  /** The inbox may have changed: reload it (debounced). */
  refreshList(): void;
  /** The open ticket changed: reload it. */
  ticketChanged(): void;
  presenceHeard(agentId: string, status: Presence): void;
  offered(ticketId: string, expiresAt: string | null): void;
  offerExpired(ticketId: string): void;
  offerGone(ticketId: string): void;
  unmiss(ticketId: string): void;
  /** The socket (re)connected: whatever happened meanwhile is fetched again. */
  reconnected(): void;
  alerts: {
    newTicket(ev: Extract<HubEvent, { type: 'ticket.created' }>): void;
    assigned(ticketId: string): void;
    needsAttention(ticketId: string): void;
    newMessage(ticket: TicketSummary): void;
  };
}

/** The event → state mapping (one event at a time, as the hub sends them). */
export function handleHubEvent(ev: HubEvent, h: HubEventHandlers): void {
  const me = h.user.id;
  if (/^(ticket|message|routing|sla)\./.test(ev.type)) h.refreshList();
  const ticketId = ticketOf(ev);
  if (ticketId && ticketId === h.openTicketId && ev.type !== 'agent.presence') h.ticketChanged();

  switch (ev.type) {
    case 'agent.presence':
      h.presenceHeard(ev.agentId, ev.status);
      break;
    case 'routing.offered':
      if (ev.agentId === me) {
        h.unmiss(ev.ticketId);
        h.offered(ev.ticketId, ev.expiresAt);
        h.alerts.assigned(ev.ticketId);
      }
      break;
    case 'routing.offer_expired':
      if (ev.agentId === me) h.offerExpired(ev.ticketId);
      break;
    case 'routing.offer_declined':
      if (ev.agentId === me) h.offerGone(ev.ticketId);
      break;
    case 'routing.assigned':
      // Someone has it now (me included): no more offer, no more missed-offer card.
      h.unmiss(ev.ticketId);
      h.offerGone(ev.ticketId);
      if (ev.agentId === me) h.alerts.assigned(ev.ticketId);
      break;
    case 'routing.released':
      h.unmiss(ev.ticketId);
      if (ev.agentId !== me) h.offerGone(ev.ticketId);
      break;
    case 'routing.queued':
      h.offerGone(ev.ticketId);
      break;
    case 'routing.needs_attention':
      if (h.user.role !== 'agent') h.alerts.needsAttention(ev.ticketId);
      break;
    case 'ticket.created':
      // New work: a new ticket in my teams (all of them for supervisors and admins).
      if (h.user.role !== 'agent' || !ev.teamId || h.user.teams.includes(ev.teamId)) h.alerts.newTicket(ev);
      break;
    case 'message.created':
      // A customer writing on my ticket, unless I am looking at it.
      if (ev.direction === 'inbound') {
        const mine = h.items?.find((x) => x.id === ev.ticketId && x.assignee?.id === me);
        if (mine && (ev.ticketId !== h.openTicketId || document.hidden)) h.alerts.newMessage(mine);
      }
      break;
    default:
      break;
  }
}

/** Subscribes the console to the hub's live events and to reconnects, for as long as the connection lives. */
export function useHubEvents(rt: Realtime, handlers: HubEventHandlers): void {
  const latest = useLatest(handlers);
  useEffect(() => rt.on((ev) => handleHubEvent(ev, latest.current)), [rt, latest]);
  useEffect(
    () =>
      rt.onStatus((up) => {
        if (up) latest.current.reconnected();
      }),
    [rt, latest],
  );
}
