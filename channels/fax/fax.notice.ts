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

/** Phaxio's `fax` field: the fax as JSON (API v2). */
const PhaxioFaxSchema = z.looseObject({
  id: z.union([z.number().int(), z.string().trim().min(1).max(200)]),
  direction: z.string().max(40).optional(),
  from_number: z.string().max(40).optional(),
  caller_id: z.string().max(40).optional(),
  to_number: z.string().max(40).optional(),
  completed_at: z.string().max(100).optional(),
  created_at: z.string().max(100).optional(),
});

const when = (text: string | undefined, now: Date): Date => {
  const at = text ? new Date(text) : now;
  return Number.isNaN(at.getTime()) ? now : at;
};

/**
 * A Phaxio (Sinch) fax callback, `multipart/form-data`: `event_type` (`fax_completed`),
 * `direction` (`received`), `success`, `fax` (JSON) and the document as a file part. A sent fax's
 * callback, or a received fax that did not come through, is {@link IGNORED}.
 */
export function parsePhaxio(fields: Record<string, string>, files: Array<{ field: string; contentType: string; bytes: Buffer }>, now: Date): FaxNotice | typeof IGNORED {
  if ((fields.direction ?? 'received') !== 'received' || (fields.event_type && fields.event_type !== 'fax_completed')) return IGNORED;
  if (fields.success === 'false') return IGNORED;
  let json: unknown;
  try {
    json = JSON.parse(fields.fax ?? '');
  } catch {
    throw invalid(new z.ZodError([{ code: 'custom', path: ['fax'], message: 'the fax field is not JSON', input: fields.fax }]));
  }
  const fax = PhaxioFaxSchema.safeParse(json);
  if (!fax.success) throw invalid(new z.ZodError(fax.error.issues.map((i) => ({ ...i, path: ['fax', ...i.path] }))));
  const fromText = fax.data.from_number ?? fax.data.caller_id ?? '';
  const from = Number164.safeParse(fromText);
  if (!from.success) throw invalid(new z.ZodError(from.error.issues.map((i) => ({ ...i, path: ['fax', 'from_number', ...i.path] }))));
  const file = files[0];
  if (!file || file.bytes.length === 0) throw invalid(new z.ZodError([{ code: 'custom', path: ['file'], message: 'the fax document (a file part) is missing', input: undefined }]));
  return {
    faxId: String(fax.data.id),
    from: from.data,
    to: fax.data.to_number ? e164(fax.data.to_number) : null,
    media: { bytes: file.bytes, contentType: file.contentType || null },
    receivedAt: when(fax.data.completed_at ?? fax.data.created_at, now),
  };
}

const SignalWireSchema = z.looseObject({
  FaxSid: z.string().trim().min(1).max(200),
  From: Number164,
  To: z.string().max(40).optional(),
  FaxStatus: z.string().max(40),
  MediaUrl: z.url({ protocol: /^https?$/ }),
});

/** A SignalWire fax status callback (Twilio-compatible form): `FaxStatus=received` → its notice; other statuses → {@link IGNORED}. */
export function parseSignalWire(fields: Record<string, string>, now: Date): FaxNotice | typeof IGNORED {
  if (fields.FaxStatus !== undefined && fields.FaxStatus !== 'received') return IGNORED;
  const v = SignalWireSchema.safeParse(fields);
  if (!v.success) throw invalid(v.error);
  return { faxId: v.data.FaxSid, from: v.data.From, to: v.data.To ? e164(v.data.To) : null, media: { url: v.data.MediaUrl }, receivedAt: now };
}
