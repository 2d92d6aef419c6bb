import { z } from 'zod';
import { ChannelIdSchema, IdentityKindSchema, PrioritySchema, TicketTypeSchema } from '../../channels/contract';
import type { ApiTokenDoc } from '../auth/api-token.model';
import { calendarOf } from '../auth/team-calendar';
import type { TeamDoc } from '../auth/team.model';
import type { UserDoc } from '../auth/user.model';
import type { ContactDoc } from '../contacts/contact.model';
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

export const teamDto = (t: TeamDoc) => ({ id: t._id.toString(), name: t.name, description: t.description, businessHours: calendarOf(t.businessHours) });

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
  emailCopy: z
    .object({ to: z.string(), status: z.enum(['sent', 'bounced']), error: z.string().nullable() })
    .nullable()
    .describe('a chat reply also emailed to a customer who had left: where, and whether that email bounced'),
  deliveryStatus: z.enum(['received', 'queued', 'sent', 'delivered', 'failed', 'bounced']).nullable().describe('null for notes; bounced: sent, then reported undelivered by the provider (an email bounce)'),
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
export const TeamSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  businessHours: BusinessCalendarSchema.nullable().describe('null: SLA clocks of this team run around the clock'),
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
