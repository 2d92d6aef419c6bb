import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type Attachment as ParsedAttachment, type HeaderValue, type ParsedMail } from 'mailparser';
import { ChannelRequestError, type InboundMessageInput, type TicketType } from '../contract';

/** Per-attachment and total limits (the contract allows 25 MiB each, 20 per message). */
export const EMAIL_LIMITS = { attachmentBytes: 10 * 1024 * 1024, totalBytes: 20 * 1024 * 1024, attachments: 20, text: 200_000, html: 2_000_000 } as const;

export interface EmailNormalizeOptions {
  /** The hub's own addresses (every mailbox): mail from them is dropped, never a ticket. */
  ownAddresses: readonly string[];
  /** When the message reached the mailbox (IMAP INTERNALDATE); the Date header is the sender's claim. */
  receivedAt?: Date;
  /** The type the mailbox implies (complaints@ → complaint). */
  chosenType?: TicketType;
}

/** What one raw email is to the hub. */
export type EmailVerdict =
  | { kind: 'message'; message: InboundMessageInput; ticketNumber: number | null }
  /** An automatic reply (out of office, list mail): dropped, so two auto-responders cannot loop through the hub. */
  | { kind: 'auto'; reason: string }
  /** Mail from one of the hub's own addresses (a loop): dropped. */
  | { kind: 'own'; reason: string }
  /** A delivery failure report about a message the hub (or someone) sent. */
  | { kind: 'bounce'; originalMessageId: string | null; recipient: string | null; reason: string };

const MESSAGE_ID = /<[^<>\s]+>/g;
const TICKET_TOKEN = /\[#(\d{1,12})\]/;

const headerText = (v: HeaderValue | undefined): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => headerText(x as HeaderValue)).join(' ');
  if (typeof v === 'object' && 'value' in v && typeof v.value === 'string') {
    const params = 'params' in v && v.params ? Object.entries(v.params).map(([k, p]) => `${k}=${p}`) : [];
    return [v.value, ...params].join('; ');
  }
  if (typeof v === 'object' && 'text' in v && typeof v.text === 'string') return v.text;
  return String(v);
};

const ids = (v: string | string[] | undefined): string[] => {
  const all = (Array.isArray(v) ? v.join(' ') : (v ?? '')).match(MESSAGE_ID) ?? [];
  return [...new Set(all)];
};

const firstAddress = (a: AddressObject | AddressObject[] | undefined): { address: string; name: string } | null => {
  for (const obj of Array.isArray(a) ? a : a ? [a] : []) {
    for (const v of obj.value) {
      if (v.address && v.address.includes('@')) return { address: v.address.trim().toLowerCase(), name: (v.name ?? '').trim() };
      for (const g of v.group ?? []) if (g.address && g.address.includes('@')) return { address: g.address.trim().toLowerCase(), name: (g.name ?? '').trim() };
    }
  }
  return null;
};

const allAddresses = (a: AddressObject | AddressObject[] | undefined): Array<{ address: string; name?: string }> =>
  (Array.isArray(a) ? a : a ? [a] : [])
    .flatMap((o) => o.value)
    .filter((v) => v.address && v.address.includes('@'))
    .map((v) => ({ address: v.address!.toLowerCase(), ...(v.name ? { name: v.name } : {}) }));

/** Why a message is an automatic one (RFC 3834 and the common vendor headers), or null. */
export function autoReason(mail: Pick<ParsedMail, 'headers'>): string | null {
  const h = (name: string) => headerText(mail.headers.get(name)).trim().toLowerCase();
  const auto = h('auto-submitted');
  if (auto && !auto.startsWith('no')) return `Auto-Submitted: ${auto}`;
  if (h('x-autoreply') || h('x-autorespond')) return 'X-Autoreply';
  if (h('x-auto-response-suppress')) return `X-Auto-Response-Suppress: ${h('x-auto-response-suppress')}`;
  const precedence = h('precedence');
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `Precedence: ${precedence}`;
  if (h('list-id') || h('list-unsubscribe')) return 'mailing list';
  return null;
}

function bounceOf(mail: ParsedMail, from: string | null): EmailVerdict | null {
  const returnPath = headerText(mail.headers.get('return-path')).trim();
  const contentType = headerText(mail.headers.get('content-type')).toLowerCase();
  const daemon = from !== null && /^(mailer-daemon|postmaster)@/i.test(from);
  const report = contentType.startsWith('multipart/report');
  if (!report && !daemon && returnPath !== '<>') return null;
  // The report's parts: message/delivery-status (why) and the original's headers (which one).
  let original: string | null = null;
  // mailparser folds a message/delivery-status part into the text; some parsers keep it apart.
  let status = mail.text ?? '';
  for (const a of mail.attachments) {
    const text = a.content.toString('utf8');
    if (a.contentType === 'message/delivery-status') status += `\n${text}`;
    else if (a.contentType === 'text/rfc822-headers' || a.contentType === 'message/rfc822') {
      original = /^Message-ID:\s*(<[^<>\s]+>)/im.exec(text)?.[1] ?? original;
    }
  }
  const reason = /^Diagnostic-Code:\s*(?:[^;\n]*;\s*)?(.+(?:\r?\n[ \t].+)*)/im.exec(status)?.[1]?.replace(/\s+/g, ' ').trim() ?? /^Status:\s*(\S+)/im.exec(status)?.[1] ?? '';
  const recipient = /^Final-Recipient:\s*(?:[^;\n]*;\s*)?(\S+)/im.exec(status)?.[1] ?? null;
  // Without a report part, the references the bounce carries name the original.
  original ??= ids(mail.inReplyTo)[0] ?? ids(mail.references).at(-1) ?? null;
  return { kind: 'bounce', originalMessageId: original, recipient, reason: (reason || mail.subject || 'delivery failed').slice(0, 500) };
}

function attachmentsOf(list: ParsedAttachment[]): NonNullable<InboundMessageInput['attachments']> {
  const out: NonNullable<InboundMessageInput['attachments']> = [];
  let total = 0;
  for (const a of list) {
    if (out.length >= EMAIL_LIMITS.attachments) break;
    // Reports and signatures are not the customer's files.
    if (a.contentType === 'message/delivery-status' || a.contentType === 'application/pgp-signature') continue;
    if (a.size > EMAIL_LIMITS.attachmentBytes || total + a.size > EMAIL_LIMITS.totalBytes) continue;
    total += a.size;
    const name = (a.filename ?? '').trim() || (a.cid ? `inline-${a.cid.replace(/[^\w.@-]/g, '')}` : 'attachment');
    out.push({ name: name.slice(0, 255), contentType: a.contentType || 'application/octet-stream', size: a.size, contentBase64: a.content.toString('base64') });
  }
  return out;
}

/**
 * One raw RFC 5322 message → what it is to the hub. Pure (no I/O; the same bytes give the
 * same verdict), but asynchronous because mailparser is stream-based.
 *
 * A message: text (the text part, else the HTML's text, derived by the hub) and the original
 * HTML (the hub sanitizes it server-side and keeps the original), attachments and inline
 * images within {@link EMAIL_LIMITS} (inline ones keep their `cid:` reference in the HTML),
 * charsets decoded by mailparser (UTF-8, GB2312/GBK/GB18030, Big5, … and RFC 2047 encoded
 * words), externalId = the Message-ID (a hash of the raw bytes when there is none), identity
 * = the From address, threadRefs = In-Reply-To + References, and the `[#n]` subject token as
 * `ticketNumber` (the hub honours it only for that ticket's own contact).
 *
 * Throws {@link ChannelRequestError} when the message has no usable sender (malformed).
 */
export async function normalizeEmail(raw: Buffer, options: EmailNormalizeOptions): Promise<EmailVerdict> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, maxHtmlLengthToParse: EMAIL_LIMITS.html });
  const from = firstAddress(mail.from);
  const bounce = bounceOf(mail, from?.address ?? null);
  if (bounce) return bounce;
  if (!from) throw new ChannelRequestError(422, 'Invalid email', 'The message has no From address.', [{ field: 'from', message: 'missing or unparseable', code: 'missing' }]);
  const own = options.ownAddresses.map((a) => a.toLowerCase());
  if (own.includes(from.address)) return { kind: 'own', reason: `from the hub's own address ${from.address}` };
  const auto = autoReason(mail);
  if (auto) return { kind: 'auto', reason: auto };

  const messageId = ids(mail.messageId)[0] ?? `<sha256-${createHash('sha256').update(raw).digest('hex')}@omnihub.invalid>`;
  // The most recent references matter; one place is left for the subject token.
  const threadRefs = [...new Set([...ids(mail.references), ...ids(mail.inReplyTo)])].filter((r) => r !== messageId && r.length <= 998).slice(-99);
  const subject = (mail.subject ?? '').slice(0, 998);
  const html = typeof mail.html === 'string' && mail.html.trim() !== '' ? mail.html.slice(0, EMAIL_LIMITS.html) : undefined;
  const text = (mail.text ?? '').slice(0, EMAIL_LIMITS.text);
  const token = TICKET_TOKEN.exec(subject);
  const message: InboundMessageInput = {
    channel: 'email',
    externalId: messageId.slice(0, 512),
    from: { address: from.address, ...(from.name ? { name: from.name.slice(0, 200) } : {}), kind: 'email' },
    to: [...allAddresses(mail.to), ...allAddresses(mail.cc)].slice(0, 50),
    subject,
    text,
    ...(html ? { html } : {}),
    attachments: attachmentsOf(mail.attachments),
    threadRefs,
    receivedAt: options.receivedAt ?? mail.date ?? new Date(0),
    ...(options.chosenType ? { chosenType: options.chosenType } : {}),
    metadata: { messageId: messageId.slice(0, 2000), ...(mail.date ? { sentAt: mail.date.toISOString() } : {}) },
  };
  return { kind: 'message', message, ticketNumber: token ? Number(token[1]) : null };
}
