import { z } from 'zod';
import { atLeast } from '../../auth/principal';
import { VALUE_TIERS, type ContactDesk } from '../../contacts/contact-desk.service';
import { contactDto, ContactOptOutSchema, ContactSchema, ticketSummaryDto, TicketSummarySchema } from '../dto';
import { HttpProblem } from '../problem';
import type { RouteTable } from '../route';
import { desk } from './tickets.routes';

const Id = z.object({ id: z.string().min(1).max(64) });

export function registerContactRoutes(t: RouteTable, deps: { contacts: ContactDesk }): void {
  const { contacts } = deps;

  t.route({
    method: 'get',
    path: '/api/v1/contacts',
    summary: 'List or search customers (name or any identity: email, phone, visitor id, …), newest first',
    tags: ['contacts'],
    access: 'signed-in',
    query: z.object({
      q: z.string().trim().min(1).max(200).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(64).optional(),
    }),
    response: z.object({ items: z.array(ContactSchema), nextCursor: z.string().nullable() }),
    async handler({ query }) {
      const page = await desk(() => contacts.list(query));
      return { items: page.items.map(contactDto), nextCursor: page.nextCursor };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/contacts/:id',
    summary: "One customer with every ticket across channels that you may see",
    tags: ['contacts'],
    access: 'signed-in',
    params: Id,
    errors: [404],
    response: z.object({
      contact: ContactSchema.extend({
        optOuts: z
          .array(ContactOptOutSchema)
          .describe('Addresses that opted out (an SMS STOP): replies to them are refused until the customer opts back in (START)'),
      }),
      tickets: z.array(TicketSummarySchema),
    }),
    async handler({ params, principal }) {
      const d = await desk(() => contacts.detail(principal!, params.id));
      return {
        contact: { ...contactDto(d.contact), optOuts: d.optOuts.map((o) => ({ channel: o.channel, address: o.address, keyword: o.keyword, at: o.at.toISOString() })) },
        tickets: d.tickets.map(ticketSummaryDto),
      };
    },
  });

  t.route({
    method: 'patch',
    path: '/api/v1/contacts/:id',
    summary: "Edit a customer's name, tags, value tier (supervisors and admins: a tier override) or language",
    tags: ['contacts'],
    access: 'signed-in',
    params: Id,
    body: z
      .object({
        name: z.string().trim().max(200),
        tags: z.array(z.string().trim().min(1).max(50)).max(50),
        tier: z.enum(VALUE_TIERS).nullable(),
        language: z.string().trim().max(20),
      })
      .partial()
      .refine((b) => Object.keys(b).length > 0, 'nothing to change'),
    errors: [404],
    response: ContactSchema,
    async handler({ params, body, principal }) {
      // A tier set by hand changes routing and SLA: supervisors and admins only.
      if (body.tier !== undefined && !atLeast(principal!, 'supervisor')) {
        throw new HttpProblem(403, 'Forbidden', 'Only supervisors and admins may set a tier override.', [
          { field: 'tier', message: 'only supervisors and admins may set a tier override (tierOverride)', code: 'tier_override_forbidden' },
        ]);
      }
      return contactDto(await desk(() => contacts.update(params.id, body)));
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/contacts/:id/merge',
    summary:
      'Merge another customer profile into this one (supervisors and admins): identities, tickets, messages and thread history move here; the other profile points here with mergedInto',
    tags: ['contacts'],
    access: 'supervisor',
    params: Id,
    body: z.object({ sourceContactId: z.string().min(1).max(64) }),
    errors: [404, 409],
    response: ContactSchema,
    async handler({ params, body, principal }) {
      return contactDto(await desk(() => contacts.merge(principal!, params.id, body.sourceContactId)));
    },
  });
}
