import { z } from 'zod';
import { ChannelIdSchema, IdentityKindSchema, PrioritySchema, TicketTypeSchema } from '../../channels/contract';
import type { ApiTokenDoc } from '../auth/api-token.model';
import { calendarOf } from '../auth/team-calendar';
import { floorAlertsOf } from '../auth/team-alerts';
import type { TeamDoc } from '../auth/team.model';
import type { UserDoc } from '../auth/user.model';
import type { ContactDoc } from '../contacts/contact.model';
import type { OrderDoc } from '../value/orders.model';
import { DELIVERY_ERROR_CODES } from '../tickets/delivery-error.codes';
import type { TicketEventDoc } from '../tickets/ticket-event.model';
import type { MessageView, TicketView } from '../tickets/ticket-views';
import { BusinessCalendarSchema } from '../routing/business-calendar.schema';

/** Public shapes of documents: never a password hash, ids as strings. */
export const userDto = (u: UserDoc) => ({
  id: u._id.toString(),
  email: u.email,
  name: u.name,
  role: u.role,
  teams: u.teams.map(String),
  skills: u.skills,
  languages: u.languages,
  maxConcurrent: { chat: u.maxConcurrent.chat, async: u.maxConcurrent.async },
  active: u.active,
  locale: u.locale,
  phone: u.phone ?? '',
  timeZone: u.timeZone ?? '',
  createdAt: u.createdAt,
});

export const teamDto = (t: TeamDoc) => ({ id: t._id.toString(), name: t.name, description: t.description, businessHours: calendarOf(t.businessHours), floorAlerts: floorAlertsOf(t.floorAlerts) });

export const apiTokenDto = (t: ApiTokenDoc) => ({
  id: t._id.slice(0, 16),
  name: t.name,
  prefix: t.prefix,
  role: t.role,
  teams: t.teams.map(String),
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
  revokedAt: t.revokedAt,
});

// ---------- tickets, messages, timeline, contacts (docs/api-contract.md) ----------

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export const ticketSummaryDto = (v: TicketView) => {
  const t = v.ticket;
  return {
    id: t._id.toString(),
    number: t.number,
    type: t.type,
    status: t.status,
    priority: t.priority,
    channel: t.channel,
    subject: t.subject,
    tags: t.tags,
    language: t.language,
    assignee: v.assignee,
    team: v.team,
    contact: v.contact,
    classification: { source: t.classification.source, confidence: t.classification.confidence },
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
    lastCustomerMessageAt: iso(t.lastCustomerMessageAt),
    lastAgentMessageAt: iso(t.lastAgentMessageAt),
    acceptedAt: iso(t.acceptedAt),
    firstResponseAt: iso(t.firstResponseAt),
    resolvedAt: iso(t.resolvedAt),
    closedAt: iso(t.closedAt),
    sla: {
      firstResponseDueAt: iso(t.sla?.firstResponseDueAt),
      nextResponseDueAt: iso(t.sla?.nextResponseDueAt),
      resolutionDueAt: iso(t.sla?.resolutionDueAt),
    },
    mergedInto: t.mergedInto?.toString() ?? null,
    needsAttention: t.needsAttention ? { reason: t.needsAttention.reason, at: iso(t.needsAttention.at) } : null,
    failedReplies: v.failedReplies,
    csat: t.csat ? { score: t.csat.score, comment: t.csat.comment, at: iso(t.csat.at), channel: t.csat.channel } : null,
    complaint: t.complaint ? { cause: t.complaint.cause, action: t.complaint.action, at: iso(t.complaint.at) } : null,
    suggestion: t.type === 'suggestion' ? { stage: t.suggestion?.stage ?? 'under_review', reason: t.suggestion?.reason ?? '', duplicateOf: t.suggestion?.duplicateOf?.toString() ?? null, at: iso(t.suggestion?.at) } : null,
  };
};

export const attachmentUrl = (ref: string): string => `/api/v1/attachments/${ref}`;

/** A chat reply's copy emailed to a customer who had left, and whether it bounced; or null. */
const emailCopyOf = (m: { metadata: ReadonlyArray<{ key: string; value: string }>; emailCopyBounce?: string | null }): { to: string; status: 'sent' | 'bounced'; error: string | null } | null => {
  const to = m.metadata.find((x) => x.key === 'emailCopyTo')?.value;
  if (!to) return null;
  return m.emailCopyBounce ? { to, status: 'bounced', error: m.emailCopyBounce } : { to, status: 'sent', error: null };
};

export const messageDto = (v: MessageView) => {
  const m = v.message;
  return {
    id: m._id.toString(),
    ticketId: m.ticket?.toString() ?? null,
    direction: m.direction,
    channel: m.channel,
    from: { address: m.from.address, name: m.from.name },
    to: m.to.map((p) => ({ address: p.address, name: p.name })),
    subject: m.subject,
    text: m.text,
    html: m.html,
    attachments: m.attachments.map((a) => ({ name: a.name, contentType: a.contentType, size: a.size, url: attachmentUrl(a.ref) })),
    metadata: Object.fromEntries((m.metadata ?? []).map((e) => [e.key, e.value])),
    // Notes are never delivered anywhere.
    deliveryStatus: m.direction === 'note' ? null : m.deliveryStatus,
    deliveryError: m.deliveryError,
    deliveryErrorCode: m.deliveryErrorCode ?? null,
    emailCopy: emailCopyOf(m),
    author: v.author,
    createdAt: iso(m.receivedAt),
  };
};

export const timelineEventDto = (e: TicketEventDoc) => ({
  id: e._id.toString(),
  actor: { kind: e.actor.kind, id: e.actor.id, name: e.actor.name },
  action: e.action,
  from: e.from,
  to: e.to,
  detail: e.detail,
  code: e.code ?? '',
  params: { ...(e.params ?? {}) },
  at: iso(e.at),
});

export const contactDto = (c: ContactDoc) => ({
  id: c._id.toString(),
  name: c.name,
  identities: c.identities.map((i) => ({ kind: i.kind, value: i.value })),
  tags: c.tags,
  tier: c.tier,
  stage: c.stage,
  language: c.language,
  organization: c.organization?.toString() ?? null,
  createdAt: iso(c.createdAt),
  mergedInto: c.mergedInto?.toString() ?? null,
});

// Response schemas, for the OpenAPI document only (handlers return the mappers above).
const Named = z.object({ id: z.string(), name: z.string() });
const When = z.string().nullable();
export const TicketSummarySchema = z.object({
  id: z.string(),
  number: z.number().int(),
  type: TicketTypeSchema,
  status: z.enum(['new', 'open', 'pending', 'resolved', 'closed']),
  priority: PrioritySchema,
  channel: ChannelIdSchema,
  subject: z.string(),
  tags: z.array(z.string()),
  language: z.string(),
  assignee: Named.nullable(),
  team: Named.nullable(),
  contact: Named.extend({ email: z.string().nullable().describe("the customer's first email address, if any") }),
  classification: z.object({ source: z.enum(['customer', 'rules', 'agent']), confidence: z.number() }),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastCustomerMessageAt: When,
  lastAgentMessageAt: When,
  acceptedAt: When,
  firstResponseAt: When,
  resolvedAt: When,
  closedAt: When,
  sla: z.object({ firstResponseDueAt: When, nextResponseDueAt: When, resolutionDueAt: When }),
  mergedInto: z.string().nullable(),
  needsAttention: z
    .object({ reason: z.enum(['all_declined']), at: z.string() })
    .nullable()
    .describe('flagged for supervisors by routing (every eligible agent declined it); null once assigned'),
  /** Replies whose delivery failed and that were not retried (the inbox marks the ticket). */
  failedReplies: z.number().int(),
  csat: z
    .object({ score: z.number().int().min(1).max(5), comment: z.string(), at: z.string(), channel: ChannelIdSchema })
    .nullable()
    .describe("the customer's satisfaction answer, once given"),
  complaint: z.object({ cause: z.string(), action: z.string(), at: z.string() }).nullable().describe("a resolved complaint's cause and what was done"),
  suggestion: z
    .object({ stage: z.enum(['under_review', 'accepted', 'planned', 'shipped', 'declined']), reason: z.string(), duplicateOf: z.string().nullable(), at: When })
    .nullable()
    .describe("a suggestion's lifecycle stage (null on other types)"),
});
const Party = z.object({ address: z.string(), name: z.string() });
export const MessageSchema = z.object({
  id: z.string(),
  ticketId: z.string().nullable(),
  direction: z.enum(['inbound', 'outbound', 'note']),
  channel: ChannelIdSchema,
  from: Party,
  to: z.array(Party),
  subject: z.string(),
  text: z.string(),
  html: z.string().describe('sanitized on the server, safe to render'),
  attachments: z.array(z.object({ name: z.string(), contentType: z.string(), size: z.number(), url: z.string() })),
  metadata: z
    .record(z.string(), z.string())
    .describe('what the channel noted on the message, e.g. a fax: faxPages, faxPagesRead, ocr (recognised|failed), ocrError, faxPageCap'),
  emailCopy: z
    .object({ to: z.string(), status: z.enum(['sent', 'bounced']), error: z.string().nullable() })
    .nullable()
    .describe('a chat reply also emailed to a customer who had left: where, and whether that email bounced'),
  deliveryStatus: z.enum(['received', 'queued', 'sent', 'delivered', 'failed', 'bounced', 'sending']).nullable().describe('null for notes; bounced: sent, then reported undelivered by the provider (an email bounce); sending: the provider is transmitting it (a fax on the line)'),
  deliveryError: z.string().nullable().describe("the provider's or hub's own words on why the reply failed (or is being retried)"),
  deliveryErrorCode: z.enum(DELIVERY_ERROR_CODES).nullable().describe('the stable code of deliveryError, for clients to translate; null on replies stored before codes'),
  author: Named.nullable(),
  createdAt: z.string(),
});
export const TimelineEventSchema = z.object({
  id: z.string(),
  actor: z.object({ kind: z.enum(['user', 'customer', 'system']), id: z.string().nullable(), name: z.string() }),
  action: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  detail: z.string().describe('English words of the entry: the fallback for an unknown or empty code'),
  code: z.string().describe("stable code of the entry's words (e.g. `delivery.sent`); '' on entries written before codes and on free text"),
  params: z.record(z.string(), z.string()).describe('the parameters of `code` (names, channel, ids…)'),
  at: z.string(),
});
/** Queue limits of a team that alert its supervisors once per crossing (at least one of them set). */
export const FloorAlertsSchema = z
  .object({
    maxWaiting: z.number().int().min(1).max(100_000).nullable().describe('alert when more tickets than this wait in the queue'),
    maxWaitSeconds: z.number().int().min(1).max(30 * 86_400).nullable().describe('alert when the longest-waiting ticket waits longer than this'),
  })
  .refine((a) => a.maxWaiting !== null || a.maxWaitSeconds !== null, { message: 'give maxWaiting or maxWaitSeconds (or null for no alerts)', path: ['maxWaiting'] });
export const TeamSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  businessHours: BusinessCalendarSchema.nullable().describe('null: SLA clocks of this team run around the clock'),
  floorAlerts: FloorAlertsSchema.nullable().describe("null: the team's queue never alerts its supervisors"),
});
/** An address of the contact that opted out (an SMS number after STOP), on GET /contacts/:id. */
export const ContactOptOutSchema = z.object({ channel: z.string(), address: z.string(), keyword: z.string(), at: z.string() });
export const ContactSchema = z.object({
  id: z.string(),
  name: z.string(),
  identities: z.array(z.object({ kind: IdentityKindSchema, value: z.string() })),
  tags: z.array(z.string()),
  tier: z.enum(['platinum', 'gold', 'silver', 'bronze']).nullable(),
  stage: z.enum(['exploring', 'forming', 'stable', 'declining']).nullable(),
  language: z.string(),
  organization: z.string().nullable(),
  createdAt: z.string(),
  mergedInto: z.string().nullable(),
});

/** A channel instance as admins see it (GET /api/v1/channels): secrets only as whether they are set, with its last health report. */
export const ChannelInstanceSchema = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  settings: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.object({ set: z.boolean() })),
  team: z.string().nullable(),
  defaultType: TicketTypeSchema.nullable(),
  /** The last health report (null: none yet, or the instance is off). */
  health: z.object({ ok: z.boolean(), reason: z.string().nullable(), at: z.string() }).nullable(),
  /** When it last completed a read of its provider (a mailbox poll), or null. */
  lastSyncAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

// ---------- customer value (src/value, src/http/routes/value.routes.ts) ----------
const ValueTierSchema = z.enum(['platinum', 'gold', 'silver', 'bronze']);
const StageSchema = z.enum(['exploring', 'forming', 'stable', 'declining']);
const Scores = z.object({ r: z.number().int(), f: z.number().int(), m: z.number().int() });

export const OrderSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  identity: z.object({ kind: z.string(), value: z.string() }),
  amount: z.number(),
  currency: z.string(),
  orderedAt: z.string(),
  source: z.enum(['api', 'import']),
  createdAt: z.string(),
});
export const orderDto = (o: OrderDoc) => ({
  id: o._id,
  contactId: o.contact.toString(),
  identity: { kind: o.identity.kind, value: o.identity.value },
  amount: o.amount,
  currency: o.currency,
  orderedAt: o.orderedAt.toISOString(),
  source: o.source,
  createdAt: o.createdAt.toISOString(),
});
const RowErrorSchema = z.object({ row: z.number().int(), field: z.string(), code: z.string(), message: z.string() });
export const ImportReportSchema = z.object({
  dryRun: z.boolean(),
  rows: z.number().int(),
  valid: z.number().int(),
  imported: z.number().int(),
  duplicates: z.number().int().describe('valid rows whose order id was already recorded (or came earlier in the file): nothing changed'),
  invalid: z.number().int().describe('rows with at least one error'),
  errors: z.array(RowErrorSchema),
  preview: z.array(z.object({ row: z.number().int(), values: z.record(z.string(), z.string()), errors: z.array(RowErrorSchema) })),
});
const Summary = z.object({
  count: z.number().int(),
  total: z.number(),
  currency: z.string(),
  unconverted: z.number().int().describe('orders in a currency without a rate (not in total)'),
  lastOrderAt: z.string().nullable(),
  latest: z.array(OrderSchema),
});
export const ContactValueSchema = z.object({
  tier: ValueTierSchema.nullable().describe('the tier routing and SLA use'),
  computedTier: ValueTierSchema.nullable(),
  tierOverride: ValueTierSchema.nullable().describe('a tier set by hand (PATCH /contacts/:id), winning over the computed one'),
  stage: StageSchema.nullable(),
  stageReason: z.object({ code: z.string(), params: z.record(z.string(), z.number()) }).nullable(),
  rfm: Scores.nullable(),
  recencyDays: z.number().nullable(),
  segment: z.number().int().nullable(),
  computedAt: z.string().nullable(),
  orders: Summary,
});
export const ValueJobSchema = z.object({
  id: z.string(),
  state: z.string().describe('waiting, active, delayed, completed, failed'),
  trigger: z.string(),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export const SegmentsSchema = z.object({
  k: z.number().int().describe('the k supervisors chose (the next segmentation uses it)'),
  computedAt: z.string().nullable(),
  customers: z.number().int(),
  segments: z.array(z.object({ id: z.number().int(), size: z.number().int(), centroid: z.object({ r: z.number(), f: z.number(), m: z.number() }) })),
});

const FloorTicketFields = { ticketId: z.string(), number: z.number().int(), subject: z.string() };
const FloorSlaTicket = z.object({ ...FloorTicketFields, clock: z.enum(['first_response', 'next_response', 'resolution']), dueAt: z.string(), assigneeId: z.string().nullable() });
const FloorKinds = z.object({ chat: z.number().int(), async: z.number().int() });
/** GET /api/v1/stats/floor: the supervisors' live floor, per team. */
export const FloorSchema = z.object({
  at: z.string().describe('when the figures were read; wait times are as of then'),
  teams: z.array(
    z.object({
      teamId: z.string(),
      name: z.string(),
      alerts: z.object({ maxWaiting: z.number().int().nullable(), maxWaitSeconds: z.number().int().nullable() }).nullable().describe("the team's queue alert limits"),
      waiting: z.number().int(),
      oldestWaitSeconds: z.number().int().nullable(),
      queues: z.array(z.object({ channel: z.string(), waiting: z.number().int(), oldestWaitSeconds: z.number().int(), oldestSince: z.string() })).describe('per channel with tickets waiting'),
      agents: z.array(
        z.object({
          agentId: z.string(),
          name: z.string(),
          status: z.enum(['online', 'away', 'offline']),
          load: FloorKinds.describe('counted against the limits: held tickets and open offers'),
          limits: FloorKinds,
          tickets: z.array(z.object({ ...FloorTicketFields, kind: z.enum(['chat', 'async']) })).describe('held (accepted) tickets'),
        }),
      ),
      offers: z.array(z.object({ ...FloorTicketFields, agentId: z.string(), agentName: z.string(), expiresAt: z.string().nullable() })),
      atRisk: z.array(FloorSlaTicket).describe('open tickets whose SLA warning fired, not past due yet'),
      breached: z.array(FloorSlaTicket).describe('open tickets past a due time now'),
    }),
  ),
});
