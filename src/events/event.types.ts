import type { ChannelId, Priority, TicketType } from '../../channels/contract';
import type { MessageDirection } from '../tickets/message.model';
import type { TicketStatus } from '../tickets/ticket.model';

interface Base {
  /** ISO time the event happened. */
  at: string;
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
}

export type DomainEvent = TicketCreatedEvent | TicketUpdatedEvent | MessageCreatedEvent;
export type DomainEventType = DomainEvent['type'];
