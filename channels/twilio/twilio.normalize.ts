import { ChannelRequestError, InboundMessageSchema, type InboundMessage, type TicketType } from '../contract';

/** A form-encoded Twilio webhook body, as name → value. */
export type TwilioParams = Readonly<Record<string, string>>;

/** What a keyword at the start of an SMS asks for. */
export type SmsKeyword = 'opt-out' | 'opt-in';

/** Twilio's standard opt-out and opt-in keywords (case-insensitive, the whole message), plus 退订. */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE', '退订', 'TD']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

export interface NormalizedSms {
  message: InboundMessage;
  /** MMS media the message carries (to be fetched with the account's credentials). */
  media: Array<{ url: string; contentType: string }>;
  keyword: SmsKeyword | null;
}

export interface SmsNormalizeOptions {
  /** The number this instance answers (E.164): the conversation's thread is (number, sender). */
  number: string;
  receivedAt: Date;
  /** A first word that chooses the ticket type ("投诉 …" → complaint); case-insensitive. */
  typeKeywords?: Partial<Record<TicketType, string[]>>;
}

/**
 * A phone number as Twilio sends it → E.164 where it is one (`+8613800138000`; spaces, dashes,
 * brackets and a leading `00` are tidied); short codes and alphanumeric sender ids stay as given.
 */
export function toE164(raw: string): string {
  const v = raw.trim();
  const compact = v.replace(/[\s().-]/g, '');
  if (/^\+\d{7,15}$/.test(compact)) return compact;
  if (/^00\d{7,15}$/.test(compact)) return `+${compact.slice(2)}`;
  return v;
}

/** The keyword a whole message is (STOP, 退订, START…), if it is one. */
export function smsKeyword(body: string): SmsKeyword | null {
  const word = body.trim().replace(/[.!！。]+$/u, '').toUpperCase();
  if (OPT_OUT.has(word)) return 'opt-out';
  if (OPT_IN.has(word)) return 'opt-in';
  return null;
}

/** The thread of one SMS conversation: our number and theirs. */
export const smsThreadRef = (ourNumber: string, customer: string): string => `sms:${toE164(ourNumber)}:${toE164(customer)}`;

const required = (p: TwilioParams, field: string): string => {
  const v = p[field]?.trim();
  if (!v) throw new ChannelRequestError(422, 'Invalid Twilio webhook', `The webhook has no ${field}.`, [{ field, message: 'required' }]);
  return v;
};

/**
 * One incoming-message webhook (SMS or MMS) → the canonical message. Pure: the media are
 * listed, not fetched. `MessageSid` is the externalId, so Twilio's retries are one message.
 */
export function normalizeSms(p: TwilioParams, o: SmsNormalizeOptions): NormalizedSms {
  const sid = required(p, 'MessageSid');
  const from = toE164(required(p, 'From'));
  const to = toE164(p.To ?? o.number);
  const body = p.Body ?? '';
  const count = Math.min(Number.parseInt(p.NumMedia ?? '0', 10) || 0, 10);
  const media: NormalizedSms['media'] = [];
  for (let i = 0; i < count; i += 1) {
    const url = p[`MediaUrl${i}`];
    if (url) media.push({ url, contentType: p[`MediaContentType${i}`] || 'application/octet-stream' });
  }
  const keyword = smsKeyword(body);
  const first = body.trim().split(/[\s:：,，]+/u)[0]?.toLowerCase() ?? '';
  const chosenType = first
    ? (Object.entries(o.typeKeywords ?? {}) as Array<[TicketType, string[]]>).find(([, words]) => words.some((w) => w.toLowerCase() === first))?.[0]
    : undefined;
  const metadata: Record<string, string> = { twilioMessageSid: sid };
  if (p.AccountSid) metadata.twilioAccountSid = p.AccountSid;
  if (p.NumSegments) metadata.smsSegments = p.NumSegments;
  if (keyword) metadata.smsKeyword = body.trim().toUpperCase();
  for (const k of ['FromCountry', 'FromCity'] as const) if (p[k]) metadata[`twilio${k}`] = p[k]!;
  const parsed = InboundMessageSchema.safeParse({
    channel: 'sms',
    externalId: sid,
    from: { address: from, kind: 'phone' },
    to: [{ address: to, kind: 'phone' }],
    text: body,
    threadRefs: [smsThreadRef(o.number, from)],
    receivedAt: o.receivedAt,
    ...(chosenType && !keyword ? { chosenType } : {}),
    metadata,
  });
  if (!parsed.success) {
    throw new ChannelRequestError(422, 'Invalid Twilio webhook', 'The message does not fit the hub.', parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })));
  }
  return { message: parsed.data, media, keyword };
}

/** A status callback's state → the hub's delivery status (null: nothing to record yet). */
export function deliveryOf(status: string): 'sent' | 'delivered' | 'failed' | null {
  switch (status) {
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
    case 'failed':
      return 'failed';
    default:
      // queued, accepted, scheduled, sending, canceled-before-send…: no change the customer sees.
      return status === 'canceled' ? 'failed' : null;
  }
}

/** Twilio's messaging error codes a support team meets most, in words. */
const ERROR_TEXT: Record<string, string> = {
  '21211': 'invalid To number',
  '21408': 'no permission to send to this region',
  '21610': 'the recipient has opted out (STOP)',
  '21614': 'the number cannot receive SMS',
  '30003': 'unreachable destination handset',
  '30004': 'message blocked',
  '30005': 'unknown destination handset',
  '30006': 'landline or unreachable carrier',
  '30007': 'filtered by the carrier',
  '30008': 'unknown error',
};

/** "undelivered: Twilio error 30003 (unreachable destination handset)". */
export function statusReason(status: string, errorCode: string | undefined): string {
  if (!errorCode) return status;
  const words = ERROR_TEXT[errorCode];
  return `${status}: Twilio error ${errorCode}${words ? ` (${words})` : ''}`;
}
