import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { ChannelError, type ChannelAdapter, type ChannelContext, type OutboundMessage, type SendResult } from '../contract';

export interface EmailOptions {
  /** smtp://user:pass@host:port (STARTTLS when offered) or smtps://… (TLS from the start). */
  smtpUrl: string;
  /** The From header: `Support <support@example.com>` or a bare address. */
  from: string;
  /** Skip certificate checks (self-signed test servers only). */
  tlsInsecure?: boolean;
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;

/**
 * A reply's subject carries the ticket token `[#n]` (customers' answers keep it, and the hub
 * honours it for that ticket's own contact): `Re: [#12] Broken kettle`, the token added once.
 */
export function replySubject(subject: string, ticketNumber: number): string {
  if (subject.includes(`[#${ticketNumber}]`)) return subject;
  const base = subject.replace(/^\s*((re|aw|sv|回复|答复)\s*[:：]\s*)+/i, '').trim();
  return `Re: [#${ticketNumber}] ${base}`.trim();
}

/** The address inside a From header (`Name <a@b>` → a@b). */
export function addressOf(from: string): string {
  const m = /<([^<>]+)>\s*$/.exec(from);
  return (m?.[1] ?? from).trim();
}

/** SMTP connection settings from a URL (credentials percent-decoded). */
export function smtpSettings(url: string, tlsInsecure = false): SMTPPool.Options {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    pool: true as const,
    maxConnections: 4,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    ...(tlsInsecure ? { tls: { rejectUnauthorized: false } } : {}),
  };
}

/** A failed SMTP exchange → a typed channel error: 5xx refusals are final, everything else is retried. */
export function smtpError(err: unknown): ChannelError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpFailure;
  const text = [e.message, e.response].filter(Boolean).join(': ').slice(0, 400) || String(err);
  if (e.code === 'EAUTH') return new ChannelError('auth', `the SMTP server refused the login: ${text}`, { retryable: true, cause: err });
  if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
    return new ChannelError('rejected', `the SMTP server refused the message: ${text}`, { retryable: false, cause: err });
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return new ChannelError('unavailable', `the SMTP server deferred the message: ${text}`, { retryable: true, cause: err });
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new ChannelError('invalid', `the message is not sendable: ${text}`, { retryable: false, cause: err });
  return new ChannelError('network', `the SMTP server could not be reached: ${text}`, { retryable: true, cause: err });
}

/** An automatic answer the hub sends by itself (a mailbox's acknowledgement of a new ticket). */
export interface AutoReply {
  to: { address: string; name?: string };
  subject: string;
  text: string;
  /** The Message-ID it answers. */
  inReplyTo: string;
  ticketNumber: number;
  /** A stable id: the same acknowledgement sent again has the same Message-ID. */
  id: string;
}

/** Headers that mark mail as automatic, so other responders do not answer it (RFC 3834, Exchange, common practice). */
export const AUTO_REPLY_HEADERS = { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', Precedence: 'auto_reply' } as const;

export interface EmailChannel extends ChannelAdapter {
  send(message: OutboundMessage): Promise<SendResult>;
  /** Sends an automatic answer, marked as automatic (Auto-Submitted, X-Auto-Response-Suppress, Precedence); answers its Message-ID. */
  autoReply(reply: AutoReply): Promise<string>;
}

/**
 * The email channel's sending side: replies go out through the configured SMTP server.
 * The Message-ID derives from the hub's message id, so a retried send is recognisable as the
 * same message, and In-Reply-To / References keep the customer's mail client threading.
 */
export function createEmailChannel(options: EmailOptions): EmailChannel {
  const fromAddress = addressOf(options.from);
  const domain = fromAddress.split('@')[1] ?? 'localhost';
  let transport: Transporter<SMTPPool.SentMessageInfo> | null = null;
  const transporter = (): Transporter<SMTPPool.SentMessageInfo> => {
    transport ??= nodemailer.createTransport(smtpSettings(options.smtpUrl, options.tlsInsecure));
    return transport;
  };
  let logger: ChannelContext['logger'] | null = null;
  let readAttachment: ChannelContext['attachment'] | undefined;

  /** The reply's files as MIME attachments (their bytes from the hub's store). */
  async function mimeAttachments(message: OutboundMessage): Promise<Array<{ filename: string; content: Buffer; contentType: string }>> {
    const out: Array<{ filename: string; content: Buffer; contentType: string }> = [];
    for (const a of message.attachments) {
      let content: Buffer | null = a.contentBase64 !== undefined ? Buffer.from(a.contentBase64, 'base64') : null;
      if (!content && a.ref && readAttachment) {
        try {
          content = await readAttachment(a.ref);
        } catch (err) {
          throw new ChannelError('provider', `the attachment ${a.name} could not be read: ${err instanceof Error ? err.message : String(err)}`, { retryable: true, cause: err });
        }
      }
      if (!content) throw new ChannelError('invalid', `the attachment ${a.name} has no content here`, { retryable: false });
      out.push({ filename: a.name, content, contentType: a.contentType });
    }
    return out;
  }

  return {
    id: 'email',

    mount(ctx: ChannelContext) {
      logger = ctx.logger;
      readAttachment = ctx.attachment?.bind(ctx);
    },

    async send(message: OutboundMessage): Promise<SendResult> {
      const to = message.to.filter((p) => p.address.includes('@'));
      if (to.length === 0) throw new ChannelError('invalid', 'no email address to send to', { retryable: false });
      const messageId = `<${message.messageId}@${domain}>`;
      const refs = message.threadRefs.filter((r) => MESSAGE_ID.test(r));
      const name = message.from?.name;
      const attachments = await mimeAttachments(message);
      try {
        await transporter().sendMail({
          from: name ? { name, address: fromAddress } : options.from,
          to: to.map((p) => (p.name ? { name: p.name, address: p.address } : p.address)),
          subject: replySubject(message.subject ?? '', message.ticketNumber),
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
          ...(attachments.length > 0 ? { attachments } : {}),
          messageId,
          ...(refs.length > 0 ? { inReplyTo: refs.at(-1), references: refs } : {}),
          headers: { 'X-Omnihub-Ticket': String(message.ticketNumber) },
        });
      } catch (err) {
        const failure = smtpError(err);
        logger?.warn({ err: failure.message, messageId: message.messageId }, 'email: sending failed');
        throw failure;
      }
      return { externalId: messageId, status: 'sent' };
    },

    async autoReply(reply: AutoReply): Promise<string> {
      const messageId = `<${reply.id}@${domain}>`;
      try {
        await transporter().sendMail({
          from: options.from,
          to: reply.to.name ? { name: reply.to.name, address: reply.to.address } : reply.to.address,
          subject: replySubject(reply.subject, reply.ticketNumber),
          text: reply.text,
          messageId,
          ...(MESSAGE_ID.test(reply.inReplyTo) ? { inReplyTo: reply.inReplyTo, references: [reply.inReplyTo] } : {}),
          headers: { ...AUTO_REPLY_HEADERS, 'X-Omnihub-Ticket': String(reply.ticketNumber) },
        });
      } catch (err) {
        throw smtpError(err);
      }
      return messageId;
    },

    async health() {
      try {
        await transporter().verify();
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: smtpError(err).message };
      }
    },

    async stop() {
      transport?.close();
      transport = null;
    },
  };
}
