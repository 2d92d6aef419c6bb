/** Shapes of docs/api-contract.md (v1). */
export type Role = 'agent' | 'supervisor' | 'admin';
export type TicketType = 'complaint' | 'suggestion' | 'care';
export type TicketStatus = 'new' | 'open' | 'pending' | 'resolved' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type ChannelId = 'api' | 'webchat' | 'email' | 'sms' | 'voice' | 'fax';
export type Presence = 'online' | 'away' | 'offline';
export type View = 'mine' | 'unassigned' | 'all';
export type DeliveryStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'failed';

export const TICKET_TYPES: readonly TicketType[] = ['complaint', 'suggestion', 'care'];
export const STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'resolved', 'closed'];
export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];
export const CHANNELS: readonly ChannelId[] = ['api', 'webchat', 'email', 'sms', 'voice', 'fax'];
export const PRESENCES: readonly Presence[] = ['online', 'away', 'offline'];
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending'];

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  teams: string[];
  locale?: string;
  active?: boolean;
}

export interface Ref {
  id: string;
  name: string;
}

export interface TicketSummary {
  id: string;
  number: number;
  type: TicketType;
  status: TicketStatus;
  priority: Priority;
  channel: ChannelId;
  subject: string;
  tags: string[];
  language: string;
  assignee: Ref | null;
  team: Ref | null;
  contact: Ref;
  classification?: { source: string; confidence: number };
  createdAt: string;
  updatedAt: string;
  lastCustomerMessageAt: string | null;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  sla?: { firstResponseDueAt: string | null; nextResponseDueAt: string | null; resolutionDueAt: string | null } | null;
  /** Flagged for supervisors by routing (every eligible agent declined it); null once assigned. */
  needsAttention?: { reason: string; at: string } | null;
  /** Replies whose delivery failed and that nobody retried yet (absent from older hubs). */
  failedReplies?: number;
}

export interface Attachment {
  name: string;
  contentType: string;
  size: number;
  url: string;
}

export interface Message {
  id: string;
  ticketId: string;
  direction: 'inbound' | 'outbound' | 'note';
  channel: ChannelId;
  from: { address: string; name: string } | null;
  to?: Array<{ address: string; name: string }>;
  subject?: string;
  text: string;
  /** Sanitized by the hub; the only HTML the console renders. */
  html?: string;
  attachments?: Attachment[];
  deliveryStatus?: DeliveryStatus | null;
  deliveryError?: string | null;
  author?: Ref | null;
  createdAt: string;
}

export interface TimelineEvent {
  id: string;
  actor: { kind: 'user' | 'customer' | 'system'; id: string | null; name: string };
  action: string;
  from: string | null;
  to: string | null;
  detail: string;
  at: string;
}

export interface Contact {
  id: string;
  name: string;
  identities: Array<{ kind: string; value: string }>;
  tags: string[];
  tier: string | null;
  stage: string | null;
  language: string;
  organization: unknown;
  createdAt: string;
}

export interface TicketDetail {
  ticket: TicketSummary;
  messages: Message[];
  timeline: TimelineEvent[];
  contact: Contact;
  /** When the customer and the agents last read the conversation (absent from older hubs). */
  readState?: { customerReadAt: string | null; agentReadAt: string | null };
  /** Whether a reply can be sent now, and if not why (absent from older hubs: assume it can). */
  canReply?: boolean;
  replyBlockedReason?: 'channel_cannot_send' | 'ticket_closed' | null;
  replyBlockedDetail?: string | null;
  /** Web chat: the page the visitor was first seen on and their browser's User-Agent. */
  webVisitor?: WebVisitor | null;
}

export interface WebVisitor {
  page: string | null;
  userAgent: string | null;
  firstSeenAt: string;
}

export interface CannedResponse {
  id: string;
  shortcut: string;
  title: string;
  text: string;
  /** '' = any language. */
  locale: CannedLocale;
  createdAt?: string;
  updatedAt?: string;
}

export type CannedLocale = '' | 'en' | 'zh-CN';
export const CANNED_LOCALES: readonly CannedLocale[] = ['', 'en', 'zh-CN'];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A team's business hours (README, *Routing and SLA*): local opening intervals per weekday. */
export interface BusinessHours {
  /** IANA time zone, e.g. Asia/Shanghai. */
  timeZone: string;
  /** [open, close] as HH:MM local time; a missing day is closed. */
  hours: Partial<Record<Weekday, Array<[string, string]>>>;
  /** Local dates (YYYY-MM-DD) closed all day. */
  holidays: string[];
}

export interface Team {
  id: string;
  name: string;
  description?: string;
  /** null: the team's SLA clocks run around the clock. */
  businessHours?: BusinessHours | null;
}

/** GET /api/v1/colleagues: who can take a handover, with routing's view of them. */
export interface Colleague {
  id: string;
  name: string;
  teams: string[];
  status: Presence;
  load: { chat: number; async: number };
  /** null when routing does not know them. */
  limits: { chat: number; async: number } | null;
}

/** GET /api/v1/tickets/:id/queue-position (routing's view of the ticket). */
export interface QueuePosition {
  ticketId: string;
  teamId?: string;
  state: 'queued' | 'offered' | 'assigned' | 'unknown';
  /** 1 = next in line; 0 once an agent has it. */
  position: number;
  queueLength: number;
  /** Null when nobody who could take it is online. */
  expectedWaitMs: number | null;
  /** Every eligible agent declined it: nobody will take it without a supervisor. */
  needsAttention?: string | null;
}

/** POST /api/v1/tickets/:id/transfer answers where the ticket went. */
export interface TransferResult {
  ok: true;
  state: 'queued' | 'offered' | 'assigned' | 'unknown';
  agentId: string | null;
  teamId: string;
}

export interface Filters {
  status: TicketStatus[];
  type: TicketType | '';
  priority: Priority | '';
  channel: ChannelId | '';
}

export type Sort = 'newest' | 'oldest';

/** A domain event as the realtime layer forwards it (src/events/event.types.ts). */
export interface HubEvent {
  type?: string;
  ticketId?: string;
  number?: number;
  ticketType?: TicketType;
  channel?: ChannelId;
  direction?: string;
  teamId?: string | null;
  agentId?: string;
  assigneeId?: string | null;
  /** routing.transferred */
  fromAgentId?: string | null;
  toAgentId?: string | null;
  fromTeamId?: string;
  toTeamId?: string;
  status?: string;
  changes?: string[];
  expiresAt?: string;
  at?: string;
}
