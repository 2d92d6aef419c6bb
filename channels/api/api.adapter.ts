import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import {
  ChannelRequestError,
  InboundMessageSchema,
  type ChannelAdapter,
  type ChannelContext,
} from '../contract';

export interface ApiChannelOptions {
  /** Bearer key integrators present; when unset the inbound endpoint refuses everything. */
  apiKey: string | undefined;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function authorize(req: Request, apiKey: string | undefined): void {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) {
    throw new ChannelRequestError(401, 'Unauthorized', 'Send the inbound API key as "Authorization: Bearer <key>".', [
      { field: 'Authorization', message: 'missing bearer token' },
    ]);
  }
  // Compare digests so the comparison takes the same time whatever the key's length.
  if (!apiKey || !timingSafeEqual(digest(match[1]!.trim()), digest(apiKey))) {
    throw new ChannelRequestError(401, 'Unauthorized', 'The API key is not valid.', [
      { field: 'Authorization', message: 'invalid API key' },
    ]);
  }
}

/**
 * The generic API channel: integrators POST an InboundMessage as JSON and get the stored
 * ids back (201), or a poll URL when storing takes longer than the wait timeout (202).
 */
export function createApiChannel(options: ApiChannelOptions): ChannelAdapter {
  return {
    id: 'api',
    mount(ctx: ChannelContext) {
      ctx.router.post('/api/v1/inbound', async (req: Request, res: Response) => {
        authorize(req, options.apiKey);
        if (!req.is('application/json')) {
          throw new ChannelRequestError(415, 'Unsupported media type', 'Send the message as application/json.', [
            { field: 'Content-Type', message: 'must be application/json' },
          ]);
        }
        const body: unknown = req.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new ChannelRequestError(422, 'Invalid message', 'The body must be a JSON object.', [{ field: '(body)', message: 'expected an object' }]);
        }
        const parsed = InboundMessageSchema.safeParse({ channel: 'api', receivedAt: new Date().toISOString(), ...body });
        if (!parsed.success) {
          const errors = parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }));
          throw new ChannelRequestError(422, 'Invalid message', `The message has ${errors.length} invalid field(s).`, errors);
        }
        const outcome = await ctx.ingest(parsed.data);
        if (outcome.state === 'stored') {
          res.status(201).json({ messageId: outcome.messageId, ticketId: outcome.ticketId, duplicate: outcome.duplicate });
          return;
        }
        const statusUrl = `${ctx.publicUrl}/api/v1/inbound/jobs/${outcome.jobId}`;
        res.status(202).location(statusUrl).json({ messageId: outcome.messageId, status: 'accepted', statusUrl });
      });

      ctx.router.get('/api/v1/inbound/jobs/:jobId', async (req: Request, res: Response) => {
        authorize(req, options.apiKey);
        const jobId = String(req.params.jobId);
        const s = await ctx.ingestStatus(jobId);
        if (s.state === 'stored') {
          res.status(200).json({ status: 'stored', messageId: s.messageId, ticketId: s.ticketId, duplicate: s.duplicate });
        } else if (s.state === 'accepted') {
          res.status(202).json({ status: 'accepted', messageId: s.messageId });
        } else if (s.state === 'failed') {
          res.status(200).json({ status: 'failed', reason: s.reason });
        } else {
          throw new ChannelRequestError(404, 'Not found', `No inbound job ${jobId}.`, [{ field: 'jobId', message: 'unknown' }]);
        }
      });
    },
  };
}
