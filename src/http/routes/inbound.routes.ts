import { z } from 'zod';
import { ChannelIdSchema, InboundMessageSchema } from '../../../channels/contract';
import type { RouteTable } from '../route';

/**
 * The body of POST /api/v1/inbound as an integrator sends it: an InboundMessage whose
 * `channel` defaults to `api` and `receivedAt` to the time it arrived (see the API channel's
 * `normalizeApiMessage`).
 */
export const InboundRequestSchema = InboundMessageSchema.extend({
  channel: ChannelIdSchema.default('api').describe('default api; another channel when relaying (an integrator forwarding email or SMS)'),
  externalId: InboundMessageSchema.shape.externalId.describe('your id of the message; (channel, externalId) is unique, a replay answers duplicate: true'),
  receivedAt: z.iso.datetime({ offset: true }).optional().describe('default: when the hub received it'),
});

const Stored = z.object({ messageId: z.string(), ticketId: z.string(), duplicate: z.boolean() });
const Accepted = z.object({ messageId: z.string(), status: z.literal('accepted'), statusUrl: z.string() });

/**
 * Documents the API channel's endpoints (served by channels/api, not the route table) in the
 * OpenAPI document: the integration entry point and its status poll.
 */
export function documentInboundRoutes(t: Pick<RouteTable, 'describe'>): void {
  t.describe({
    method: 'post',
    path: '/api/v1/inbound',
    summary: 'Send the hub a customer message (the integration entry point)',
    description:
      'Bearer: the inbound API key. 201 once stored; 202 with a statusUrl when storing takes longer than INGEST_WAIT_TIMEOUT_MS (the message is still processed). Errors are application/problem+json naming each field at fault.',
    tags: ['inbound'],
    security: [{ inboundKey: [] }],
    body: InboundRequestSchema,
    status: 201,
    response: Stored,
    moreResponses: { 202: { description: 'Accepted, not stored yet: poll statusUrl', schema: Accepted, headers: { Location: 'the statusUrl' } } },
    // 400 malformed JSON, 401 key missing or wrong, 413 too large, 415 not JSON, 422 invalid fields, 429 rate limited.
    errors: [400, 401, 413, 415, 422, 429],
  });
  t.describe({
    method: 'get',
    path: '/api/v1/inbound/jobs/:jobId',
    summary: 'Where an accepted inbound message stands (the statusUrl of a 202)',
    tags: ['inbound'],
    security: [{ inboundKey: [] }],
    params: z.object({ jobId: z.string() }),
    status: 200,
    response: z.object({
      status: z.enum(['stored', 'failed']),
      messageId: z.string().optional(),
      ticketId: z.string().optional(),
      duplicate: z.boolean().optional(),
      reason: z.string().optional(),
    }),
    moreResponses: { 202: { description: 'Still being processed', schema: z.object({ status: z.literal('accepted'), messageId: z.string() }) } },
    errors: [401, 404, 429],
  });
}
