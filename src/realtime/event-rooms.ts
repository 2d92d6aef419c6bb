import type { DomainEvent } from '../events/event.types';

export const rooms = {
  agent: (id: string) => `agent:${id}`,
  team: (id: string) => `team:${id}`,
  ticket: (id: string) => `ticket:${id}`,
  role: (role: string) => `role:${role}`,
  /** Supervisors' floor of a team (joined by its supervisors); `floor:*` is every team's (admins). */
  floor: (teamId: string) => `floor:${teamId}`,
  allFloors: 'floor:*',
} as const;

/**
 * The teams whose floor (queues, agents, offers, SLA risk) an event may have changed; for
 * agent.presence the caller adds the agent's teams. Empty: nothing on a floor changed.
 */
export function floorTeamsOf(event: DomainEvent): string[] {
  switch (event.type) {
    case 'ticket.created':
    case 'ticket.updated':
    case 'routing.queued':
    case 'routing.offered':
    case 'routing.offer_declined':
    case 'routing.offer_expired':
    case 'routing.assigned':
    case 'routing.unassigned':
    case 'routing.released':
    case 'sla.warning':
    case 'sla.breached':
      return event.teamId ? [event.teamId] : [];
    case 'routing.transferred':
      return [...new Set([event.fromTeamId, event.toTeamId].filter(Boolean))];
    default:
      return [];
  }
}

/** Who holds a ticket, for events that do not say (message.created). */
export interface TicketAudience {
  teamId: string | null;
  assigneeId: string | null;
}

const add = (set: Set<string>, room: (id: string) => string, id: string | null | undefined): void => {
  if (id) set.add(room(id));
};

/**
 * The rooms of the `/agents` namespace a domain event goes to. Pure: the ticket's team and
 * assignee are looked up by the caller when the event does not carry them.
 *   ticket.created / ticket.updated → team, assignee, ticket, admins
 *   message.created                 → ticket, team (and assignee), admins
 *   routing.* / sla.*               → the agents, teams and ticket they name, admins
 *   agent.presence                  → the agent's own sockets, supervisors, admins
 *   channel.instance.changed        → admins
 *   floor.alert                     → the team's floor (its supervisors), every admin
 */
export function roomsFor(event: DomainEvent, audience: TicketAudience | null = null): string[] {
  const out = new Set<string>();
  switch (event.type) {
    case 'agent.presence':
      add(out, rooms.agent, event.agentId);
      out.add(rooms.role('supervisor'));
      out.add(rooms.role('admin'));
      return [...out];
    case 'channel.instance.changed':
      // Configuration, not work: only admins' consoles hear of it.
      return [rooms.role('admin')];
    case 'floor.alert':
      // The team's supervisors and every admin.
      return [rooms.floor(event.teamId), rooms.allFloors];
    case 'message.created':
      add(out, rooms.team, audience?.teamId);
      add(out, rooms.agent, audience?.assigneeId);
      break;
    case 'ticket.updated':
      add(out, rooms.team, event.teamId);
      add(out, rooms.agent, event.assigneeId);
      break;
    case 'routing.transferred':
      add(out, rooms.team, event.fromTeamId);
      add(out, rooms.team, event.toTeamId);
      add(out, rooms.agent, event.fromAgentId);
      add(out, rooms.agent, event.toAgentId);
      break;
    default:
      if ('teamId' in event) add(out, rooms.team, event.teamId);
      if ('agentId' in event) add(out, rooms.agent, event.agentId);
  }
  add(out, rooms.ticket, event.ticketId);
  out.add(rooms.role('admin'));
  return [...out];
}
