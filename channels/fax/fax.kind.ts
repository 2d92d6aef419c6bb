import type { KeyObject } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  ChannelRequestError,
  rawBodyOf,
  type ChannelAdapter,
  type ChannelContext,
  type ChannelKind,
  type InboundMessageInput,
  type IngestResult,
} from '../contract';
import { processFaxDocument, type FaxDocument } from './fax.document';
import { IGNORED, parseGeneric, parseTelnyx, type FaxNotice } from './fax.notice';
import { createFaxOutbound, FaxOutboundSettingsSchema } from './fax.outbound';
import { telnyxPublicKey, verifyGeneric, verifyTelnyx, type VerifyFailure } from './fax.verify';

/**
 * A fax number as a channel instance. The provider posts each received fax to
 * `POST /channels/fax/<instance id>/inbound`, signed:
 *   - `telnyx`: Telnyx's `fax.received` event, Ed25519 (`telnyx-signature-ed25519` over
 *     `<telnyx-timestamp>|<body>`) with the instance's public key;
 *   - `generic`: our own JSON (a HylaFAX `faxrcvd` script, any integrator), HMAC-SHA256 with
 *     the instance's signing secret over `<X-Fax-Timestamp>.<body>` in `X-Fax-Signature`.
 * A request that is unsigned, forged or outside the freshness window is refused (403) before
 * anything is fetched or stored. Then the document is fetched from the provider (or taken
 * from the body), its pages rendered and read (OCR), and the fax becomes one message: the
 * recognised text (classified like any message), the original file and one image per page.
 * The answer comes once the message is durably accepted, so a failure is retried by the
 * provider; a replay is a duplicate by the fax id and stores nothing.
 */
export const FaxSettingsSchema = z.object({
  provider: z.enum(['telnyx', 'generic']),
  /** The instance's own fax number (E.164), shown to agents. */
  number: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number').optional(),
  /** Pages beyond this are not rendered or read (the original keeps them all). Each read page adds an image and a thumbnail. */
  maxPages: z.number().int().min(1).max(19).default(10),
  /** How far a request's timestamp may be from now. */
  toleranceSeconds: z.number().int().min(10).max(3600).default(300),
  /** tesseract languages. */
  ocrLanguages: z.string().regex(/^[a-z_]+(\+[a-z_]+)*$/).max(100).default('chi_sim+eng'),
  /** Fetching the document from the provider. */
  mediaTimeoutMs: z.number().int().min(500).max(120_000).default(30_000),
  /** Each tool run (per page for OCR). */
  ocrTimeoutMs: z.number().int().min(1000).max(600_000).default(120_000),
  /** Replies by fax (fax.outbound.ts); unset: agents' replies on the number's tickets cannot be sent. */
  outbound: FaxOutboundSettingsSchema.optional(),
});
export type FaxSettings = z.infer<typeof FaxSettingsSchema>;

export const FaxSecretsSchema = z.object({
  /** `generic`: the HMAC-SHA256 key. */
  signingSecret: z.string().min(16).max(1000).optional(),
  /** `telnyx`: the account's public key (base64 of 32 bytes, from the portal) or a PEM key. */
  publicKey: z.string().min(40).max(2000).optional(),
  /** `outbound`: the provider's API key (Telnyx API v2 key) replies are sent with. */
  apiKey: z.string().min(10).max(1000).optional(),
});
type FaxSecrets = z.infer<typeof FaxSecretsSchema>;

const MAX_MEDIA_BYTES = 25 * 1024 * 1024;

const failure = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function fetchMedia(url: string, timeoutMs: number): Promise<Buffer> {
  let res: globalThis.Response;
  try {
    res = await fetch(url, { headers: { 'user-agent': 'omnihub-fax/1' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new ChannelRequestError(502, 'Fax document unavailable', `the document could not be fetched: ${failure(err)}`);
  }
  if (!res.ok) throw new ChannelRequestError(502, 'Fax document unavailable', `the provider answered ${res.status} for the document`);
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_MEDIA_BYTES) throw new ChannelRequestError(413, 'Fax document too large', `the document has ${length} bytes (at most ${MAX_MEDIA_BYTES})`);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_MEDIA_BYTES) throw new ChannelRequestError(413, 'Fax document too large', `the document has ${bytes.length} bytes (at most ${MAX_MEDIA_BYTES})`);
  return bytes;
}

/** The stored message of a fax: the OCR text (or why there is none), the original, the page images. */
export function faxMessage(notice: FaxNotice, doc: FaxDocument, original: Buffer, provider: FaxSettings['provider'], maxPages: number): InboundMessageInput {
  const ext = doc.format === 'pdf' ? 'pdf' : doc.format === 'tiff' ? 'tif' : 'bin';
  const capped = doc.pageCount > doc.pages.length && doc.error === null;
  return {
    channel: 'fax',
    externalId: notice.faxId,
    from: { address: notice.from, kind: 'fax' },
    to: notice.to ? [{ address: notice.to, kind: 'fax' }] : [],
    text: doc.error !== null ? `OCR failed: ${doc.error}` : doc.text,
    attachments: [
      { name: `fax-${notice.faxId.replace(/[^\w.-]/g, '_').slice(0, 100)}.${ext}`, contentType: doc.contentType, size: original.length, contentBase64: original.toString('base64') },
      ...doc.pages.flatMap((p) => [
        { name: p.name, contentType: 'image/png', size: p.png.length, contentBase64: p.png.toString('base64') },
        { name: p.thumbName, contentType: 'image/png', size: p.thumb.length, contentBase64: p.thumb.toString('base64') },
      ]),
    ],
    receivedAt: notice.receivedAt,
    metadata: {
      faxProvider: provider,
      faxPages: String(doc.pageCount),
      faxPagesRead: String(doc.pages.length),
      ocr: doc.error === null ? 'recognised' : 'failed',
      ...(doc.error !== null ? { ocrError: doc.error.slice(0, 2000) } : {}),
      ...(capped ? { faxPageCap: String(maxPages) } : {}),
    },
  };
}

export const faxKind: ChannelKind<FaxSettings, FaxSecrets> = {
  kind: 'fax',
  settings: FaxSettingsSchema,
  secrets: FaxSecretsSchema,
  create({ id, settings, secrets }): ChannelAdapter {
    let key: KeyObject | null = null;
    let misconfigured: string | null = null;
    const outbound = settings.outbound
      ? createFaxOutbound({ id, settings: settings.outbound, number: settings.number, toleranceSeconds: settings.toleranceSeconds, apiKey: secrets.apiKey, publicKey: secrets.publicKey })
      : null;
    /** Faxes being fetched and read now, by fax id. */
    const inFlight = new Map<string, Promise<IngestResult>>();
    if (settings.provider === 'telnyx') {
      if (!secrets.publicKey) misconfigured = 'no Telnyx public key: every fax is refused';
      else {
        try {
          key = telnyxPublicKey(secrets.publicKey);
        } catch (err) {
          misconfigured = failure(err);
        }
      }
    } else if (!secrets.signingSecret) misconfigured = 'no signing secret: every fax is refused';

    function check(req: Request): VerifyFailure | null {
      const signed = { body: rawBodyOf(req) ?? Buffer.alloc(0), header: (n: string) => req.get(n), now: Date.now() };
      if (settings.provider === 'telnyx') return key ? verifyTelnyx(signed, key, settings.toleranceSeconds) : { reason: 'unsigned', detail: misconfigured ?? '' };
      return secrets.signingSecret ? verifyGeneric(signed, secrets.signingSecret, settings.toleranceSeconds) : { reason: 'unsigned', detail: misconfigured ?? '' };
    }

    async function inbound(ctx: ChannelContext, req: Request, res: Response): Promise<void> {
      if (misconfigured) throw new ChannelRequestError(503, 'Fax channel not configured', misconfigured);
      if (!rawBodyOf(req)) throw new ChannelRequestError(415, 'Unsupported media type', 'The notification must be application/json.');
      const bad = check(req);
      if (bad) {
        ctx.logger.warn({ reason: bad.reason, detail: bad.detail }, 'fax: notification refused');
        throw new ChannelRequestError(403, 'Signature refused', bad.reason === 'stale' ? 'The timestamp is outside the allowed window.' : 'The signature is missing or does not match.');
      }
      const now = new Date();
      const notice = settings.provider === 'telnyx' ? parseTelnyx(req.body, now) : parseGeneric(req.body, now);
      if (notice === IGNORED) {
        res.status(200).json({ received: true, ignored: true });
        return;
      }
      // A replay of a fax already accepted: nothing is fetched or read again.
      const seen = `fax:${notice.faxId}`;
      if ((await ctx.checkpoint.get(seen)) !== null) {
        res.status(200).json({ received: true, duplicate: true });
        return;
      }
      // A delivery of a fax this process is reading already (the provider retried meanwhile) waits for that one.
      let work = inFlight.get(notice.faxId);
      const first = work === undefined;
      if (!work) {
        work = accept(ctx, notice).finally(() => inFlight.delete(notice.faxId));
        inFlight.set(notice.faxId, work);
      }
      const accepted = await work;
      await ctx.checkpoint.set(seen, accepted.messageId);
      res.status(200).json({ received: true, duplicate: !first || accepted.duplicate === true, messageId: accepted.messageId });
    }

    async function accept(ctx: ChannelContext, notice: FaxNotice): Promise<IngestResult> {
      const original = 'url' in notice.media ? await fetchMedia(notice.media.url, settings.mediaTimeoutMs) : notice.media.bytes;
      const doc = await processFaxDocument(original, { maxPages: settings.maxPages, languages: settings.ocrLanguages, timeoutMs: settings.ocrTimeoutMs });
      if (doc.error !== null) ctx.logger.warn({ faxId: notice.faxId, reason: doc.error }, 'fax: OCR failed; the original is kept');
      return ctx.ingest(faxMessage(notice, doc, original, settings.provider, settings.maxPages), { wait: false });
    }

    return {
      id: 'fax',
      mount(ctx) {
        ctx.reportHealth(misconfigured ? { ok: false, reason: misconfigured } : { ok: true });
        ctx.router.post(`/channels/fax/${id}/inbound`, (req, res, next) => {
          inbound(ctx, req, res).catch(next);
        });
        outbound?.mount(ctx);
      },
      ...(outbound ? { send: outbound.send } : {}),
    };
  },
};
