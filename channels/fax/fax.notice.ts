import { z } from 'zod';
import { ChannelRequestError } from '../contract';

/** One received fax as a provider announces it: where its document is, who sent it. */
export interface FaxNotice {
  /** The provider's fax id (the message's externalId). */
  faxId: string;
  /** The sender's fax number, E.164. */
  from: string;
  /** The number it was sent to, E.164, when given. */
  to: string | null;
  /** Where the document is fetched (PDF or TIFF), or the document itself. */
  media: { url: string } | { bytes: Buffer; contentType: string | null };
  receivedAt: Date;
}

/** Not a received fax (another event type): answered 200 and ignored. */
export const IGNORED = Symbol('ignored');

const E164 = /^\+[1-9]\d{6,14}$/;

/** `+49 30 1234-567`, `0049301234567` → `+49301234567`; null when it is not a full international number. */
export function e164(number: string): string | null {
  const t = number.trim().replace(/[\s().-]/g, '');
  const n = t.startsWith('00') ? `+${t.slice(2)}` : t;
  return E164.test(n) ? n : null;
}

function invalid(error: z.ZodError): ChannelRequestError {
  const errors = error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message, code: i.code }));
  return new ChannelRequestError(422, 'Invalid fax notification', `The notification has ${errors.length} invalid field(s).`, errors);
}

const Number164 = z.string().trim().min(1).max(40).transform((v, ctx) => {
  const n = e164(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: 'not an E.164 number (+<country><number>)' });
    return z.NEVER;
  }
  return n;
});

const TelnyxSchema = z.object({
  data: z.object({
    event_type: z.string().max(100),
    occurred_at: z.string().max(100).optional(),
    payload: z.looseObject({}),
  }),
});

const TelnyxFaxSchema = z.object({
  fax_id: z.string().trim().min(1).max(200),
  from: Number164,
  to: z.string().max(40).optional(),
  media_url: z.url({ protocol: /^https?$/ }),
});

/** A Telnyx `fax.received` event → its notice; other events → {@link IGNORED}. */
export function parseTelnyx(body: unknown, now: Date): FaxNotice | typeof IGNORED {
  const event = TelnyxSchema.safeParse(body);
  if (!event.success) throw invalid(event.error);
  if (event.data.data.event_type !== 'fax.received') return IGNORED;
  const fax = TelnyxFaxSchema.safeParse(event.data.data.payload);
  if (!fax.success) throw invalid(new z.ZodError(fax.error.issues.map((i) => ({ ...i, path: ['data', 'payload', ...i.path] }))));
  const at = event.data.data.occurred_at ? new Date(event.data.data.occurred_at) : now;
  return {
    faxId: fax.data.fax_id,
    from: fax.data.from,
    to: fax.data.to ? e164(fax.data.to) : null,
    media: { url: fax.data.media_url },
    receivedAt: Number.isNaN(at.getTime()) ? now : at,
  };
}

/**
 * Our own notification (a HylaFAX `faxrcvd` script, any integrator):
 * `{ faxId, from, to?, receivedAt?, mediaUrl }` or, instead of `mediaUrl`,
 * `media: { contentBase64, contentType? }`.
 */
const GenericSchema = z
  .object({
    faxId: z.string().trim().min(1).max(200),
    from: Number164,
    to: z.string().max(40).optional(),
    receivedAt: z.iso.datetime({ offset: true }).optional(),
    mediaUrl: z.url({ protocol: /^https?$/ }).optional(),
    media: z.object({ contentBase64: z.base64().min(4), contentType: z.string().max(100).optional() }).optional(),
  })
  .refine((v) => (v.mediaUrl === undefined) !== (v.media === undefined), { message: 'give mediaUrl or media (one of them)', path: ['mediaUrl'] });

export function parseGeneric(body: unknown, now: Date): FaxNotice {
  const v = GenericSchema.safeParse(body);
  if (!v.success) throw invalid(v.error);
  const d = v.data;
  return {
    faxId: d.faxId,
    from: d.from,
    to: d.to ? e164(d.to) : null,
    media: d.mediaUrl ? { url: d.mediaUrl } : { bytes: Buffer.from(d.media?.contentBase64 ?? '', 'base64'), contentType: d.media?.contentType ?? null },
    receivedAt: d.receivedAt ? new Date(d.receivedAt) : now,
  };
}
