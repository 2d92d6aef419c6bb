/**
 * Shapes of docs/api-contract.md (v1), derived from the hub's own definitions so they cannot drift:
 * the response schemas and mappers of src/http/dto.ts and the domain events of src/events/event.types.ts.
 * Only type imports from the server (esbuild erases them, no server code is bundled);
 * eslint.config.mjs allows nothing else from src/ in web/console.
 */
import type { z } from 'zod';
import type { ContactValueSchema, ImportReportSchema, SegmentsSchema } from '../../../src/http/dto';
import type { apiTokenDto, FloorSchema, ChannelInstanceSchema, ContactOptOutSchema, ContactSchema, MessageSchema, TeamSchema, TicketSummarySchema, TimelineEventSchema, userDto } from '../../../src/http/dto';
import type { AgentPresenceEvent, DomainEvent } from '../../../src/events/event.types';

/** What JSON makes of a server value: dates become ISO strings. */
type Json<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer E>
    ? Array<Json<E>>
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** `list`, when it names every member of the union U (the compiler rejects a missing or unknown one). */
const everyOf =
  <U extends string>() =>
  <const L extends readonly U[]>(list: L & ([U] extends [L[number]] ? unknown : { missing: Exclude<U, L[number]> })): readonly U[] =>
    list;

/** GET /api/v1/auth/me, the users list (userDto). */
export type User = Json<ReturnType<typeof userDto>>;
export type TicketSummary = z.infer<typeof TicketSummarySchema>;
export type Message = z.infer<typeof MessageSchema>;
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;
export type Contact = z.infer<typeof ContactSchema>;
export type ContactOptOut = z.infer<typeof ContactOptOutSchema>;
export type Team = z.infer<typeof TeamSchema>;
/** GET /api/v1/stats/floor. */
export type Floor = z.infer<typeof FloorSchema>;
export type TeamFloor = Floor['teams'][number];

export type Role = User['role'];
export type TicketType = TicketSummary['type'];
export type TicketStatus = TicketSummary['status'];
export type Priority = TicketSummary['priority'];
export type ChannelId = TicketSummary['channel'];
export type DeliveryStatus = NonNullable<Message['deliveryStatus']>;
export type Presence = AgentPresenceEvent['status'];
export type Ref = TicketSummary['contact'];
export type Attachment = Message['attachments'][number];
/** A team's business hours (README, *Routing and SLA*): local opening intervals per weekday, holidays. */
export type BusinessHours = NonNullable<Team['businessHours']>;
export type Weekday = keyof BusinessHours['hours'];

/** The console's own notions (inbox views and their sort). */
export type View = 'mine' | 'unassigned' | 'all';
export type Sort = 'newest' | 'oldest';

export const TICKET_TYPES = everyOf<TicketType>()(['complaint', 'suggestion', 'care']);
export const STATUSES = everyOf<TicketStatus>()(['new', 'open', 'pending', 'resolved', 'closed']);
export const PRIORITIES = everyOf<Priority>()(['low', 'normal', 'high', 'urgent']);
export const CHANNELS = everyOf<ChannelId>()(['api', 'webchat', 'email', 'sms', 'voice', 'fax']);
export const PRESENCES = everyOf<Presence>()(['online', 'away', 'offline']);
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending'];
export const WEEKDAYS = everyOf<Weekday>()(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** A user as admins manage them (GET /api/v1/users): the same shape as the signed-in user. */
export type ManagedUser = User;

/** An integrator API token as listed (GET /api/v1/api-tokens; the token itself only once, on creation). */
export type ApiToken = Json<ReturnType<typeof apiTokenDto>>;

/** A channel instance as admins see it (GET /api/v1/channels): secrets only as `{ set }`, with its health. */
export type ChannelInstance = z.infer<typeof ChannelInstanceSchema>;

/**
 * The settings of an `email` channel instance (a support mailbox), as channels/email/mailbox.kind.ts
 * validates them (the console cannot import channel code; the API answers field errors if they drift).
 */
export interface MailboxSettings {
  address: string;
  displayName?: string;
  ownAddresses?: string[];
  imap: { host: string; port: number; secure: boolean; user: string; folder: string; tlsInsecure?: boolean };
  smtp?: { host: string; port: number; secure: boolean; user?: string; tlsInsecure?: boolean } | null;
  pollIntervalMs?: number;
  idle?: boolean;
  markSeen?: boolean;
  processedFolder?: string | null;
  maxPerSenderPerHour?: number;
  autoAcknowledge?: { enabled: boolean; maxPerSenderPerHour?: number; text?: string };
}

/** GET /api/v1/tickets/:id (its response schema is declared in src/http/routes/tickets.routes.ts). */
export interface TicketDetail {
  ticket: TicketSummary;
  messages: Message[];
  timeline: TimelineEvent[];
  contact: Contact;
  /** When the customer and the agents last read the conversation (absent from older hubs). */
  readState?: { customerReadAt: string | null; agentReadAt: string | null };
  /** Whether a reply can be sent now, and if not why (absent from older hubs: assume it can). */
  canReply?: boolean;
  /** The channel a reply goes out on (sms for a phone call's ticket whose number has SMS on). */
  replyChannel?: TicketSummary['channel'] | null;
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

/** A domain event as the realtime layer forwards it to consoles: the socket.io event is named by its `type`. */
export type HubEvent = DomainEvent;
export type HubEventType = HubEvent['type'];

/** The ticket an event is about, if any. */
export const ticketOf = (ev: HubEvent): string | null => ('ticketId' in ev ? ev.ticketId : null);

/** Customer value (GET /api/v1/contacts/:id/value, POST /api/v1/orders/import, GET /api/v1/value/segments). */
export type ContactValue = z.infer<typeof ContactValueSchema>;
export type OrderImportReport = z.infer<typeof ImportReportSchema>;
export type Segments = z.infer<typeof SegmentsSchema>;
