import { z } from 'zod';
import { ComplaintSettingsSchema, CsatSettingsSchema, type CareSettings } from '../../care/care-settings.store';
import type { SuggestionService } from '../../care/suggestion.service';
import { SUGGESTION_STAGES } from '../../tickets/ticket-desk.service';
import type { TicketDesk } from '../../tickets/ticket-desk.service';
import { ticketSummaryDto, TicketSummarySchema } from '../dto';
import type { RouteTable } from '../route';
import { desk, ObjectIdString } from './tickets.routes';

const Id = z.object({ id: ObjectIdString });

/**
 * Customer care: the admins' CSAT and complaint settings, and the suggestion lifecycle
 * (stage changes, duplicates). Thin: validation here, the work in src/care and src/csat.
 */
export function registerCareRoutes(t: RouteTable, deps: { settings: CareSettings; suggestions: SuggestionService; desk: TicketDesk }): void {
  const { settings, suggestions } = deps;

  t.route({
    method: 'get',
    path: '/api/v1/settings/csat',
    summary: 'Which resolved tickets ask their customer how satisfied they are (per type and channel), the SMS answer window, low-score follow-ups',
    tags: ['settings'],
    access: 'admin',
    response: CsatSettingsSchema,
    handler: () => settings.csat(),
  });
  t.route({
    method: 'put',
    path: '/api/v1/settings/csat',
    summary: 'Replace the CSAT settings (admins)',
    tags: ['settings'],
    access: 'admin',
    body: CsatSettingsSchema,
    response: CsatSettingsSchema,
    handler: ({ body }) => settings.setCsat(body),
  });
  t.route({
    method: 'get',
    path: '/api/v1/settings/complaints',
    summary: 'Complaint causes (picked when resolving a complaint) and the days until the care follow-up',
    tags: ['settings'],
    access: 'signed-in',
    response: ComplaintSettingsSchema,
    handler: () => settings.complaints(),
  });
  t.route({
    method: 'put',
    path: '/api/v1/settings/complaints',
    summary: 'Replace the complaint settings (admins)',
    tags: ['settings'],
    access: 'admin',
    body: ComplaintSettingsSchema,
    response: ComplaintSettingsSchema,
    handler: ({ body }) => settings.setComplaints(body),
  });

  t.route({
    method: 'post',
    path: '/api/v1/tickets/:id/suggestion',
    summary:
      "Move a suggestion through its lifecycle (under_review → accepted → planned → shipped, or declined with a reason; 409 with the reason when not allowed). Shipping tells every customer of it and of its duplicates, once each, through their ticket's channel",
    tags: ['tickets'],
    access: 'signed-in',
    params: Id,
    body: z.object({ stage: z.enum(SUGGESTION_STAGES), reason: z.string().trim().max(1000).optional() }),
    errors: [409],
    response: TicketSummarySchema,
    async handler({ params, body, principal }) {
      const updated = await desk(() => suggestions.setStage(principal!, params.id, body));
      return ticketSummaryDto(await deps.desk.view(updated));
    },
  });
  t.route({
    method: 'put',
    path: '/api/v1/tickets/:id/suggestion/duplicate-of',
    summary: 'Link a suggestion as a duplicate of an original suggestion (`of: null` unlinks it); its customer is told when the original ships',
    tags: ['tickets'],
    access: 'signed-in',
    params: Id,
    body: z.object({ of: ObjectIdString.nullable() }),
    errors: [409],
    response: TicketSummarySchema,
    async handler({ params, body, principal }) {
      const updated = await desk(() => suggestions.linkDuplicate(principal!, params.id, body.of));
      return ticketSummaryDto(await deps.desk.view(updated));
    },
  });
  t.route({
    method: 'get',
    path: '/api/v1/tickets/:id/suggestion/duplicates',
    summary:
      'A suggestion\'s links: the original it is a duplicate of, and the suggestions linked as its duplicates (oldest first), each only where you may see the ticket; `total` counts all its duplicates',
    tags: ['tickets'],
    access: 'signed-in',
    params: Id,
    errors: [404, 409],
    response: z.object({
      original: TicketSummarySchema.nullable().describe('null: not a duplicate, or its original is not yours to see'),
      duplicates: z.array(TicketSummarySchema),
      total: z.number().int().describe('duplicates linked to it, including those not yours to see'),
    }),
    async handler({ params, principal }) {
      const r = await desk(() => suggestions.related(principal!, params.id));
      const dto = async (x: Parameters<TicketDesk['view']>[0]) => ticketSummaryDto(await deps.desk.view(x));
      return { original: r.original ? await dto(r.original) : null, duplicates: await Promise.all(r.duplicates.map(dto)), total: r.total };
    },
  });
}
