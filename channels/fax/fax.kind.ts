import type { KeyObject } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ChannelRequestError, rawBodyOf, type ChannelAdapter, type ChannelContext, type ChannelKind, type FaxIntakeResult } from '../contract';
import { readFormBody } from './fax.body';
import { IGNORED, parseGeneric, parsePhaxio, parseSignalWire, parseTelnyx, type FaxNotice } from './fax.notice';
import { createFaxOutbound, FaxOutboundSettingsSchema } from './fax.outbound';
import { telnyxPublicKey, verifyGeneric, verifyPhaxio, verifySignalWire, verifyTelnyx, type VerifyFailure } from './fax.verify';

/**
 * A fax number as a channel instance. The provider posts each received fax to
 * `POST /channels/fax/<instance id>/inbound`, signed:
 *   - `telnyx`: Telnyx's `fax.received` event (JSON), Ed25519 (`telnyx-signature-ed25519` over
 *     `<telnyx-timestamp>|<body>`) with the instance's public key;
 *   - `phaxio`: Phaxio's (Sinch) `fax_completed` callback, `multipart/form-data` with the document
 *     as a file part, `X-Phaxio-Signature` (HMAC-SHA1 with the callback token over the URL, the
 *     sorted fields and the files' SHA-1);
 *   - `signalwire`: SignalWire's Twilio-compatible fax callback (form, `FaxStatus=received`,
 *     `MediaUrl`), `X-SignalWire-Signature` checked with the project's signing key;
 *   - `generic`: our own JSON (a HylaFAX `faxrcvd` script, any integrator), HMAC-SHA256 with
 *     the instance's signing secret over `<X-Fax-Timestamp>.<body>` in `X-Fax-Signature`.
 * A request that is unsigned, forged or outside the freshness window is refused (403) before
 * anything is fetched or stored. Then the document is fetched from the provider (or taken from
 * the request) and handed to the hub (`ctx.ingestFax`), which keeps it and reads it in a durable
 * job: its pages rendered and read (OCR), the fax becomes one message with the recognised text
 * (classified like any message), the original file and one image per page. The provider is
 * answered once the document is kept and queued, so a failure before that is retried by the
 * provider; a replay is a duplicate by the fax id and stores nothing.
 */
export const FaxSettingsSchema = z.object({
  provider: z.enum(['telnyx', 'phaxio', 'signalwire', 'generic']),
  /**
   * `phaxio`, `signalwire`: the base URL the provider was given (their signatures cover the full
   * callback URL, which behind a proxy is not what the hub sees); default: the hub's PUBLIC_URL.
   */
  callbackBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** `signalwire`: the project id, sent with the API token to fetch the document from `MediaUrl`. */
  projectId: z.string().trim().min(1).max(200).optional(),
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
  /** `phaxio`: the callback token of the account's webhook settings (the signature's key). */
  callbackToken: z.string().min(8).max(1000).optional(),
  /** `signalwire`: the project's signing key (the signature's key). */
  signingKey: z.string().min(8).max(1000).optional(),
  /** `signalwire`: the API token fetching the document (basic auth with the project id). */
  apiToken: z.string().min(8).max(1000).optional(),
  /** `outbound`: the provider's API key (Telnyx API v2 key) replies are sent with. */
  apiKey: z.string().min(10).max(1000).optional(),
});
type FaxSecrets = z.infer<typeof FaxSecretsSchema>;

const MAX_MEDIA_BYTES = 25 * 1024 * 1024;

const failure = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function fetchMedia(url: string, timeoutMs: number, basicAuth?: { user: string; password: string }): Promise<Buffer> {
  let res: globalThis.Response;
  const auth: Record<string, string> = basicAuth ? { authorization: `Basic ${Buffer.from(`${basicAuth.user}:${basicAuth.password}`).toString('base64')}` } : {};
  try {
    res = await fetch(url, { headers: { 'user-agent': 'omnihub-fax/1', ...auth }, signal: AbortSignal.timeout(timeoutMs) });
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
    /** Faxes being fetched and handed over now, by fax id. */
    const inFlight = new Map<string, Promise<FaxIntakeResult>>();
    if (settings.provider === 'telnyx') {
      if (!secrets.publicKey) misconfigured = 'no Telnyx public key: every fax is refused';
      else {
        try {
          key = telnyxPublicKey(secrets.publicKey);
        } catch (err) {
          misconfigured = failure(err);
        }
      }
    } else if (settings.provider === 'phaxio') {
      if (!secrets.callbackToken) misconfigured = 'no Phaxio callback token: every fax is refused';
    } else if (settings.provider === 'signalwire') {
      if (!secrets.signingKey) misconfigured = 'no SignalWire signing key: every fax is refused';
    } else if (!secrets.signingSecret) misconfigured = 'no signing secret: every fax is refused';

    const refuse = (ctx: ChannelContext, bad: VerifyFailure): never => {
      ctx.logger.warn({ reason: bad.reason, detail: bad.detail }, 'fax: notification refused');
      throw new ChannelRequestError(403, 'Signature refused', bad.reason === 'stale' ? 'The timestamp is outside the allowed window.' : 'The signature is missing or does not match.');
    };
    /** The URL the provider signed: the configured base (or the hub's public URL) with the path and query received. */
    const calledUrl = (ctx: ChannelContext, req: Request) => `${(settings.callbackBaseUrl ?? ctx.publicUrl).replace(/\/+$/, '')}${req.originalUrl}`;

    /** Checks the request's signature (nothing is looked at before), then reads which fax it announces. */
    async function notice(ctx: ChannelContext, req: Request, now: Date): Promise<FaxNotice | typeof IGNORED> {
      const header = (n: string) => req.get(n);
      if (settings.provider === 'phaxio' || settings.provider === 'signalwire') {
        const form = await readFormBody(req, { maxFileBytes: MAX_MEDIA_BYTES });
        const signed = { url: calledUrl(ctx, req), fields: form.fields, files: form.files, header };
        const bad = settings.provider === 'phaxio' ? verifyPhaxio(signed, secrets.callbackToken ?? '') : verifySignalWire(signed, secrets.signingKey ?? '');
        if (bad) refuse(ctx, bad);
        return settings.provider === 'phaxio' ? parsePhaxio(form.fields, form.files, now) : parseSignalWire(form.fields, now);
      }
      const body = rawBodyOf(req);
      if (!body) throw new ChannelRequestError(415, 'Unsupported media type', 'The notification must be application/json.');
      const signed = { body, header, now: now.getTime() };
      const bad =
        settings.provider === 'telnyx'
          ? key
            ? verifyTelnyx(signed, key, settings.toleranceSeconds)
            : { reason: 'unsigned' as const, detail: misconfigured ?? '' }
          : verifyGeneric(signed, secrets.signingSecret ?? '', settings.toleranceSeconds);
      if (bad) refuse(ctx, bad);
      return settings.provider === 'telnyx' ? parseTelnyx(req.body, now) : parseGeneric(req.body, now);
    }

    async function inbound(ctx: ChannelContext, req: Request, res: Response): Promise<void> {
      if (misconfigured) throw new ChannelRequestError(503, 'Fax channel not configured', misconfigured);
      if (!ctx.ingestFax) throw new ChannelRequestError(503, 'Fax channel not available', 'This hub cannot read faxes.');
      const n = await notice(ctx, req, new Date());
      if (n === IGNORED) {
        res.status(200).json({ received: true, ignored: true });
        return;
      }
      // A replay of a fax already accepted: nothing is fetched or kept again.
      const seen = `fax:${n.faxId}`;
      if ((await ctx.checkpoint.get(seen)) !== null) {
        res.status(200).json({ received: true, duplicate: true });
        return;
      }
      // A delivery of a fax this process is taking in already (the provider retried meanwhile) waits for that one.
      let work = inFlight.get(n.faxId);
      const first = work === undefined;
      if (!work) {
        work = accept(ctx, n).finally(() => inFlight.delete(n.faxId));
        inFlight.set(n.faxId, work);
      }
      const accepted = await work;
      await ctx.checkpoint.set(seen, accepted.jobId);
      res.status(200).json({ received: true, duplicate: !first || accepted.duplicate, jobId: accepted.jobId });
    }

    async function accept(ctx: ChannelContext, n: FaxNotice): Promise<FaxIntakeResult> {
      const auth = settings.provider === 'signalwire' && settings.projectId && secrets.apiToken ? { user: settings.projectId, password: secrets.apiToken } : undefined;
      const document = 'url' in n.media ? await fetchMedia(n.media.url, settings.mediaTimeoutMs, auth) : n.media.bytes;
      return ctx.ingestFax!({
        externalId: n.faxId,
        from: n.from,
        to: n.to,
        receivedAt: n.receivedAt,
        document,
        source: settings.provider,
        reading: { maxPages: settings.maxPages, languages: settings.ocrLanguages, timeoutMs: settings.ocrTimeoutMs },
      });
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
