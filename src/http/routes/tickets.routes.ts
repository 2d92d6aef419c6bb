import { z } from 'zod';
import { CHANNELS, PRIORITIES, PrioritySchema, TICKET_TYPES, TicketTypeSchema } from '../../../channels/contract';
import type { CallBackService } from '../../outbound/call-back.service';
import type { OutboundService } from '../../outbound/outbound.service';
import { MAX_REPLY_ATTACHMENTS, type ReplyAttachments } from '../../outbound/reply-attachments';
import { DeskError } from '../../tickets/desk.errors';
import { bulkUpdate } from '../../tickets/ticket-bulk.service';
import { TICKET_SORTS, TICKET_STATUSES, type TicketDesk } from '../../tickets/ticket-desk.service';
import {
  contactDto,
  messageDto,
  MessageSchema,
  ticketSummaryDto,
  TicketSummarySchema,
  timelineEventDto,
  TimelineEventSchema,
  ContactSchema,
} from '../dto';
import { HttpProblem } from '../problem';
import { Reply, type RouteTable } from '../route';

export const TITLES: Record<DeskError['status'], string> = { 400: 'Bad request', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 422: 'Invalid request' };

/** Runs a service call; its {@link DeskError}s leave as problem+json with their status. */
export async function desk<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof DeskError) throw new HttpProblem(err.status, TITLES[err.status], err.message, err.errors);
    throw err;
  }
}

export const ObjectIdString = z.string().regex(/^[0-9a-fA-F]{24}$/, 'must be a 24-character hex id');
const Id = z.object({ id: z.string().min(1).max(64) });

/** `a,b,c` → a validated list of enum values. */
const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)))
    .optional();

const ListQuery = z.object({
  view: z.enum(['mine', 'unassigned', 'all']).optional(),
  status: csv(TICKET_STATUSES),
  type: csv(TICKET_TYPES),
  priority: csv(PRIORITIES),
  channel: csv(CHANNELS),
  assignee: z.union([z.enum(['me', 'none']), ObjectIdString]).optional(),
  team: ObjectIdString.optional(),
  contact: ObjectIdString.optional(),
  tag: z.string().trim().min(1).max(100).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  createdFrom: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  createdTo: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  sort: z.enum(TICKET_SORTS).default('-updatedAt'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
});

const Patch = z
  .object({
    status: z.enum(TICKET_STATUSES),
    priority: PrioritySchema,
    type: TicketTypeSchema,
    tags: z.array(z.string().trim().min(1).max(50)).max(50),
    assignee: ObjectIdString.nullable(),
    team: ObjectIdString,
    cause: z.string().trim().min(1).max(80).describe('resolving a complaint: its cause, one of GET /api/v1/settings/complaints causes (required then: 400 at `cause` without it)'),
    actionTaken: z.string().trim().max(2000).describe('resolving a complaint: what was done'),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');

const Bulk = z
  .object({
    ticketIds: z.array(ObjectIdString).min(1).max(200),
    assignee: ObjectIdString.nullable().optional(),
    team: ObjectIdString.optional(),
    status: z.enum(TICKET_STATUSES).optional(),
    addTags: z.array(z.string().trim().min(1).max(50)).min(1).max(20).optional(),
  })
  .refine((b) => b.assignee !== undefined || b.team !== undefined || b.status !== undefined || b.addTags !== undefined, 'nothing to change');

const BulkResultSchema = z.union([
  z.object({ id: z.string(), ok: z.literal(true), ticket: TicketSummarySchema }),
  z.object({
    id: z.string(),
    ok: z.literal(false),
    number: z.number().int().nullable().describe('null when the ticket is not yours to see'),
    status: z.number().int().describe('what the single-ticket PATCH would have answered: 403, 404, 409 or 422'),
    code: z.enum(['closed', 'forbidden', 'not_found', 'conflict', 'invalid', 'bad_request']),
    detail: z.string(),
  }),
]);

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
/** An Idempotency-Key header's value (absent: undefined); a malformed one is a 400 naming the header. */
function idempotencyKeyOf(raw: string | undefined): string | undefined {
  const key = raw?.trim();
  if (raw !== undefined && (!key || !IDEMPOTENCY_KEY.test(key))) {
    throw new HttpProblem(400, 'Invalid request', 'Idempotency-Key must be 1 to 200 visible ASCII characters.', [
      { field: 'Idempotency-Key', message: 'invalid', code: 'invalid_format' },
    ]);
  }
  return key || undefined;
}

export function registerTicketRoutes(
  t: RouteTable,
  deps: {
    desk: TicketDesk;
    outbound: OutboundService;
    /** Files agents attach to replies (POST /api/v1/attachments). */
    attachments?: ReplyAttachments;
    /** "Call back" on phone tickets (absent: no phone numbers on this hub). */
    callBack?: CallBackService;
    /** When the customer and an agent last read the conversation (live channels). */
    readState?: (ticketId: string) => Promise<{ agent: Date | null; customer: Date | null }>;
  },
): void {
  const { outbound } = deps;
  const tickets = deps.desk;

  t.route({
    method: 'get',
    path: '/api/v1/tickets',
    summary: 'List the tickets you may see, filtered and sorted, with an opaque cursor for the next page',
    tags: ['tickets'],
    access: 'signed-in',
    query: ListQuery,
    response: z.object({ items: z.array(TicketSummarySchema), nextCursor: z.string().nullable() }),
    async handler({ query, principal }) {
      const page = await desk(() => tickets.list(principal!, query));
      return { items: page.items.map(ticketSummaryDto), nextCursor: page.nextCursor };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/tickets/:id',
    summary: 'One ticket with its messages, timeline and customer (404 outside your scope)',
    tags: ['tickets'],
    access: 'signed-in',
    params: Id,
    errors: [404],
    response: z.object({
      ticket: TicketSummarySchema,
      messages: z.array(MessageSchema),
      timeline: z.array(TimelineEventSchema),
      contact: ContactSchema.nullable(),
      webVisitor: z
        .object({ page: z.string().nullable(), userAgent: z.string().nullable(), firstSeenAt: z.string() })
        .nullable()
        .describe('web chat: the page the visitor was first seen on and their browser (null on other channels)'),
      readState: z.object({ customerReadAt: z.string().nullable(), agentReadAt: z.string().nullable() }),
      canReply: z.boolean(),
      replyChannel: z.enum(CHANNELS).nullable().describe('the channel a reply goes out on: the ticket\'s own, or sms for a phone call\'s ticket when its number has SMS on; null when replies cannot be sent'),
      replyBlockedReason: z.enum(['channel_cannot_send', 'ticket_closed']).nullable(),
      replyBlockedDetail: z.string().nullable(),
    }),
    async handler({ params, principal }) {
      const d = await desk(() => tickets.detail(principal!, params.id));
      const read = deps.readState ? await deps.readState(params.id) : { agent: null, customer: null };
      // Whether the ticket's channel can send a reply now (the composer offers only what can go out).
      const ability = outbound.replyAbility(d.ticket.ticket);
      return {
        canReply: ability.canReply,
        replyChannel: ability.channel,
        replyBlockedReason: ability.reason,
        replyBlockedDetail: ability.detail,
        ticket: ticketSummaryDto(d.ticket),
        messages: d.messages.map(messageDto),
        timeline: d.timeline.map(timelineEventDto),
        contact: d.contact ? contactDto(d.contact) : null,
        webVisitor: d.webVisitor && { page: d.webVisitor.page, userAgent: d.webVisitor.userAgent, firstSeenAt: d.webVisitor.firstSeenAt.toISOString() },
        readState: { customerReadAt: read.customer?.toISOString() ?? null, agentReadAt: read.agent?.toISOString() ?? null },
      };
    },
  });

  t.route({
    method: 'patch',
    path: '/api/v1/tickets/:id',
    summary:
      'Change status (through the state machine; 409 with the reason when not allowed), priority, type (recorded as an agent correction), tags, assignee or team',
    tags: ['tickets'],
    access: 'signed-in',
    params: Id,
    body: Patch,
    errors: [404, 409],
    response: TicketSummarySchema,
    async handler({ params, body, principal }) {
      return ticketSummaryDto(await desk(() => tickets.update(principal!, params.id, body)));
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/tickets/bulk',
    summary:
      'Change many tickets at once (assignee, team, status, added tags): each goes through the single-ticket edit (same checks, same timeline), and each answers its own result, so a partial failure is reported per ticket',
    tags: ['tickets'],
    access: 'signed-in',
    body: Bulk,
    response: z.object({ updated: z.number().int(), failed: z.number().int(), results: z.array(BulkResultSchema) }),
    async handler({ body, principal }) {
      const { ticketIds, ...change } = body;
      const results = await bulkUpdate(tickets, principal!, ticketIds, change);
      const updated = results.filter((r) => r.ok).length;
      return {
        updated,
        failed: results.length - updated,
        results: results.map((r) => (r.ok ? { id: r.id, ok: true as const, ticket: ticketSummaryDto(r.ticket) } : r)),
      };
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/tickets/:id/notes',
    summary: 'Add an internal note (never sent to the customer)',
    tags: ['tickets'],
    access: 'signed-in',
    status: 201,
    params: Id,
    body: z.object({ text: z.string().trim().min(1).max(20_000) }),
    errors: [404],
    response: MessageSchema,
    async handler({ params, body, principal }) {
      return messageDto(await desk(() => tickets.addNote(principal!, params.id, body.text)));
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/tickets/:id/replies',
    summary:
      "Reply to the customer on the ticket's channel: stored as queued, then sent by a job (deliveryStatus becomes sent, delivered or failed, and bounced if an email bounce comes back later; only a sent reply sets firstResponseAt). The same Idempotency-Key answers the same message. 409 (errors: channel cannot_send) when the channel has no sending adapter.",
    tags: ['tickets'],
    access: 'signed-in',
    status: 201,
    params: Id,
    body: z.object({
      text: z.string().trim().min(1).max(100_000),
      html: z.string().max(1_000_000).optional(),
      attachments: z
        .array(z.object({ ref: z.string().min(1).max(100), name: z.string().trim().min(1).max(255), contentType: z.string().trim().min(3).max(255) }))
        .max(MAX_REPLY_ATTACHMENTS)
        .optional()
        .describe('files uploaded with POST /api/v1/attachments (their ref, name and type); sent with the reply where the channel carries files (email as MIME attachments, web chat)'),
    }),
    headers: { 'Idempotency-Key': 'Makes a retried request (a double click) send once: the same key on the same ticket answers the same message.' },
    errors: [404, 409],
    response: MessageSchema,
    async handler({ params, body, principal, req }) {
      const key = idempotencyKeyOf(req.get('idempotency-key'));
      const r = await desk(() => outbound.reply(principal!, params.id, body, key));
      return new Reply(201, messageDto(r.message), r.replayed ? { 'Idempotent-Replayed': 'true' } : {});
    },
  });

  const callBack = deps.callBack;
  if (callBack) {
    t.route({
      method: 'post',
      path: '/api/v1/tickets/:id/call-back',
      summary:
        "Call the customer of a phone ticket back: the number they called rings your phone (your profile's phone), then dials the customer once you answer. Placed and every later status of the call are on the timeline. 409 (errors: agentPhone missing; channel cannot_call; call failed).",
      tags: ['tickets'],
      access: 'signed-in',
      status: 202,
      params: Id,
      headers: { 'Idempotency-Key': 'Makes a retried request (a double click) place one call: the same key on the same ticket answers the call already placed (Idempotent-Replayed: true).' },
      errors: [404, 409],
      response: z.object({
        callId: z.string(),
        externalId: z.string().describe('the provider\'s call id (a Twilio CallSid)'),
        status: z.string().describe('the provider\'s status of the call when placed (queued, ringing, …)'),
        agentPhone: z.string(),
        customer: z.string(),
      }),
      async handler({ params, principal, req }) {
        const key = idempotencyKeyOf(req.get('idempotency-key'));
        const placed = await desk(() => callBack.callBack(principal!, params.id, key));
        const { replayed, ...body } = placed;
        return new Reply(202, body, replayed ? { 'Idempotent-Replayed': 'true' } : {});
      },
    });
  }

  t.route({
    method: 'post',
    path: '/api/v1/tickets/:id/messages/:messageId/retry',
    summary:
      'Send a failed reply again: the same message through the same job (deliveryStatus back to queued, then sent, delivered or failed), recorded on the timeline. 409 unless the reply is failed (errors: messageId not_failed), or when its channel still cannot send.',
    tags: ['tickets'],
    access: 'signed-in',
    status: 202,
    params: z.object({ id: z.string().min(1).max(64), messageId: z.string().min(1).max(64) }),
    errors: [404, 409],
    response: MessageSchema,
    async handler({ params, principal }) {
      return new Reply(202, messageDto(await desk(() => outbound.retry(principal!, params.id, params.messageId))));
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/tickets/:id/merge',
    summary: "Merge another ticket of the same customer into this one: its messages move here, it is closed with mergedInto, both timelines record it",
    tags: ['tickets'],
    access: 'signed-in',
    params: Id,
    body: z.object({ sourceTicketId: z.string().min(1).max(64) }),
    errors: [404, 409],
    response: TicketSummarySchema,
    async handler({ params, body, principal }) {
      return ticketSummaryDto(await desk(() => tickets.merge(principal!, params.id, body.sourceTicketId)));
    },
  });

  const attachments = deps.attachments;
  if (attachments) {
    t.route({
      method: 'post',
      path: '/api/v1/attachments',
      summary: `Upload a file to attach to a reply (base64 in JSON): images, PDF, text, CSV, ZIP and Office documents up to REPLY_MAX_ATTACHMENT_BYTES; answers its ref for POST /tickets/:id/replies (usable by the uploader for a day)`,
      tags: ['tickets'],
      access: 'signed-in',
      status: 201,
      body: z.object({ name: z.string().trim().min(1).max(255), contentType: z.string().trim().min(3).max(255), contentBase64: z.string().min(1) }),
      response: z.object({ ref: z.string(), name: z.string(), contentType: z.string(), size: z.number().int() }),
      async handler({ body, principal }) {
        return desk(() => attachments.upload(principal!, body));
      },
    });
  }

  t.route({
    method: 'get',
    path: '/api/v1/attachments/:ref',
    summary: 'The bytes of an attachment of a message on a ticket you may see',
    tags: ['tickets'],
    access: 'signed-in',
    params: z.object({ ref: z.string().min(1).max(100) }),
    errors: [404],
    async handler({ params, principal, res }) {
      const a = await desk(() => tickets.attachment(principal!, params.ref));
      res
        .status(200)
        .type(a.contentType)
        .set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.name)}`)
        .set('X-Content-Type-Options', 'nosniff')
        .send(a.bytes);
      return undefined;
    },
  });
}
