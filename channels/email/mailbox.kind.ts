import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { z } from 'zod';
import {
  InboundMessageSchema,
  type ChannelAdapter,
  type ChannelContext,
  type ChannelKind,
  type InboundMessage,
  type IngestResult,
} from '../contract';
import { createHash } from 'node:crypto';
import { createEmailChannel } from './email.adapter';
import { normalizeEmail } from './email.normalize';

/**
 * A support mailbox (support@, complaints@) as a channel instance: mail is read from an IMAP
 * folder and becomes tickets; agents' replies go out by SMTP from the mailbox's address.
 *
 * Reading: one run of the `sync` schedule (on one hub process at a time) connects, reads every
 * message after the checkpoint, then stays in IMAP IDLE for most of the interval reading new
 * mail as the server announces it; the next run reconnects and reconciles, so an IDLE that
 * died silently costs one interval at most. The checkpoint `(uidValidity, lastUid)` moves
 * after each message is durably accepted by the hub; a changed UIDVALIDITY rescans the folder
 * (messages already stored are duplicates by their Message-ID and dropped).
 */
export const MailboxSettingsSchema = z.object({
  /** The mailbox's address: replies go out from it, and mail from it is never a ticket. */
  address: z.email(),
  /** The display name replies carry (`Support <support@…>`). */
  displayName: z.string().trim().max(200).nullish(),
  /** Further addresses of the hub (the other mailboxes, aliases): mail from them is dropped. */
  ownAddresses: z.array(z.email()).max(50).default([]),
  imap: z.object({
    host: z.string().trim().min(1).max(255),
    port: z.number().int().min(1).max(65535).default(993),
    /** TLS from the start (993); false: plain, upgraded by STARTTLS when offered. */
    secure: z.boolean().default(true),
    user: z.string().trim().min(1).max(320),
    folder: z.string().trim().min(1).max(200).default('INBOX'),
    /** Accept self-signed certificates (test servers only). */
    tlsInsecure: z.boolean().default(false),
  }),
  smtp: z
    .object({
      host: z.string().trim().min(1).max(255),
      port: z.number().int().min(1).max(65535).default(587),
      secure: z.boolean().default(false),
      user: z.string().trim().max(320).optional(),
      tlsInsecure: z.boolean().default(false),
    })
    // null (or absent): the mailbox sends no replies.
    .nullish(),
  /** How often the mailbox is reconciled (a fresh connection); between, IDLE delivers new mail. */
  pollIntervalMs: z.number().int().min(200).max(3_600_000).default(60_000),
  /** Stay connected in IDLE between reconciles. */
  idle: z.boolean().default(true),
  /** Mark accepted messages \Seen on the server. */
  markSeen: z.boolean().default(true),
  /**
   * Move accepted messages to this folder (created when missing), after their checkpoint moved;
   * null / absent: they stay in `imap.folder`.
   */
  processedFolder: z.string().trim().min(1).max(200).nullish(),
  /**
   * At most this many messages per sender per hour become messages (counted by when they reached
   * the mailbox); the rest are logged and dropped: a runaway auto-responder without the usual
   * headers cannot flood the hub, or loop with it.
   */
  maxPerSenderPerHour: z.number().int().min(1).max(100_000).default(60),
  /**
   * An automatic acknowledgement of each new ticket ("we received your message, ticket [#n]"),
   * by `smtp`, marked as automatic; never to automatic mail or no-reply addresses, and at most
   * `maxPerSenderPerHour` per sender. `text` may name the ticket as {{ticket}}.
   */
  autoAcknowledge: z
    .object({
      enabled: z.boolean().default(false),
      maxPerSenderPerHour: z.number().int().min(1).max(100).default(3),
      text: z.string().trim().min(1).max(5000).optional(),
    })
    .default({ enabled: false, maxPerSenderPerHour: 3 }),
  /**
   * Fax-to-email: the mailbox receives faxes as mail (fax services, HylaFAX's `faxrcvd`). A mail
   * with a PDF or TIFF attachment is a fax: the attachment is read like a fax received by webhook
   * (pages, OCR) and the ticket is a fax ticket of the sender's fax number, found in the subject
   * (else the text) by `numberPattern` (its first group). A mail without either is taken as email.
   */
  fax: z
    .object({
      enabled: z.boolean().default(true),
      numberPattern: z
        .string()
        .min(1)
        .max(500)
        .refine((p) => {
          try {
            return new RegExp(p, 'iu') instanceof RegExp;
          } catch {
            return false;
          }
        }, 'not a valid regular expression')
        .optional(),
      /** Pages beyond this are not rendered or read (the original keeps them all). */
      maxPages: z.number().int().min(1).max(19).default(10),
      ocrLanguages: z.string().regex(/^[a-z_]+(\+[a-z_]+)*$/).max(100).default('chi_sim+eng'),
      ocrTimeoutMs: z.number().int().min(1000).max(600_000).default(120_000),
    })
    .nullish(),
}).refine((s) => !s.processedFolder || s.processedFolder !== s.imap.folder, {
  message: 'the processed folder must differ from the folder read',
  path: ['processedFolder'],
});
export type MailboxSettings = z.infer<typeof MailboxSettingsSchema>;

export const MailboxSecretsSchema = z.object({
  imapPassword: z.string().min(1).max(1000).optional(),
  smtpPassword: z.string().min(1).max(1000).optional(),
});
type MailboxSecrets = z.infer<typeof MailboxSecretsSchema>;

interface ImapCheckpoint {
  uidValidity: string;
  lastUid: number;
}

const CHECKPOINT = 'imap';
const HOUR = 3_600_000;

export const DEFAULT_ACK_TEXT =
  'Thank you for your message. We have received it as ticket [#{{ticket}}] and will answer as soon as we can; please keep [#{{ticket}}] in the subject when you write about it.\n\nThis is an automatic message.';

/**
 * Where fax services put the sender's number: "Fax from +49 30 1234567", "New fax received from
 * 0049…", HylaFAX's "facsimile received from …", "传真来自 …"; the first group is the number.
 */
export const DEFAULT_FAX_NUMBER_PATTERN = '(?:fax|facsimile|传真)[^+\\d]{0,40}?((?:\\+|00)[1-9][\\d\\s.-]{5,20}\\d)';

const FAX_DOCUMENT_TYPES = /^(application\/pdf|image\/tiff?)$/i;
const FAX_DOCUMENT_NAMES = /\.(pdf|tiff?)$/i;

/** The sender's fax number in a fax mail's subject or text, E.164; null when there is none. */
export function faxNumberOf(pattern: string, subject: string, text: string): string | null {
  const re = new RegExp(pattern, 'iu');
  for (const where of [subject, text]) {
    const raw = re.exec(where)?.[1];
    if (!raw) continue;
    const t = raw.replace(/[\s.-]/g, '');
    const n = t.startsWith('00') ? `+${t.slice(2)}` : t;
    if (/^\+[1-9]\d{6,14}$/.test(n)) return n;
  }
  return null;
}

/** Addresses that take no answers: no-reply senders and mail systems. */
export function isNoReplyAddress(address: string): boolean {
  const local = (address.split('@')[0] ?? '').toLowerCase();
  return /^(mailer-daemon|postmaster|bounces?|listserv|majordomo)([+-].*)?$/.test(local) || /no[-_.]?reply|do[-_.]?not[-_.]?reply/.test(local);
}
const BATCH = 25;
/** Consecutive failed runs back off: interval · 2^(n-1), at most this many intervals. */
const MAX_BACKOFF_INTERVALS = 16;

export function parseCheckpoint(value: string | null): ImapCheckpoint | null {
  if (!value) return null;
  try {
    const v = z.object({ uidValidity: z.string(), lastUid: z.number().int().nonnegative() }).safeParse(JSON.parse(value));
    return v.success ? v.data : null;
  } catch {
    return null;
  }
}

interface ImapFailure {
  authenticationFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
  code?: string;
  message?: string;
}

/** What went wrong, in the server's words where it gave some. */
export function imapFailureReason(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ImapFailure;
  const said = [e.serverResponseCode ? `[${e.serverResponseCode}]` : '', e.responseText ?? ''].join(' ').trim();
  if (e.authenticationFailed) return `IMAP login refused${said ? `: ${said}` : ''}`;
  const base = e.message ?? String(err);
  return `IMAP ${e.code ? `${e.code}: ` : ''}${base}${said && !base.includes(said) ? ` (${said})` : ''}`.slice(0, 500);
}

/** The hub, not the mail server, failed (the checkpoint stays before the message; the next run tries again). */
class HubRefused extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'HubRefused';
  }
}

const smtpUrlOf = (smtp: NonNullable<MailboxSettings['smtp']>, password: string | undefined): string => {
  const u = new URL(`${smtp.secure ? 'smtps' : 'smtp'}://${smtp.host}:${smtp.port}`);
  if (smtp.user) {
    u.username = encodeURIComponent(smtp.user);
    if (password) u.password = encodeURIComponent(password);
  }
  return u.toString();
};

export const mailboxKind: ChannelKind<MailboxSettings, MailboxSecrets> = {
  kind: 'email',
  settings: MailboxSettingsSchema,
  secrets: MailboxSecretsSchema,
  create({ settings, secrets }): ChannelAdapter {
    const own = [settings.address, ...settings.ownAddresses];
    const sender = settings.smtp
      ? createEmailChannel({
          smtpUrl: smtpUrlOf(settings.smtp, secrets.smtpPassword),
          from: settings.displayName ? `${settings.displayName} <${settings.address}>` : settings.address,
          tlsInsecure: settings.smtp.tlsInsecure,
        })
      : null;
    let stopped = false;
    let current: ImapFlow | null = null;
    let failures = 0;
    let retryAt = 0;
    /** Ends an IDLE wait early (stop). */
    let interrupt: (() => void) | null = null;
    /**
     * Counts a message from `from` that reached the mailbox at `at` (shared by every hub process);
     * false when the sender is over the hourly limit. Mail older than an hour (a backlog) is not limited.
     */
    async function withinRate(ctx: ChannelContext, from: string, id: string, at: number): Promise<boolean> {
      if (Date.now() - at > HOUR || !ctx.countInWindow) return true;
      return (await ctx.countInWindow(`from:${from.toLowerCase()}`, id, new Date(at), HOUR)) <= settings.maxPerSenderPerHour;
    }

    /**
     * The acknowledgement of a new ticket: only to a person (the mail was not automatic, or it
     * would have been dropped; not a no-reply address), at most N per sender per hour; a failure is
     * logged and costs the message nothing.
     */
    async function acknowledge(ctx: ChannelContext, message: InboundMessage, ticketNumber: number): Promise<void> {
      const to = message.from.address;
      if (!sender || isNoReplyAddress(to)) {
        ctx.logger.info({ to, ticketNumber }, 'email: no acknowledgement (no SMTP for this mailbox, or a no-reply address)');
        return;
      }
      const n = ctx.countInWindow ? await ctx.countInWindow(`ack:${to.toLowerCase()}`, message.externalId, new Date(), HOUR) : 1;
      if (n > settings.autoAcknowledge.maxPerSenderPerHour) {
        ctx.logger.warn({ to, ticketNumber, limit: settings.autoAcknowledge.maxPerSenderPerHour }, 'email: acknowledgements to this sender over the hourly limit; none sent');
        return;
      }
      const text = (settings.autoAcknowledge.text ?? DEFAULT_ACK_TEXT).replace(/\{\{\s*ticket\s*\}\}/g, String(ticketNumber));
      try {
        const id = await sender.autoReply({
          to: { address: to, ...(message.from.name ? { name: message.from.name } : {}) },
          subject: message.subject ?? '',
          text,
          inReplyTo: message.externalId.endsWith('@omnihub.invalid>') ? '' : message.externalId,
          ticketNumber,
          id: `ack-${createHash('sha256').update(message.externalId).digest('hex').slice(0, 32)}`,
        });
        ctx.logger.info({ to, ticketNumber, messageId: id }, 'email: new ticket acknowledged');
      } catch (err) {
        ctx.logger.warn({ to, ticketNumber, reason: err instanceof Error ? err.message : String(err) }, 'email: the acknowledgement could not be sent');
      }
    }

    /**
     * A fax mail: its document handed to the hub to be read as a fax of the sender's number.
     * False when it is not one (no document or no number: taken as an ordinary email, logged why).
     */
    async function acceptFax(ctx: ChannelContext, uid: number, message: InboundMessage): Promise<boolean> {
      const fax = settings.fax;
      if (!fax || !ctx.ingestFax) return false;
      const doc = message.attachments.find((a) => FAX_DOCUMENT_TYPES.test(a.contentType) || FAX_DOCUMENT_NAMES.test(a.name));
      const from = faxNumberOf(fax.numberPattern ?? DEFAULT_FAX_NUMBER_PATTERN, message.subject ?? '', message.text);
      if (!doc || !from || !doc.contentBase64) {
        ctx.logger.warn({ uid, reason: !doc ? 'no PDF or TIFF attachment' : 'no fax number in the subject or text' }, 'email: fax mailbox: not a fax; taken as email');
        return false;
      }
      try {
        await ctx.ingestFax({
          externalId: message.externalId,
          from,
          to: null,
          receivedAt: message.receivedAt,
          document: Buffer.from(doc.contentBase64, 'base64'),
          source: 'email',
          ...(message.subject ? { subject: message.subject } : {}),
          reading: { maxPages: fax.maxPages, languages: fax.ocrLanguages, timeoutMs: fax.ocrTimeoutMs },
        });
      } catch (err) {
        throw new HubRefused(`the hub could not accept a fax mail (UID ${uid}): ${err instanceof Error ? err.message : String(err)}`, err);
      }
      ctx.logger.info({ uid, from }, 'email: fax mail accepted');
      return true;
    }

    async function accept(ctx: ChannelContext, m: FetchMessageObject): Promise<void> {
      const uid = m.uid;
      if (!m.source) {
        ctx.logger.warn({ uid }, 'email: message has no body; skipped');
        return;
      }
      let verdict;
      try {
        verdict = await normalizeEmail(m.source, { ownAddresses: own, ...(m.internalDate ? { receivedAt: new Date(m.internalDate) } : {}) });
      } catch (err) {
        ctx.logger.warn({ uid, reason: err instanceof Error ? err.message : String(err) }, 'email: malformed message skipped');
        return;
      }
      if (verdict.kind === 'auto' || verdict.kind === 'own') {
        ctx.logger.info({ uid, reason: verdict.reason }, 'email: not a customer message; dropped');
        return;
      }
      if (verdict.kind === 'bounce') {
        const recorded = verdict.originalMessageId && ctx.deliveryFailed
          ? await ctx.deliveryFailed({ channel: 'email', externalId: verdict.originalMessageId, code: 'bounced', reason: `${verdict.recipient ? `${verdict.recipient}: ` : ''}${verdict.reason}` })
          : false;
        ctx.logger.info({ uid, original: verdict.originalMessageId, recorded }, 'email: bounce');
        return;
      }
      const receivedAt = m.internalDate ? new Date(m.internalDate).getTime() : Date.now();
      if (!(await withinRate(ctx, verdict.message.from.address, verdict.message.externalId, receivedAt))) {
        ctx.logger.warn({ uid, from: verdict.message.from.address, limit: settings.maxPerSenderPerHour }, 'email: sender over the hourly limit; dropped');
        return;
      }
      const message = {
        ...verdict.message,
        // The subject token: the hub honours it only when the sender is that ticket's contact.
        threadRefs: [...(verdict.message.threadRefs ?? []), ...(verdict.ticketNumber !== null ? [`[#${verdict.ticketNumber}]`] : [])],
      };
      const valid = InboundMessageSchema.safeParse(message);
      if (!valid.success) {
        ctx.logger.warn({ uid, reason: valid.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }, 'email: invalid message skipped');
        return;
      }
      if (settings.fax?.enabled && (await acceptFax(ctx, uid, valid.data))) return;
      // Durably enqueued is enough: a message seen again (a rescan, a crash before the
      // checkpoint moved) is a duplicate by its Message-ID and stored once. To acknowledge a new
      // ticket the hub waits until it is stored (and knows the ticket's number).
      const ack = settings.autoAcknowledge.enabled;
      let accepted: IngestResult;
      try {
        accepted = await ctx.ingest(message, { wait: ack });
      } catch (err) {
        throw new HubRefused(`the hub could not accept mail (UID ${uid}): ${err instanceof Error ? err.message : String(err)}`, err);
      }
      if (ack && accepted.newTicket && !accepted.duplicate && accepted.ticketNumber !== undefined) await acknowledge(ctx, valid.data, accepted.ticketNumber);
    }

    /** Reads everything after the checkpoint, moving it after each message. */
    async function sync(ctx: ChannelContext, client: ImapFlow): Promise<void> {
      const box = client.mailbox;
      if (!box) throw new Error(`IMAP folder ${settings.imap.folder} is not open`);
      const uidValidity = String(box.uidValidity);
      const cp = parseCheckpoint(await ctx.checkpoint.get(CHECKPOINT));
      let lastUid = cp?.uidValidity === uidValidity ? cp.lastUid : 0;
      if (cp && cp.uidValidity !== uidValidity) {
        ctx.logger.warn({ was: cp.uidValidity, now: uidValidity }, 'email: UIDVALIDITY changed; rescanning the folder (stored messages are skipped as duplicates)');
      }
      await moveLeftovers(ctx, client, lastUid);
      const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
      // `N:*` always answers the last message, even when its UID is below N.
      const uids = (found || []).filter((u) => u > lastUid).sort((a, b) => a - b);
      for (let i = 0; i < uids.length && !stopped; i += BATCH) {
        const chunk = uids.slice(i, i + BATCH);
        const messages = (await client.fetchAll(chunk.join(','), { uid: true, source: true, internalDate: true }, { uid: true })).sort((a, b) => a.uid - b.uid);
        for (const m of messages) {
          if (stopped) return;
          await accept(ctx, m);
          lastUid = m.uid;
          await ctx.checkpoint.set(CHECKPOINT, JSON.stringify({ uidValidity, lastUid } satisfies ImapCheckpoint));
        }
        if (messages.length > 0) await afterAccept(ctx, client, messages.map((m) => m.uid));
      }
    }

    /** Accepted messages (the checkpoint is past them) are marked \Seen and / or moved to the processed folder. */
    async function afterAccept(ctx: ChannelContext, client: ImapFlow, uids: number[]): Promise<void> {
      const set = uids.join(',');
      if (settings.markSeen) {
        await client.messageFlagsAdd(set, ['\\Seen'], { uid: true }).catch((err: unknown) => {
          ctx.logger.warn({ reason: imapFailureReason(err) }, 'email: could not mark messages seen');
        });
      }
      if (settings.processedFolder) {
        await client.messageMove(set, settings.processedFolder, { uid: true }).catch((err: unknown) => {
          // They stay where they are; the checkpoint keeps them from being read again, and the next run moves them.
          ctx.logger.warn({ reason: imapFailureReason(err), folder: settings.processedFolder }, 'email: could not move messages to the processed folder');
        });
      }
    }

    /**
     * Messages the checkpoint is past that are still in the folder (the hub stopped between the
     * checkpoint and the move, or a move failed) go to the processed folder now.
     */
    async function moveLeftovers(ctx: ChannelContext, client: ImapFlow, lastUid: number): Promise<void> {
      if (!settings.processedFolder || lastUid < 1) return;
      const left = ((await client.search({ uid: `1:${lastUid}` }, { uid: true })) || []).filter((u) => u <= lastUid);
      if (left.length > 0) await afterAccept(ctx, client, left);
    }

    /** The processed folder exists before anything is moved there. */
    async function ensureProcessedFolder(ctx: ChannelContext, client: ImapFlow): Promise<void> {
      if (!settings.processedFolder) return;
      const made = await client.mailboxCreate(settings.processedFolder);
      if (made.created) ctx.logger.info({ folder: settings.processedFolder }, 'email: created the processed folder');
    }

    async function run(ctx: ChannelContext): Promise<void> {
      if (stopped || Date.now() < retryAt) return;
      const client = new ImapFlow({
        host: settings.imap.host,
        port: settings.imap.port,
        secure: settings.imap.secure,
        auth: { user: settings.imap.user, pass: secrets.imapPassword ?? '' },
        logger: false,
        // IDLE starts soon after the last command (imapflow idles only while no lock is held).
        autoIdleDelay: 500,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 5 * 60_000,
        ...(settings.imap.tlsInsecure ? { tls: { rejectUnauthorized: false } } : {}),
      });
      // An 'error' event without a listener would end the process.
      client.on('error', (err: unknown) => ctx.logger.warn({ reason: imapFailureReason(err) }, 'email: IMAP connection error'));
      current = client;
      const started = Date.now();
      try {
        await client.connect();
        await ensureProcessedFolder(ctx, client);
        await locked(client, () => sync(ctx, client));
        failures = 0;
        ctx.reportHealth({ ok: true, synced: true });
        if (settings.idle) await idle(ctx, client, started + settings.pollIntervalMs - Math.min(2000, Math.floor(settings.pollIntervalMs / 5)));
      } catch (err) {
        if (stopped) return;
        failures += 1;
        retryAt = Date.now() + settings.pollIntervalMs * Math.min(2 ** (failures - 1), MAX_BACKOFF_INTERVALS) - settings.pollIntervalMs;
        // Thrown: the runtime reports the mailbox unhealthy with this reason.
        throw err instanceof HubRefused ? err : new Error(imapFailureReason(err), { cause: err });
      } finally {
        current = null;
        await client.logout().catch(() => client.close());
      }
    }

    /** Runs `fn` with the folder selected and locked (between runs the lock is released, so the connection can IDLE). */
    async function locked(client: ImapFlow, fn: () => Promise<void>): Promise<void> {
      const lock = await client.getMailboxLock(settings.imap.folder);
      try {
        await fn();
      } finally {
        lock.release();
      }
    }

    /** IDLE until `until`: every EXISTS the server announces is read at once. */
    async function idle(ctx: ChannelContext, client: ImapFlow, until: number): Promise<void> {
      let pending = false;
      let wake: (() => void) | null = null;
      const onExists = (): void => {
        pending = true;
        wake?.();
      };
      client.on('exists', onExists);
      try {
        while (!stopped && client.usable && Date.now() < until) {
          if (!pending) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, Math.max(0, until - Date.now()));
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
              interrupt = wake;
            });
            wake = null;
            interrupt = null;
          }
          if (pending && !stopped && client.usable) {
            pending = false;
            await locked(client, () => sync(ctx, client));
          }
        }
      } finally {
        client.off('exists', onExists);
      }
    }

    return {
      id: 'email',
      mount(ctx) {
        void sender?.mount(ctx);
        ctx.schedule('sync', settings.pollIntervalMs, () => run(ctx));
      },
      ...(sender?.send ? { send: sender.send.bind(sender) } : {}),
      async stop() {
        stopped = true;
        interrupt?.();
        current?.close();
        await sender?.stop?.();
      },
    };
  },
};
