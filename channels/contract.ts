/**
 * The one contract between channel adapters and the hub core.
 *
 * Adapters import only this file, their own files and their vendor SDK. Everything
 * they need from the hub (a router to mount webhooks on, an ingest function, a
 * logger, their config) arrives in a {@link ChannelContext}.
 */
import { z } from 'zod';
import type { Router } from 'express';
import type { Namespace } from 'socket.io';

export const CHANNELS = ['api', 'webchat', 'email', 'sms', 'voice', 'fax'] as const;
export const ChannelIdSchema = z.enum(CHANNELS);
export type ChannelId = z.infer<typeof ChannelIdSchema>;

export const TICKET_TYPES = ['complaint', 'suggestion', 'care'] as const;
export const TicketTypeSchema = z.enum(TICKET_TYPES);
export type TicketType = z.infer<typeof TicketTypeSchema>;

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

/** Kinds of customer identity a contact profile can hold. */
export const IDENTITY_KINDS = ['email', 'phone', 'fax', 'webchat', 'external'] as const;
export const IdentityKindSchema = z.enum(IDENTITY_KINDS);
export type IdentityKind = z.infer<typeof IdentityKindSchema>;

export const IdentitySchema = z.object({
  kind: IdentityKindSchema,
  value: z.string().trim().min(1).max(320),
});
export type Identity = z.infer<typeof IdentitySchema>;

export const PartySchema = z.object({
  /** The address on the channel: an email address, an E.164 number, a visitor id. */
  address: z.string().trim().min(1).max(320),
  name: z.string().trim().max(200).optional(),
  /** Which identity kind `address` is; defaults by channel (email → email, sms → phone, …). */
  kind: IdentityKindSchema.optional(),
});
export type Party = z.infer<typeof PartySchema>;

const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

export const AttachmentSchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    contentType: z.string().trim().min(3).max(255),
    size: z.number().int().nonnegative().max(MAX_ATTACHMENT_BYTES),
    /** Base64 bytes, for adapters and the API channel that carry the file inline. */
    contentBase64: z.string().optional(),
    /** A storage reference, once the bytes are stored (what the core keeps). */
    ref: z.string().min(1).max(200).optional(),
  })
  .refine((a) => a.contentBase64 !== undefined || a.ref !== undefined, {
    message: 'an attachment needs contentBase64 or ref',
    path: ['contentBase64'],
    params: { code: 'missing' },
  });
export type Attachment = z.infer<typeof AttachmentSchema>;

export const InboundMessageSchema = z.object({
  channel: ChannelIdSchema,
  /** The provider's id for this message; (channel, externalId) is unique across the hub. */
  externalId: z.string().trim().min(1).max(512),
  from: PartySchema,
  /** Further identities the sender gave (a pre-chat form's email, a CRM id). */
  identities: z.array(IdentitySchema).max(20).optional(),
  to: z.array(PartySchema).max(50).default([]),
  subject: z.string().max(998).optional(),
  text: z.string().max(200_000),
  html: z.string().max(2_000_000).optional(),
  /** At most 40: a fax of 19 read pages carries its original, 19 page images and 19 thumbnails. */
  attachments: z.array(AttachmentSchema).max(40).default([]),
  /**
   * Ids this message answers: email In-Reply-To/References, chat session id, call sid. A ref
   * `[#<ticket number>]` (an email subject token) names a ticket directly; the hub follows it
   * only when the sender is that ticket's contact.
   */
  threadRefs: z.array(z.string().min(1).max(998)).max(100).default([]),
  receivedAt: z.coerce.date(),
  /** The type the customer chose (chat form, phone menu, address, keyword); wins over rules. */
  chosenType: TicketTypeSchema.optional(),
  language: z.string().max(20).optional(),
  /** Provider metadata kept verbatim on the message (flat string values only). */
  metadata: z.record(z.string().max(100), z.string().max(2000)).optional(),
});
export type InboundMessage = z.infer<typeof InboundMessageSchema>;
/** What an adapter may hand over before defaults are applied. */
export type InboundMessageInput = z.input<typeof InboundMessageSchema>;

export const OutboundMessageSchema = z.object({
  channel: ChannelIdSchema,
  /** The hub's id of the outbound message; adapters use it as the idempotency key. */
  messageId: z.string().min(1),
  ticketId: z.string().min(1),
  ticketNumber: z.number().int().positive(),
  to: z.array(PartySchema).min(1),
  from: PartySchema.optional(),
  subject: z.string().optional(),
  text: z.string(),
  html: z.string().optional(),
  threadRefs: z.array(z.string()).default([]),
  attachments: z.array(AttachmentSchema).default([]),
});
export type OutboundMessage = z.infer<typeof OutboundMessageSchema>;

export interface SendResult {
  /** The provider's id for what was sent (email Message-ID, Twilio sid, …). */
  externalId: string;
  status: 'sent' | 'delivered';
  /**
   * Live channels: nobody was connected to receive it. The message waits in the conversation
   * for the customer's return, and the hub may send a copy another way (email).
   */
  recipientAbsent?: boolean;
}

export type ChannelErrorCode =
  | 'auth'
  | 'network'
  | 'rejected'
  | 'rate_limited'
  | 'invalid'
  | 'unavailable'
  | 'provider';

/** Typed channel failure: `retryable` tells the outbound worker whether to try again. */
export class ChannelError extends Error {
  readonly code: ChannelErrorCode;
  readonly retryable: boolean;
  override readonly cause?: unknown;
  constructor(code: ChannelErrorCode, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message);
    this.name = 'ChannelError';
    this.code = code;
    this.retryable = options.retryable;
    this.cause = options.cause;
  }
}

/** A request an adapter rejects; the host renders it as application/problem+json. */
export class ChannelRequestError extends Error {
  readonly status: number;
  readonly title: string;
  /** Each field at fault; `code` is stable for clients to translate (`missing`, `invalid_credentials`, `invalid_type`, …). */
  readonly errors: ReadonlyArray<{ field: string; message: string; code?: string }>;
  constructor(status: number, title: string, detail: string, errors: ReadonlyArray<{ field: string; message: string; code?: string }> = []) {
    super(detail);
    this.name = 'ChannelRequestError';
    this.status = status;
    this.title = title;
    this.errors = errors;
  }
}

/**
 * The host keeps the exact bytes of every JSON request body as `rawBody` on the express
 * request, for webhooks whose signature covers them (read it with {@link rawBodyOf}).
 */
export interface RawBodyRequest {
  rawBody?: Buffer;
}

/** The exact bytes of a JSON request body (undefined: not JSON, or no body). */
export const rawBodyOf = (req: object): Buffer | undefined => {
  const raw = (req as RawBodyRequest).rawBody;
  return Buffer.isBuffer(raw) ? raw : undefined;
};

export interface HealthResult {
  ok: boolean;
  detail?: string;
}

/** What an adapter (or its poller) says about its connection to the provider; shown by /readyz and /metrics. */
export interface HealthReport {
  ok: boolean;
  /** Why it is unhealthy ("IMAP login refused", "feed answered 503"). */
  reason?: string;
  /** When it was observed (default: now). */
  at?: Date;
  /** This report follows a completed read of the provider (a mailbox poll): its time is the instance's last sync. */
  synced?: boolean;
}

/** An earlier acceptance as the API channel's poll URL reports it. */
export type IngestOutcome =
  | { state: 'stored'; messageId: string; ticketId: string; duplicate: boolean; ticketNumber?: number; newTicket?: boolean }
  | { state: 'accepted'; jobId: string; messageId: string };

export interface IngestOptions {
  /**
   * true (default): resolve once the message is stored, or after the hub's INGEST_WAIT_TIMEOUT_MS
   * without `ticketId`. false: resolve as soon as it is durably enqueued, which is what a webhook
   * must answer within its provider's timeout (the provider's retry of the same message is a duplicate).
   */
  wait?: boolean;
}

/**
 * A received fax handed to the hub ({@link ChannelContext.ingestFax}): the hub keeps the document,
 * reads it in a durable job (pages, thumbnails, OCR) and ingests the result as one `fax` message.
 */
export interface FaxIntake {
  /** The provider's fax id, or the Message-ID of the mail that brought it: the message's externalId. */
  externalId: string;
  /** The sender's fax number, E.164: the contact's identity. */
  from: string;
  /** The number it was sent to (E.164), when known. */
  to: string | null;
  receivedAt: Date;
  /** The faxed document as received (PDF or TIFF). */
  document: Buffer;
  /** What brought it (`telnyx`, `phaxio`, `signalwire`, `generic`, `email`): recorded on the message. */
  source: string;
  /** The subject of the mail that brought it (fax-to-email). */
  subject?: string;
  reading: {
    /** Pages beyond this are neither rendered nor read (the original keeps them). */
    maxPages: number;
    /** tesseract languages (`chi_sim+eng`). */
    languages: string;
    /** Per tool run. */
    timeoutMs: number;
  };
}

/** What `ctx.ingestFax` answers: the fax is durably queued to be read (or throws). */
export interface FaxIntakeResult {
  accepted: true;
  /** This fax was queued or stored before: nothing new is queued. */
  duplicate: boolean;
  jobId: string;
}

/** What `ctx.ingest` answers: the message is durably accepted (or throws). */
export interface IngestResult {
  accepted: true;
  /** This (channel, externalId) was accepted before: nothing new is stored. */
  duplicate?: boolean;
  /** The id the stored message has (derived from channel + externalId, known before it is stored). */
  messageId: string;
  /** Set once stored; absent when the caller did not wait or storing outlasted the wait. */
  ticketId?: string;
  /** The ticket's number, once stored. */
  ticketNumber?: number;
  /** Once stored: this message opened its ticket (it did not continue or reopen one). */
  newTicket?: boolean;
  /** The ingest job, for {@link ChannelContext.ingestStatus}. */
  jobId: string;
}

/**
 * A durable cursor store for pollers (an IMAP UID, a provider's "since" token), kept in the
 * database per channel instance. Move it only after the messages before it are ingested.
 */
export interface Checkpoint {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

/** A periodic task of a channel instance (a mailbox poll). */
export type ScheduledTask = () => Promise<void>;

export interface ChannelLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

// ---------- live conversations (web chat): what the realtime layer offers a channel ----------

/** One message of a conversation as its customer may see it (notes are never included). */
export interface ConversationEntry {
  id: string;
  ticketId: string;
  direction: 'inbound' | 'outbound';
  /** The provider id the channel gave an inbound message (outbound: the hub's id). */
  externalId: string;
  text: string;
  /** The agent's name on outbound messages. */
  authorName: string | null;
  attachments: Array<{ name: string; contentType: string; size: number; ref: string }>;
  at: Date;
}

/**
 * A line about the conversation itself for its customer: an agent joined, or it was handed
 * over (from the ticket's timeline; never notes, transfer notes or ids).
 */
export interface ConversationEvent {
  id: string;
  ticketId: string;
  status: Extract<ConversationStatus, { kind: 'assigned' | 'transferred' }>;
  at: Date;
}

export interface Conversation {
  /** Oldest first, at most the requested number (the newest ones). */
  entries: ConversationEntry[];
  /** Joins and handovers within the span of `entries` (or since the thread began), oldest first. */
  events?: ConversationEvent[];
  /** The thread's tickets, oldest first; the last one is the current conversation. */
  ticketIds: string[];
  /** When an agent last read the current ticket. */
  agentReadAt: Date | null;
}

/** The customer's side of a live conversation, shown to the agents on the ticket. */
export type CustomerActivity =
  | { kind: 'typing'; ticketId: string; typing: boolean }
  | { kind: 'read'; ticketId: string; at: Date };

/**
 * Where a live conversation stands in routing, shown to the customer: waiting in line
 * (position 1 = next, expected wait when known), waiting with nobody able to take it now
 * (`busy`: every available agent is busy with other customers; no place or wait to promise),
 * with an agent, or handed over.
 */
export type ConversationStatus =
  | { kind: 'queued'; ticketId: string; position: number; queueLength: number; expectedWaitMs: number | null }
  | { kind: 'busy'; ticketId: string }
  /** `agentAway`: the agent holding the chat is not online right now (away or offline); they still hold it. */
  | { kind: 'assigned'; ticketId: string; agentName: string; agentAway: boolean }
  | { kind: 'transferred'; ticketId: string; toAgentName: string | null; toTeamName: string | null };

/** An agent's side of a live conversation, shown to the customer. */
export type AgentActivity =
  | { kind: 'typing'; ticketId: string; typing: boolean; agentName: string }
  | { kind: 'read'; ticketId: string; at: Date };

export interface ChannelContext {
  /** Routes are mounted here; the host adds body parsing and the problem+json error handler. */
  router: Router;
  /**
   * Durably accepts a message (validated against {@link InboundMessageSchema}; a message
   * whose (channel, externalId) was accepted before answers `duplicate: true` and stores
   * nothing). See {@link IngestOptions} for when it resolves.
   */
  ingest(message: InboundMessageInput, options?: IngestOptions): Promise<IngestResult>;
  /**
   * Whether this (channel, externalId) was accepted before: lets an adapter skip costly work for a
   * provider's retry (fetching MMS media again) before handing it to {@link ingest}.
   */
  accepted?(channel: ChannelId, externalId: string): Promise<boolean>;
  /** Looks up an earlier acceptance (for the API channel's poll URL). */
  ingestStatus(jobId: string): Promise<IngestOutcome | { state: 'unknown' } | { state: 'failed'; reason: string }>;
  logger: ChannelLogger;
  publicUrl: string;
  /** Socket.io namespaces on the hub's server, shared by every hub process (channels that talk to browsers). */
  sockets?: { namespace(name: string): Namespace };
  /**
   * The conversation of one thread: the tickets its thread key (`ref`, as the adapter set it in
   * `threadRefs`) leads to, with their inbound messages carrying that key and their outbound
   * messages on `channel`. Only the adapter decides which refs a customer may ask for.
   */
  history?(thread: { channel: ChannelId; ref: string }, limit: number): Promise<Conversation>;
  /** How many agents are connected to the console with presence `online`. */
  agentsOnline?(): Promise<number>;
  /** Shows the customer's typing / read state to the agents on the ticket. */
  customerActivity?(activity: CustomerActivity): void;
  /** The bytes of a stored attachment (`ref` from a message or an outbound attachment). */
  attachment?(ref: string): Promise<Buffer>;
  /**
   * Keeps bytes in the hub's attachment store (content-addressed: the same bytes give the same
   * ref), for {@link attachment} to read back on any hub process (a rendered fax the provider
   * fetches).
   */
  storeFile?(bytes: Buffer): Promise<string>;
  /**
   * A received fax: kept durably at once (answer the provider after this), then read by a job of
   * the hub's (pages, thumbnails, OCR in Chinese and English, retried until it succeeds) and
   * ingested as a `fax` message of this adapter (instance). A document that cannot be read is
   * still a message (its original kept, "OCR failed" and why). Absent: the hub cannot read faxes.
   */
  ingestFax?(fax: FaxIntake): Promise<FaxIntakeResult>;
  /** Where a ticket stands in routing now (null: unknown, closed, or no routing in this hub). */
  conversationStatus?(ticketId: string): Promise<ConversationStatus | null>;
  /** Records this adapter's (instance's) health, shown by /readyz and as a /metrics gauge, shared by every hub process. */
  reportHealth(report: HealthReport): void;
  /**
   * Runs `task` every `everyMs` on exactly one hub process at a time (a BullMQ job scheduler
   * plus a lock per task): a slow run is never overlapped by the next one. A run that throws
   * is logged and reported unhealthy; the next one comes at the next interval. Stopped with
   * the adapter. Names are per instance.
   */
  schedule(name: string, everyMs: number, task: ScheduledTask): void;
  /** Durable cursors of this adapter (instance), surviving restarts; see {@link Checkpoint}. */
  checkpoint: Checkpoint;
  /** The configured channel instance this adapter runs as (absent for the built-in channels). */
  instance?: ChannelInstanceInfo;
  /**
   * A delivery failure reported back by the provider (an email bounce) about a message the hub
   * sent, named by the provider id the send returned: recorded on that message and its ticket's
   * timeline. Resolves false when no sent message has that id.
   */
  deliveryFailed?(failure: DeliveryFailure): Promise<boolean>;
  /**
   * Records `id` as one occurrence of `key` at `at` and answers how many occurrences of `key` fall
   * in the `windowMs` up to `at`, this one included (the same id counts once, so a message read again
   * is not counted twice). Shared by every hub process (Redis), per adapter instance: what per-sender
   * hourly limits count with.
   */
  countInWindow?(key: string, id: string, at: Date, windowMs: number): Promise<number>;
  /**
   * A provider's delivery report about a message the hub sent (an SMS status callback): moves its
   * delivery status forward only (`sent` → `delivered` / `failed`; a late `sent` after `delivered`
   * changes nothing), with the provider's reason on a failure. Resolves false when no sent message
   * matches or nothing changed.
   */
  deliveryReport?(report: DeliveryReport): Promise<boolean>;
  /**
   * A customer opted out of (or back into) messages to one of their addresses on a channel (an
   * SMS STOP / START): replies to it are refused while opted out, and the contact shows it.
   */
  optOut?(change: OptOutChange): Promise<void>;
  /**
   * Voice: an agent who can take a call now: online in the instance's team (else the default
   * team), with a phone number on their profile; the least busy one. Null: nobody.
   */
  availableAgent?(): Promise<AvailableAgent | null>;
  /**
   * Voice: gives a ticket to the agent a call was connected to (as a manual assignment through
   * routing, recorded on the timeline). Resolves false when it could not be assigned.
   */
  assignTicket?(ticketId: string, agentId: string, note: string): Promise<boolean>;
  /**
   * Voice: what became of a call the hub placed ({@link ChannelAdapter.callBack}), from the
   * provider's status callback: recorded on its ticket's timeline. False when nothing matched.
   */
  callStatus?(report: CallStatusReport): Promise<boolean>;
  /**
   * Voice: a call's ticket needs a call back (the agent it rang did not answer, the caller hung
   * up): it is tagged {@link CALL_BACK_TAG}, and while `agentId` (the agent who did not answer)
   * still holds it, it is taken from them back into the queue for someone else. Idempotent.
   * False when the ticket does not exist.
   */
  callBackNeeded?(ticketId: string, o: { reason: string; agentId?: string }): Promise<boolean>;
  /**
   * Live channels (CSAT): the satisfaction question still waiting for this customer's answer
   * (`address`: the visitor id), or null. Shown again after a reload until answered.
   */
  pendingSurvey?(channel: ChannelId, address: string): Promise<SurveyPrompt | null>;
  /** Live channels (CSAT): the customer's answer; refused unless `address` is the customer who was asked. */
  answerSurvey?(answer: SurveyAnswer): Promise<SurveyOutcome>;
}

/** A satisfaction question (CSAT) a customer was asked about one resolved ticket. */
export interface SurveyPrompt {
  ticketId: string;
  ticketNumber: number;
  subject: string;
  /** The customer asked (a web chat visitor id, an email address, a phone number). */
  to: string;
  /** The customer's language (`en`, `zh-CN`, …) for the question's words. */
  language: string;
  askedAt: Date;
}

export interface SurveyAnswer {
  ticketId: string;
  channel: ChannelId;
  /** Who answers: it must be the customer who was asked. */
  address: string;
  /** 1 … 5. */
  score: number;
  comment?: string;
}

export type SurveyOutcome = { ok: true } | { ok: false; reason: 'not_asked' | 'already_answered' | 'not_yours' | 'invalid' };

/** The tag of a ticket whose customer is waiting to be called back (a missed call). */
export const CALL_BACK_TAG = 'call back';

/** A "call back" the hub places: the agent's phone rings first, then the customer is dialled. */
export interface OutboundCall {
  /** The hub's id of this call back (the provider's idempotency and status callback key). */
  callId: string;
  ticketId: string;
  ticketNumber: number;
  /** E.164: the agent's configured phone, called first. */
  agentPhone: string;
  /** E.164: the customer, dialled once the agent answers. */
  customer: string;
}

export interface OutboundCallResult {
  /** The provider's id of the call (a Twilio CallSid). */
  externalId: string;
  /** The provider's status of the call when placed (`queued`, `ringing`, …). */
  status: string;
}

export interface CallStatusReport {
  callId: string;
  ticketId: string;
  externalId: string;
  /** The provider's call status (`ringing`, `in-progress`, `completed`, `no-answer`, `busy`, `failed`, `canceled`). */
  status: string;
  /** Seconds, once completed. */
  durationSeconds?: number;
}

export interface AvailableAgent {
  id: string;
  name: string;
  /** E.164: where the call rings. */
  phone: string;
}

/**
 * Why a provider could not deliver a sent message, as a stable code clients translate: the
 * line was busy, nobody (no fax machine) answered, or anything else.
 */
export const DELIVERY_REPORT_CODES = ['not_delivered', 'busy', 'no_answer'] as const;
export type DeliveryReportCode = (typeof DELIVERY_REPORT_CODES)[number];

export interface DeliveryReport {
  channel: ChannelId;
  /** The hub's id of the message, when the provider echoes it (a status callback URL that carries it). */
  messageId?: string;
  /** The provider id of the sent message ({@link SendResult.externalId}). */
  externalId: string;
  /** `sending`: the provider is transmitting it now (a fax on the line). */
  status: 'sent' | 'sending' | 'delivered' | 'failed';
  /** Why it was not delivered, with the provider's error code. */
  reason?: string;
  /** `failed`: what kind of failure (default `not_delivered`). */
  code?: DeliveryReportCode;
  /**
   * `failed`, but worth trying again (a busy line, no answer): the hub sends the message again
   * after `backoffMs · 2^(n-1)` (n: the sends so far), up to `attempts` sends in all, and only
   * then records it failed. Reports about the earlier sends' provider ids change nothing after.
   */
  retry?: { attempts: number; backoffMs: number };
}

export interface OptOutChange {
  channel: ChannelId;
  /** The customer's address on the channel (an E.164 number). */
  address: string;
  optedOut: boolean;
  /** What the customer sent (STOP, 退订, START). */
  keyword: string;
  /** The provider id of the message that asked. */
  externalId: string;
  at: Date;
}

export interface DeliveryFailure {
  channel: ChannelId;
  /** The provider id of the sent message ({@link SendResult.externalId}, an email Message-ID). */
  externalId: string;
  /** The provider's words (kept as they are, for the details). */
  reason: string;
  /** What happened, as a stable code clients translate: `bounced` (the recipient's server returned it), else `not_delivered`. */
  code?: 'bounced' | 'not_delivered';
}

/** A channel instance as its adapter sees it (secrets decrypted). */
export interface ChannelInstanceInfo {
  id: string;
  kind: string;
  name: string;
}

/**
 * A kind of configurable channel instance (one per mailbox, phone number, feed): the hub
 * stores instances of it in the database, validates `settings` and `secrets` with the
 * kind's schemas, and creates one adapter per enabled instance.
 */
export interface ChannelKind<S = unknown, K = unknown> {
  /** `email`, `twilio`, `fax`, … (lowercase letters, digits, `-`). */
  readonly kind: string;
  /** Non-secret settings (returned by the admin API). */
  readonly settings: z.ZodType<S>;
  /** Secret fields: write-only, stored encrypted, each an optional string. */
  readonly secrets: z.ZodObject<Record<string, z.ZodOptional<z.ZodString>>>;
  create(instance: ChannelInstanceInfo & { settings: S; secrets: K }): ChannelAdapter;
}

export interface ChannelAdapter {
  readonly id: ChannelId;
  /**
   * Inbound adapters: one provider artifact (a webhook's JSON body, a raw email, a chat
   * payload) → the canonical messages it carries. Pure: no I/O, the same input gives the same
   * output. Throws {@link ChannelRequestError} (with the fields at fault) when it is invalid.
   */
  normalize?(raw: never): InboundMessage[];
  /** Mounts webhooks / sockets / schedules. Called once at start (per instance). */
  mount(ctx: ChannelContext): void | Promise<void>;
  /** Sends a reply. Throws {@link ChannelError}. */
  send?(message: OutboundMessage): Promise<SendResult>;
  /**
   * Tickets of these channels (besides `id`) are answered through this adapter's `send`, as
   * messages of its channel `id`: a phone number with SMS on answers its call tickets by SMS.
   */
  readonly answers?: readonly ChannelId[];
  /** Voice: places a "call back" (agent first, then the customer). Throws {@link ChannelError}. */
  callBack?(call: OutboundCall): Promise<OutboundCallResult>;
  /** Checked by /readyz and /metrics; resolves (never throws). */
  health?(): Promise<HealthResult>;
  /** Live channels: an agent's typing / read state on one of this channel's tickets. */
  agentActivity?(activity: AgentActivity): void;
  /** Live channels: a ticket of this channel moved in routing (queue position, agent, transfer). */
  conversationUpdate?(status: ConversationStatus): void;
  /** Live channels (CSAT): shows the satisfaction question to the customer now (a rating card); `answered` hides it. */
  surveyUpdate?(prompt: SurveyPrompt, state: 'asked' | 'answered'): void;
  stop?(): Promise<void>;
}
