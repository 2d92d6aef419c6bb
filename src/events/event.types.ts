import type { ChannelId, Priority, TicketType } from '../../channels/contract';
import type { DeliveryStatus, MessageDirection } from '../tickets/message.model';
import type { TicketStatus } from '../tickets/ticket.model';

interface Base {
  /** ISO time the event happened. */
  at: string;
  /**
   * Unique id of this event, set by the bus when it is published (publishers leave it out,
   * or give one to make a republish recognisable). Delivered events always have it:
   * handlers key their idempotency claims on it (see {@link PublishedEvent}).
   */
  id?: string;
}

export interface TicketCreatedEvent extends Base {
  type: 'ticket.created';
  ticketId: string;
  number: number;
  ticketType: TicketType;
  priority: Priority;
  status: TicketStatus;
  channel: ChannelId;
  contactId: string;
  teamId: string | null;
  /** The creator chose the team (a proactive care ticket for the team owning the tier): routing skips the queue rules. */
  placed?: boolean;
}

export interface TicketUpdatedEvent extends Base {
  type: 'ticket.updated';
  ticketId: string;
  number: number;
  status: TicketStatus;
  assigneeId: string | null;
  teamId: string | null;
  /** Which fields changed (status, priority, type, assignee, …). */
  changes: string[];
}

export interface MessageCreatedEvent extends Base {
  type: 'message.created';
  ticketId: string;
  messageId: string;
  direction: MessageDirection;
  channel: ChannelId;
  /**
   * Who held the ticket when the message was stored (its team and agent), so listeners that
   * route the event to people need not read the ticket back. Absent on events from older hubs.
   */
  audience?: { teamId: string | null; assigneeId: string | null };
}

// ---------- routing and SLA (src/routing) ----------

/** An agent's presence changed (by their choice, by a disconnect grace period ending, …). */
export interface AgentPresenceEvent extends Base {
  type: 'agent.presence';
  agentId: string;
  status: 'online' | 'away' | 'offline';
  previous: 'online' | 'away' | 'offline';
  /** `manual` (the agent or a supervisor), `disconnect` (grace period over). */
  reason: 'manual' | 'disconnect';
}

/** A ticket is waiting in a team queue (new, or back after a decline, expiry, transfer, …). */
export interface RoutingQueuedEvent extends Base {
  type: 'routing.queued';
  ticketId: string;
  teamId: string;
  reason: 'new' | 'declined' | 'offer_expired' | 'agent_unavailable' | 'transferred' | 'reassigned';
  /** 1 = next in line; null when it was assigned before the position was read. */
  position: number | null;
  queueLength: number;
  /** Null when nobody who could take it is online. */
  expectedWaitMs: number | null;
}

/** A ticket was offered to an agent, who must accept or decline before `expiresAt`. */
export interface RoutingOfferedEvent extends Base {
  type: 'routing.offered';
  ticketId: string;
  teamId: string;
  agentId: string;
  offerId: string;
  expiresAt: string;
}

export interface RoutingOfferDeclinedEvent extends Base {
  type: 'routing.offer_declined';
  ticketId: string;
  teamId: string;
  agentId: string;
}

export interface RoutingOfferExpiredEvent extends Base {
  type: 'routing.offer_expired';
  ticketId: string;
  teamId: string;
  agentId: string;
}

/**
 * A waiting ticket nobody who could take it will take: every eligible online agent declined it
 * (`declinedBy`). For supervisors; it stays flagged on the ticket until someone is assigned.
 */
export interface RoutingNeedsAttentionEvent extends Base {
  type: 'routing.needs_attention';
  ticketId: string;
  teamId: string;
  reason: 'all_declined';
  declinedBy: string[];
}

/** An agent owns the ticket now (auto-accepted, accepted, picked from the queue, transferred). */
export interface RoutingAssignedEvent extends Base {
  type: 'routing.assigned';
  ticketId: string;
  teamId: string;
  agentId: string;
  /** `manual`: a person assigned it (counted against the agent even above their limit). */
  via: 'auto' | 'accept' | 'pick' | 'transfer' | 'manual';
}

/** A ticket was taken back from the agent who held it (offer returned, agent offline, SLA reassign). */
export interface RoutingUnassignedEvent extends Base {
  type: 'routing.unassigned';
  ticketId: string;
  teamId: string;
  agentId: string;
  /** Whether the agent had accepted it (an open conversation) or only had it offered. */
  wasAccepted: boolean;
  reason: 'agent_unavailable' | 'reassigned';
}

/** The ticket no longer counts against its agent's capacity (resolved, closed, …). */
export interface RoutingReleasedEvent extends Base {
  type: 'routing.released';
  ticketId: string;
  teamId: string;
  agentId: string | null;
  reason: string;
}

/** Customer handover: to another agent or into another team's queue, with a note. */
export interface RoutingTransferredEvent extends Base {
  type: 'routing.transferred';
  ticketId: string;
  fromAgentId: string | null;
  fromTeamId: string;
  toAgentId: string | null;
  toTeamId: string;
  note: string;
  actorId: string | null;
}

export type SlaClock = 'first_response' | 'next_response' | 'resolution';

export interface SlaWarningEvent extends Base {
  type: 'sla.warning';
  ticketId: string;
  clock: SlaClock;
  policyId: string;
  teamId: string | null;
  dueAt: string;
}

export interface SlaBreachedEvent extends Base {
  type: 'sla.breached';
  ticketId: string;
  clock: SlaClock;
  policyId: string;
  teamId: string | null;
  dueAt: string;
}

/** What was done about a breach: supervisors notified, priority raised, ticket reassigned. */
export interface SlaEscalatedEvent extends Base {
  type: 'sla.escalated';
  ticketId: string;
  clock: SlaClock;
  policyId: string;
  teamId: string | null;
  notifySupervisors: boolean;
  priorityRaisedTo: Priority | null;
  reassigned: boolean;
}

// ---------- the supervisors' floor (src/stats) ----------

/**
 * A team's queue went over one of the team's alert limits (`floorAlerts`): more tickets
 * waiting than `maxWaiting` (`waiting`), or the longest wait over `maxWaitSeconds` (`wait`).
 * Once per crossing: the next one only after the queue was back within the limit.
 */
export interface FloorAlertEvent extends Base {
  type: 'floor.alert';
  teamId: string;
  teamName: string;
  reason: 'waiting' | 'wait';
  /** The limit that was crossed (a count, or seconds). */
  limit: number;
  waiting: number;
  oldestWaitSeconds: number | null;
}

// ---------- outbound delivery (src/outbound) ----------

/** An outbound message's delivery changed: sent, delivered, failed (with the reason), or a retry scheduled. */
export interface MessageUpdatedEvent extends Base {
  type: 'message.updated';
  ticketId: string;
  messageId: string;
  direction: MessageDirection;
  channel: ChannelId;
  deliveryStatus: DeliveryStatus;
  deliveryError: string | null;
  /** The stable code of deliveryError (see DELIVERY_ERROR_CODES in src/tickets/delivery-error.codes.ts). */
  deliveryErrorCode: string | null;
}

// ---------- channel instances (src/channels) ----------

/** An admin created, edited or deleted a channel instance: every hub process starts / restarts / stops it. */
export interface ChannelInstanceChangedEvent extends Base {
  type: 'channel.instance.changed';
  instanceId: string;
  change: 'created' | 'updated' | 'deleted';
}

// ---------- customer satisfaction (src/csat) ----------

/** A customer answered the satisfaction question of a resolved ticket (once per ticket), for the cockpit's CSAT. */
export interface CsatAnsweredEvent extends Base {
  type: 'csat.answered';
  ticketId: string;
  /** 1 (very unhappy) … 5 (very happy). */
  score: number;
  /** The channel the answer came through (the ticket's: webchat, email, sms). */
  channel: ChannelId;
  ticketType: TicketType;
  teamId: string | null;
  /** The agent who held the ticket when it was resolved. */
  agentId: string | null;
}

export type DomainEvent =
  | TicketCreatedEvent
  | TicketUpdatedEvent
  | MessageCreatedEvent
  | AgentPresenceEvent
  | RoutingQueuedEvent
  | RoutingOfferedEvent
  | RoutingOfferDeclinedEvent
  | RoutingOfferExpiredEvent
  | RoutingNeedsAttentionEvent
  | RoutingAssignedEvent
  | RoutingUnassignedEvent
  | RoutingReleasedEvent
  | RoutingTransferredEvent
  | SlaWarningEvent
  | SlaBreachedEvent
  | SlaEscalatedEvent
  | MessageUpdatedEvent
  | ChannelInstanceChangedEvent
  | FloorAlertEvent
  | CsatAnsweredEvent;
export type DomainEventType = DomainEvent['type'];

/** An event as handlers receive it: with the id the bus gave it at publish time. */
export type PublishedEvent = DomainEvent & { id: string };
