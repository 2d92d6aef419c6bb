import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import {
  ChannelError,
  ChannelRequestError,
  InboundMessageSchema,
  type ChannelAdapter,
  type InboundMessage,
  type ChannelContext,
  type OutboundMessage,
  type SendResult,
} from '../contract';

export interface ApiWebhookOptions {
  /** Where replies are POSTed; when unset, replies on API tickets fail with a clear reason. */
  url: string | undefined;
  /** HMAC-SHA256 key of the `X-Hub-Signature-256` header; required to send. */
  secret: string | undefined;
  /** Per-request timeout (default 10 s); a timeout is retried. */
  timeoutMs?: number;
}

export interface ApiChannelOptions {
  /** Bearer key integrators present; when unset the inbound endpoint refuses everything. */
  apiKey: string | undefined;
  webhook?: ApiWebhookOptions;
}

export const SIGNATURE_HEADER = 'X-Hub-Signature-256';
export const TIMESTAMP_HEADER = 'X-Hub-Timestamp';

/** `sha256=<hex>` over the exact bytes of the body: what an integrator recomputes to verify. */
export function signWebhookBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The JSON an integrator's webhook receives for a reply on an API-channel ticket. */
export function webhookPayload(m: OutboundMessage, sentAt: Date) {
  return {
    type: 'message.outbound' as const,
    messageId: m.messageId,
    ticketId: m.ticketId,
    ticketNumber: m.ticketNumber,
    to: m.to,
    from: m.from ?? null,
    subject: m.subject ?? '',
    text: m.text,
    html: m.html ?? null,
    threadRefs: m.threadRefs,
    attachments: m.attachments.map((a) => ({ name: a.name, contentType: a.contentType, size: a.size })),
    sentAt: sentAt.toISOString(),
  };
}

/**
 * POSTs a reply to the integrator's webhook, signed over the exact body. The hub's message
 * id travels as `Idempotency-Key` (the same on every retry), so a receiver that stores by
 * it gets one delivery however often we retry. 2xx → delivered; 429, 5xx, timeouts and
 * network errors → retryable; any other status → rejected for good.
 */
async function sendWebhook(m: OutboundMessage, opts: ApiWebhookOptions | undefined): Promise<SendResult> {
  if (!opts?.url) throw new ChannelError('unavailable', 'API_WEBHOOK_URL is not configured: replies on API-channel tickets have nowhere to go', { retryable: false });
  if (!opts.secret) throw new ChannelError('auth', 'API_WEBHOOK_SECRET is not configured: replies are never sent unsigned', { retryable: false });
  const sentAt = new Date();
  const body = JSON.stringify(webhookPayload(m, sentAt));
  let res: globalThis.Response;
  try {
    res = await fetch(opts.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'omnihub-webhook/1',
        [SIGNATURE_HEADER]: signWebhookBody(body, opts.secret),
        [TIMESTAMP_HEADER]: String(Math.floor(sentAt.getTime() / 1000)),
        'Idempotency-Key': m.messageId,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new ChannelError('network', `webhook unreachable: ${err instanceof Error ? err.message : String(err)}`, { retryable: true, cause: err });
  }
  const text = (await res.text().catch(() => '')).slice(0, 2000);
  if (res.status >= 200 && res.status < 300) {
    let externalId = m.messageId;
    try {
      const parsed: unknown = text ? JSON.parse(text) : null;
      if (parsed && typeof parsed === 'object' && 'id' in parsed && typeof parsed.id === 'string' && parsed.id.trim()) externalId = parsed.id.trim().slice(0, 512);
    } catch {
      /* a 2xx without JSON is fine: the message id stands in for theirs */
    }
    return { externalId, status: 'delivered' };
  }
  const detail = `webhook answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  if (res.status === 429) throw new ChannelError('rate_limited', detail, { retryable: true });
  if (res.status >= 500) throw new ChannelError('unavailable', detail, { retryable: true });
  throw new ChannelError('rejected', detail, { retryable: false });
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function authorize(req: Request, apiKey: string | undefined): void {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) {
    throw new ChannelRequestError(401, 'Unauthorized', 'Send the inbound API key as "Authorization: Bearer <key>".', [
      { field: 'Authorization', message: 'missing bearer token', code: 'missing' },
    ]);
  }
  // Compare digests so the comparison takes the same time whatever the key's length.
  if (!apiKey || !timingSafeEqual(digest(match[1]!.trim()), digest(apiKey))) {
    throw new ChannelRequestError(401, 'Unauthorized', 'The API key is not valid.', [
      { field: 'Authorization', message: 'invalid API key', code: 'invalid_credentials' },
    ]);
  }
}

/**
 * The API channel's body (parsed JSON) → the one message it carries. Pure: `receivedAt`
 * defaults to the time given. The body may name another channel (an integrator relaying
 * email or SMS); it is validated against the contract's InboundMessage schema and every
 * invalid field is named (422).
 */
export function normalizeApiMessage(body: unknown, receivedAt: Date): InboundMessage[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ChannelRequestError(422, 'Invalid message', 'The body must be a JSON object.', [{ field: '(body)', message: 'expected an object', code: 'invalid_type' }]);
  }
  const parsed = InboundMessageSchema.safeParse({ channel: 'api', receivedAt: receivedAt.toISOString(), ...body });
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message, code: i.code }));
    throw new ChannelRequestError(422, 'Invalid message', `The message has ${errors.length} invalid field(s).`, errors);
  }
  return [parsed.data];
}

/**
 * The generic API channel: integrators POST an InboundMessage as JSON and get the stored
 * ids back (201), or a poll URL when storing takes longer than the wait timeout (202).
 * Replies go back to them as signed webhook POSTs ({@link sendWebhook}).
 */
export function createApiChannel(options: ApiChannelOptions): ChannelAdapter {
  return {
    id: 'api',
    normalize: (body: unknown) => normalizeApiMessage(body, new Date()),
    send: (message) => sendWebhook(message, options.webhook),
    mount(ctx: ChannelContext) {
      ctx.router.post('/api/v1/inbound', async (req: Request, res: Response) => {
        authorize(req, options.apiKey);
        if (!req.is('application/json')) {
          throw new ChannelRequestError(415, 'Unsupported media type', 'Send the message as application/json.', [
            { field: 'Content-Type', message: 'must be application/json', code: 'invalid_value' },
          ]);
        }
        const [message] = normalizeApiMessage(req.body, new Date());
        const outcome = await ctx.ingest(message!, { wait: true });
        if (outcome.ticketId) {
          res.status(201).json({ messageId: outcome.messageId, ticketId: outcome.ticketId, duplicate: outcome.duplicate ?? false });
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
          throw new ChannelRequestError(404, 'Not found', `No inbound job ${jobId}.`, [{ field: 'jobId', message: 'unknown', code: 'unknown_reference' }]);
        }
      });
    },
  };
}
