import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ChannelError, ChannelRequestError, rawBodyOf, type ChannelContext, type DeliveryReport, type OutboundMessage, type SendResult } from '../contract';
import { e164 } from './fax.notice';
import { NOT_A_STATUS, type FaxProvider } from './fax.provider';
import { renderFaxReply } from './fax.reply-pdf';
import { telnyxPublicKey } from './fax.verify';
import { createTelnyxFaxProvider } from './telnyx.provider';

/**
 * The sending side of a fax number: an agent's reply on a fax ticket is rendered to fax pages
 * (fax.reply-pdf.ts), kept in the hub's attachment store and handed to the provider, which
 * fetches it from a signed, expiring hub URL (`GET /channels/fax/<id>/media/<token>`) and
 * reports how the fax went to `POST /channels/fax/<id>/status` (signed like its other
 * webhooks): `sent` → `sending` → `delivered`, or `failed` with the reason. A busy line or no
 * answer is dialled again with backoff (`redialAttempts` dials in all), then failed.
 */
export const FaxOutboundSettingsSchema = z.object({
  provider: z.enum(['telnyx']).default('telnyx'),
  /** Where the provider's REST API is reached (an egress gateway, a test stand-in). */
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default('https://api.telnyx.com'),
  /** Telnyx: the Fax Application (connection) id faxes are sent with. */
  connectionId: z.string().trim().min(1).max(200),
  /** The number faxes are sent from (E.164); unset: the instance's `number`. */
  from: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number').optional(),
  /** The base URL the provider reaches the hub at (media and status callbacks); unset: PUBLIC_URL. */
  publicBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The company's letterhead on every reply, one line per line (the first one larger). */
  letterhead: z.string().max(2000).default(''),
  paperSize: z.enum(['A4', 'Letter']).default('A4'),
  /** The language of the page's own words (labels, footer). */
  language: z.enum(['en', 'zh-CN']).default('en'),
  /** The zone of the date on the page (IANA). */
  timeZone: z
    .string()
    .max(64)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone such as Asia/Shanghai')
    .default('UTC'),
  /** Dials in all when the line is busy or nobody answers (1: no redial). */
  redialAttempts: z.number().int().min(1).max(10).default(3),
  /** The wait before the first redial; each next one waits twice as long. */
  redialBackoffMs: z.number().int().min(100).max(86_400_000).default(300_000),
  /** How long the provider may fetch a reply's PDF from its URL. */
  mediaTtlSeconds: z.number().int().min(60).max(7 * 86_400).default(3600),
});
export type FaxOutboundSettings = z.infer<typeof FaxOutboundSettingsSchema>;

export interface FaxOutboundOptions {
  /** The instance id (its URLs). */
  id: string;
  settings: FaxOutboundSettings;
  /** The instance's own number (the default sender). */
  number: string | undefined;
  toleranceSeconds: number;
  /** The provider's API key (secret). */
  apiKey: string | undefined;
  /** Telnyx: the webhook public key (secret), for the status callbacks. */
  publicKey: string | undefined;
  /** A provider stand-in (tests); default: from `settings.provider`. */
  provider?: FaxProvider;
}

export interface FaxOutbound {
  send(message: OutboundMessage): Promise<SendResult>;
  mount(ctx: ChannelContext): void;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** A media URL's token: `<base64url(ref.expiry)>.<HMAC>`, so the URL names one file until it expires. */
export function mediaToken(key: Buffer, ref: string, expiresAt: number): string {
  const payload = b64url(`${ref}.${expiresAt}`);
  return `${payload}.${b64url(createHmac('sha256', key).update(payload).digest())}`;
}

/** The file a token names, `expired`, or null when it is not one of ours. */
export function readMediaToken(key: Buffer, token: string, now: number): { ref: string } | 'expired' | null {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return null;
  const expected = createHmac('sha256', key).update(payload).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const m = /^(.+)\.(\d{1,13})$/.exec(Buffer.from(payload, 'base64url').toString('utf8'));
  if (!m) return null;
  return Number(m[2]) < now ? 'expired' : { ref: m[1]! };
}

export function createFaxOutbound(o: FaxOutboundOptions): FaxOutbound {
  const { settings, id } = o;
  const from = settings.from ?? o.number;
  let key: KeyObject | null = null;
  let keyProblem: string | null = null;
  if (o.publicKey) {
    try {
      key = telnyxPublicKey(o.publicKey);
    } catch (err) {
      keyProblem = err instanceof Error ? err.message : String(err);
    }
  } else keyProblem = 'no Telnyx public key: fax status callbacks are refused';
  const problem = !o.apiKey ? 'no API key: fax replies cannot be sent' : !from ? 'no number to send faxes from (settings.number or settings.outbound.from)' : keyProblem;
  const provider =
    o.provider ??
    createTelnyxFaxProvider({ apiBaseUrl: settings.apiBaseUrl, apiKey: o.apiKey ?? '', connectionId: settings.connectionId, publicKey: key, toleranceSeconds: o.toleranceSeconds });
  // The media URLs' signing key, derived from the instance's own secret.
  const mediaKey = createHmac('sha256', o.apiKey ?? '').update(`omnihub-fax-media:${id}`).digest();
  let ctx: ChannelContext | null = null;
  const base = (): string => (settings.publicBaseUrl ?? ctx?.publicUrl ?? '').replace(/\/+$/, '');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (!ctx) throw new ChannelError('unavailable', 'the fax number is not running', { retryable: true });
    if (!o.apiKey) throw new ChannelError('auth', 'the fax number has no API key configured', { retryable: false });
    if (!from) throw new ChannelError('invalid', 'the fax number has no number to send from', { retryable: false });
    if (!ctx.storeFile || !ctx.attachment) throw new ChannelError('unavailable', 'this hub keeps no files for the provider to fetch', { retryable: false });
    if (message.attachments.length > 0) throw new ChannelError('invalid', 'attachments cannot be faxed from the hub; the reply text is', { retryable: false });
    const to = e164(message.to[0]?.address ?? '');
    if (!to) throw new ChannelError('invalid', `${message.to[0]?.address ?? '(none)'} is not a fax number in E.164 form`, { retryable: false });
    const pdf = await renderFaxReply({
      letterhead: settings.letterhead,
      ticketNumber: message.ticketNumber,
      date: new Date(),
      timeZone: settings.timeZone,
      to,
      from,
      text: message.text,
      ...(message.from?.name ? { signedBy: message.from.name } : {}),
      paperSize: settings.paperSize,
      language: settings.language,
    });
    const ref = await ctx.storeFile(pdf);
    const token = mediaToken(mediaKey, ref, Math.floor(Date.now() / 1000) + settings.mediaTtlSeconds);
    const faxId = await provider.send({
      messageId: message.messageId,
      to,
      from,
      mediaUrl: `${base()}/channels/fax/${id}/media/${token}`,
      statusUrl: `${base()}/channels/fax/${id}/status`,
    });
    ctx.logger.info({ messageId: message.messageId, faxId, bytes: pdf.length }, 'fax: reply handed to the provider');
    return { externalId: faxId, status: 'sent' };
  }

  async function media(c: ChannelContext, req: Request, res: Response): Promise<void> {
    const token = typeof req.params.token === 'string' ? req.params.token : '';
    const found = readMediaToken(mediaKey, token, Math.floor(Date.now() / 1000));
    if (found === null) throw new ChannelRequestError(404, 'Not found', 'No fax document at this address.');
    if (found === 'expired') throw new ChannelRequestError(410, 'Gone', 'This fax document link has expired.');
    const bytes = await c.attachment!(found.ref).catch(() => null);
    if (!bytes) throw new ChannelRequestError(404, 'Not found', 'No fax document at this address.');
    res.status(200).set({ 'content-type': 'application/pdf', 'content-length': String(bytes.length), 'cache-control': 'no-store' }).end(bytes);
  }

  async function status(c: ChannelContext, req: Request, res: Response): Promise<void> {
    const raw = rawBodyOf(req);
    if (!raw) throw new ChannelRequestError(415, 'Unsupported media type', 'The callback must be application/json.');
    const bad = provider.verify({ body: raw, header: (n) => req.get(n), now: Date.now() });
    if (bad) {
      c.logger.warn({ reason: bad.reason, detail: bad.detail }, 'fax: status callback refused');
      throw new ChannelRequestError(403, 'Signature refused', bad.reason === 'stale' ? 'The timestamp is outside the allowed window.' : 'The signature is missing or does not match.');
    }
    const s = provider.parseStatus(req.body);
    if (s === NOT_A_STATUS) {
      res.status(200).json({ received: true, ignored: true });
      return;
    }
    // Named by the provider's fax id: a report about an earlier dial of a reply that was dialled again is stale.
    const report: DeliveryReport =
      s.status === 'failed'
        ? {
            channel: 'fax',
            externalId: s.faxId,
            status: 'failed',
            reason: s.failure?.reason ?? 'failed',
            code: s.failure?.code ?? 'not_delivered',
            ...(s.failure?.redial ? { retry: { attempts: settings.redialAttempts, backoffMs: settings.redialBackoffMs } } : {}),
          }
        : { channel: 'fax', externalId: s.faxId, status: s.status === 'queued' ? 'sent' : s.status };
    const changed = c.deliveryReport ? await c.deliveryReport(report) : false;
    c.logger.info({ faxId: s.faxId, messageId: s.messageId, status: s.status, reason: s.failure?.reason, changed }, 'fax: status callback');
    res.status(200).json({ received: true, changed });
  }

  return {
    send,
    mount(c) {
      ctx = c;
      if (problem) c.reportHealth({ ok: false, reason: problem });
      c.router.get(`/channels/fax/${id}/media/:token`, (req, res, next) => {
        media(c, req, res).catch(next);
      });
      c.router.post(`/channels/fax/${id}/status`, (req, res, next) => {
        status(c, req, res).catch(next);
      });
    },
  };
}
