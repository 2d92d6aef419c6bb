import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { Request, Response } from 'express';
import type { Namespace, Socket } from 'socket.io';
import {
  ChannelError,
  ChannelRequestError,
  type AgentActivity,
  type ChannelAdapter,
  type ChannelContext,
  type ConversationEntry,
  type ConversationStatus,
  type OutboundMessage,
  type SendResult,
  type SurveyPrompt,
} from '../contract';
import { ATTACHMENT_TYPES, cleanFileName, sniffAttachmentType, type AttachmentType } from './attachment.sniff';
import { chatSessionRef, clientIdOf, normalizeChatMessage } from './webchat.normalize';
import {
  WEBCHAT_NAMESPACE,
  type AgentTyping,
  type ChatAttachment,
  type CsatAck,
  type CsatCard,
  type ChatMessage,
  type ChatStatus,
  type MessageAck,
  type PrechatField,
  type Welcome,
} from './webchat.protocol';
import { AuthSchema, ClientMessageSchema, IdentitySchema, MAX_TEXT_LENGTH, TypingSchema, type ParsedClientMessage } from './webchat.schema';
import { verifyIdentity } from './identity';
import { createVisitorTokens, isVisitorId, type VisitorTokens } from './visitor-token';

export interface WebchatOptions {
  /** The public key in the widget's `data-channel-key`; other keys are refused. */
  channelKey: string;
  /** Signs visitor tokens and attachment URLs; every hub process must share it. */
  secret: string;
  /** Contact fields the pre-chat form shows (name and topic always), and which of them are required. */
  prechatFields: readonly PrechatField[];
  prechatRequired: readonly PrechatField[];
  maxAttachmentBytes: number;
  /** Messages restored into the widget on (re)connect. */
  historyLimit: number;
  /** Host-page origins allowed to open a chat; empty allows any. */
  allowedOrigins: readonly string[];
  /** The built widget bundle (web/widget/dist/widget.js), served at GET /widget.js. */
  widgetFile: string;
  /** Identity verification: the key host sites sign their user ids with (unset: not offered). */
  identitySecret?: string;
  /** Refuse visitors without a verified identity. */
  identityRequired?: boolean;
}

interface VisitorData {
  visitorId: string;
  token: string;
  /** A verified user of the host site (identity verification). */
  userId?: string;
  /** What the host site said about that user (unsigned, shown to agents like a pre-chat form). */
  userName?: string;
  userEmail?: string;
}

const ATTACHMENT_URL_TTL_MS = 7 * 86_400_000;
const CsatAnswerSchema = z.object({ ticketId: z.string().regex(/^[0-9a-f]{24}$/), score: z.number().int().min(1).max(5), comment: z.string().max(2000).optional() });
const cardOf = (p: SurveyPrompt, state: CsatCard['state']): CsatCard => ({ ticketId: p.ticketId, ticketNumber: p.ticketNumber, subject: p.subject, state });
const visitorRoom = (visitorId: string): string => `visitor:${visitorId}`;
const ticketRoom = (ticketId: string): string => `ticket:${ticketId}`;

/** A small token bucket per visitor (per process): a burst of 20 messages, then one a second. */
function createLimiter(burst: number, perSecond: number) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (key: string): boolean => {
    const now = Date.now();
    const b = buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    if (buckets.size > 50_000) buckets.clear();
    buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
}

/**
 * The web chat channel: a socket.io namespace for customers (`/webchat`, protocol in
 * webchat.protocol.ts), the widget bundle at `/widget.js`, and signed attachment downloads.
 * Each customer message goes through `ctx.ingest` like every channel's, and is acknowledged
 * to the widget only once it is durable. Agent replies arrive through {@link ChannelAdapter.send}
 * and reach every open tab of the visitor (room `visitor:<id>`, across hub processes).
 */
export function createWebchatChannel(options: WebchatOptions): ChannelAdapter {
  const tokens: VisitorTokens = createVisitorTokens(options.secret, options.channelKey);
  // A required field the form does not show could never be given.
  const required = options.prechatRequired.filter((f) => options.prechatFields.includes(f));
  const limiter = createLimiter(20, 1);
  /** One visitor's messages are stored one after another, in the order they arrived. */
  const chains = new Map<string, Promise<unknown>>();
  let nsp: Namespace | null = null;
  let ctx: ChannelContext | null = null;

  function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = chains.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    chains.set(key, settled);
    void settled.then(() => {
      if (chains.get(key) === settled) chains.delete(key);
    });
    return next;
  }

  function attachmentUrl(a: { name: string; contentType: string; ref: string }): string {
    const exp = String(Date.now() + ATTACHMENT_URL_TTL_MS);
    const sig = tokens.sign(a.ref, a.contentType, a.name, exp);
    const q = new URLSearchParams({ name: a.name, type: a.contentType, exp, sig });
    return `${ctx?.publicUrl ?? ''}/webchat/attachments/${encodeURIComponent(a.ref)}?${q.toString()}`;
  }

  const toChatAttachment = (a: { name: string; contentType: string; size: number; ref: string }): ChatAttachment => ({
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    url: attachmentUrl(a),
  });

  function entryToChat(visitorId: string, e: ConversationEntry): ChatMessage {
    return {
      id: e.id,
      clientId: e.direction === 'inbound' ? clientIdOf(visitorId, e.externalId) : null,
      ticketId: e.ticketId,
      direction: e.direction === 'inbound' ? 'customer' : 'agent',
      text: e.text,
      author: e.direction === 'outbound' ? e.authorName : null,
      attachments: e.attachments.map(toChatAttachment),
      at: e.at.toISOString(),
    };
  }

  /** The ticket a visitor socket currently talks about: the last ticket room it joined. */
  function currentTicket(socket: Socket): string | null {
    let last: string | null = null;
    for (const r of socket.rooms) if (r.startsWith('ticket:')) last = r.slice(7);
    return last;
  }

  /** Whether any tab of these visitors is connected to any hub process (unknown counts as yes). */
  async function visitorPresent(rooms: string[]): Promise<boolean> {
    if (!nsp) return false;
    try {
      return (await nsp.in(rooms).fetchSockets()).length > 0;
    } catch (err) {
      ctx?.logger.warn({ err }, 'webchat: could not tell whether the visitor is connected');
      return true;
    }
  }

  async function agentsOnline(c: ChannelContext): Promise<number> {
    if (!c.agentsOnline) return 1;
    try {
      return await c.agentsOnline();
    } catch (err) {
      c.logger.warn({ err }, 'webchat: could not count online agents');
      return 1;
    }
  }

  function decodeAttachments(msg: ParsedClientMessage): { ok: true; files: Array<{ name: string; contentType: AttachmentType; bytes: Buffer }> } | { ok: false; ack: MessageAck } {
    const files: Array<{ name: string; contentType: AttachmentType; bytes: Buffer }> = [];
    for (const a of msg.attachments ?? []) {
      // Base64 is 4/3 of the bytes: refuse oversized ones before decoding them.
      if (a.dataBase64.length > Math.ceil(options.maxAttachmentBytes / 3) * 4 + 4) {
        return { ok: false, ack: { ok: false, error: 'attachment_size', retryable: false } };
      }
      const bytes = Buffer.from(a.dataBase64, 'base64');
      if (bytes.length === 0 || bytes.length > options.maxAttachmentBytes) {
        return { ok: false, ack: { ok: false, error: 'attachment_size', retryable: false } };
      }
      const type = sniffAttachmentType(bytes);
      if (!type) return { ok: false, ack: { ok: false, error: 'attachment_type', retryable: false } };
      files.push({ name: cleanFileName(a.name, type), contentType: type, bytes });
    }
    return { ok: true, files };
  }

  async function handleMessage(c: ChannelContext, socket: Socket, raw: unknown): Promise<MessageAck> {
    const { visitorId, userId, userName, userEmail } = socket.data as VisitorData;
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, error: 'invalid', retryable: false };
    const msg = parsed.data;
    const text = msg.text.trim();
    if (!text && !msg.attachments?.length) return { ok: false, error: 'invalid', retryable: false };
    // A verified user's name and email come from the host site when the form left them out.
    const p = msg.profile && userId ? { ...msg.profile, name: msg.profile.name || userName || '', email: msg.profile.email ?? userEmail } : msg.profile;
    if (!p || required.some((f) => !p[f])) return { ok: false, error: 'prechat_required', retryable: false };
    if (!limiter(visitorId)) return { ok: false, error: 'rate_limited', retryable: true };
    const files = decodeAttachments(msg);
    if (!files.ok) return files.ack;

    return serialized(visitorId, async () => {
      const online = await agentsOnline(c);
      const receivedAt = new Date();
      const [input] = normalizeChatMessage({
        visitorId,
        clientId: msg.id,
        text,
        profile: {
          name: p.name,
          topic: p.topic,
          // Only the fields this hub asks for are taken.
          ...(options.prechatFields.includes('email') && p.email ? { email: p.email } : {}),
          ...(options.prechatFields.includes('phone') && p.phone ? { phone: p.phone } : {}),
        },
        attachments: files.files,
        page: msg.page,
        userAgent: socket.handshake.headers['user-agent'],
        receivedAt,
        noAgentsOnline: online === 0,
        ...(userId ? { verifiedUserId: userId } : {}),
      });
      const outcome = await c.ingest(input!, { wait: true });
      const ticketId = outcome.ticketId ?? null;
      const duplicate = outcome.duplicate === true;
      if (ticketId) nsp?.in(visitorRoom(visitorId)).socketsJoin(ticketRoom(ticketId));
      if (!duplicate) {
        const mine: ChatMessage = {
          id: outcome.messageId,
          clientId: msg.id,
          ticketId,
          direction: 'customer',
          text,
          author: null,
          attachments: [],
          at: receivedAt.toISOString(),
        };
        // The visitor's other tabs show it too (attachments appear there after a reload).
        socket.to(visitorRoom(visitorId)).emit('message', mine);
      }
      return { ok: true, messageId: outcome.messageId, ticketId, duplicate, at: receivedAt.toISOString(), agentsOnline: online };
    });
  }

  async function statusOf(c: ChannelContext, ticketId: string): Promise<ChatStatus | null> {
    if (!c.conversationStatus) return null;
    try {
      return await c.conversationStatus(ticketId);
    } catch (err) {
      c.logger.warn({ err, ticketId }, 'webchat: could not read the conversation status');
      return null;
    }
  }

  async function welcome(c: ChannelContext, socket: Socket): Promise<void> {
    const { visitorId, token } = socket.data as VisitorData;
    const [conversation, online] = await Promise.all([
      c.history ? c.history({ channel: 'webchat', ref: chatSessionRef(visitorId) }, options.historyLimit) : null,
      agentsOnline(c),
    ]);
    const current = conversation?.ticketIds.at(-1);
    if (current) await socket.join(ticketRoom(current));
    const status = current ? await statusOf(c, current) : null;
    const survey = c.pendingSurvey ? await c.pendingSurvey('webchat', visitorId).catch(() => null) : null;
    const w: Welcome = {
      visitorId,
      visitorToken: token,
      agentsOnline: online,
      prechat: { fields: [...options.prechatFields], required: [...required] },
      limits: { maxAttachmentBytes: options.maxAttachmentBytes, attachmentTypes: [...ATTACHMENT_TYPES], maxTextLength: MAX_TEXT_LENGTH },
      history: (conversation?.entries ?? []).map((e) => entryToChat(visitorId, e)),
      events: (conversation?.events ?? []).map((e) => ({ id: e.id, at: e.at.toISOString(), status: e.status })),
      agentReadAt: conversation?.agentReadAt?.toISOString() ?? null,
      status,
      userId: (socket.data as VisitorData).userId ?? null,
      csat: survey ? cardOf(survey, 'asked') : null,
    };
    socket.emit('welcome', w);
    // Through the adapter (not straight down the socket): the packet carries a stream offset,
    // which the client needs to recover its session after a drop.
    nsp?.to(socket.id).emit('agents', { online });
  }

  function onConnection(c: ChannelContext, socket: Socket): void {
    const { visitorId } = socket.data as VisitorData;
    void socket.join(visitorRoom(visitorId));
    let lastTyping: { typing: boolean; at: number } = { typing: false, at: 0 };

    // Handlers first: a widget sends its queued messages the moment it is connected.
    socket.on('message', (raw: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (a: MessageAck) => (ack as (a: MessageAck) => void)(a) : () => undefined;
      handleMessage(c, socket, raw).then(reply, (err: unknown) => {
        c.logger.error({ err, visitorId }, 'webchat: storing a message failed');
        reply({ ok: false, error: 'unavailable', retryable: true });
      });
    });
    socket.on('typing', (raw: unknown) => {
      const t = TypingSchema.safeParse(raw);
      const ticketId = currentTicket(socket);
      if (!t.success || !ticketId) return;
      const now = Date.now();
      // Forward changes at once, repeats of "still typing" at most every 2 s.
      if (t.data.typing === lastTyping.typing && now - lastTyping.at < 2000) return;
      lastTyping = { typing: t.data.typing, at: now };
      c.customerActivity?.({ kind: 'typing', ticketId, typing: t.data.typing });
    });
    socket.on('status', (_raw: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const ticketId = currentTicket(socket);
      const answer = ack as (s: ChatStatus | null) => void;
      if (!ticketId) return answer(null);
      statusOf(c, ticketId).then(answer, () => answer(null));
    });
    socket.on('csat', (raw: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (a: CsatAck) => (ack as (a: CsatAck) => void)(a) : () => undefined;
      const parsed = CsatAnswerSchema.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, error: 'invalid' });
      if (!c.answerSurvey) return reply({ ok: false, error: 'unavailable' });
      // The visitor answering is the one who must have been asked: the hub checks it against the survey.
      c.answerSurvey({ ...parsed.data, channel: 'webchat', address: visitorId }).then(
        (r) => reply(r.ok ? { ok: true } : { ok: false, error: r.reason }),
        (err: unknown) => {
          c.logger.error({ err, visitorId }, 'webchat: storing a satisfaction answer failed');
          reply({ ok: false, error: 'unavailable' });
        },
      );
    });
    socket.on('read', () => {
      const ticketId = currentTicket(socket);
      if (ticketId) c.customerActivity?.({ kind: 'read', ticketId, at: new Date() });
    });
    socket.on('disconnect', () => {
      const ticketId = currentTicket(socket);
      if (ticketId && lastTyping.typing) c.customerActivity?.({ kind: 'typing', ticketId, typing: false });
    });

    welcome(c, socket).catch((err: unknown) => {
      c.logger.error({ err, visitorId }, 'webchat: welcome failed');
      socket.disconnect(true);
    });
  }

  function authorize(c: ChannelContext, socket: Socket): string | null {
    const auth = AuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success || auth.data.channelKey !== options.channelKey) return 'unknown_channel';
    const origin = socket.handshake.headers.origin;
    const own = new URL(c.publicUrl).origin;
    if (options.allowedOrigins.length > 0 && origin && origin !== own && !options.allowedOrigins.includes(origin)) return 'origin_not_allowed';
    if (auth.data.identity !== undefined) {
      const id = IdentitySchema.safeParse(auth.data.identity);
      if (!options.identitySecret) {
        c.logger.warn({}, 'webchat: a page sent a user identity, but WEBCHAT_IDENTITY_SECRET is not set');
        return 'identity_invalid';
      }
      if (!id.success || !verifyIdentity(options.identitySecret, id.data.userId, id.data.hash)) {
        c.logger.warn({ origin: origin ?? null }, 'webchat: refused a user identity whose hash does not match');
        return 'identity_invalid';
      }
      // The verified user's own conversation, whatever visitor token this browser held before.
      const v = tokens.forUser(id.data.userId);
      socket.data = {
        visitorId: v.visitorId,
        token: v.token,
        userId: id.data.userId,
        ...(id.data.name ? { userName: id.data.name } : {}),
        ...(id.data.email ? { userEmail: id.data.email } : {}),
      } satisfies VisitorData;
      return null;
    }
    if (options.identityRequired) return 'identity_required';
    if (auth.data.token) {
      const visitorId = tokens.verify(auth.data.token);
      if (!visitorId) return 'invalid_token';
      socket.data = { visitorId, token: auth.data.token } satisfies VisitorData;
    } else {
      const v = tokens.issue();
      socket.data = { visitorId: v.visitorId, token: v.token } satisfies VisitorData;
    }
    return null;
  }

  function serveWidget(_req: Request, res: Response): void {
    if (!existsSync(options.widgetFile)) {
      res
        .status(503)
        .type('text/javascript')
        .send('console.warn("The chat widget is not built yet: run `npm run build:web`.");\n');
      return;
    }
    res.sendFile(options.widgetFile, {
      headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
    });
  }

  async function serveAttachment(c: ChannelContext, req: Request, res: Response): Promise<void> {
    const ref = String(req.params.ref);
    const q = req.query;
    const [name, type, exp, sig] = [q.name, q.type, q.exp, q.sig].map((v) => (typeof v === 'string' ? v : ''));
    if (!name || !type || !exp || !sig || !tokens.check(sig, ref, type, name, exp) || Number(exp) < Date.now()) {
      throw new ChannelRequestError(404, 'Not found', 'No such attachment, or its link has expired.');
    }
    if (!c.attachment) throw new ChannelRequestError(503, 'Unavailable', 'Attachments are not available.');
    const bytes = await c.attachment(ref).catch(() => null);
    if (!bytes) throw new ChannelRequestError(404, 'Not found', 'No such attachment.');
    const image = type.startsWith('image/') && (ATTACHMENT_TYPES as readonly string[]).includes(type);
    res.set({
      'Content-Type': image || type === 'application/pdf' ? type : 'application/octet-stream',
      'X-Content-Type-Options': 'nosniff',
      // Images show inline; anything else is downloaded, never rendered on the hub's origin.
      'Content-Disposition': `${image ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=86400',
    });
    res.send(bytes);
  }

  return {
    id: 'webchat',
    normalize: normalizeChatMessage,

    mount(c: ChannelContext) {
      ctx = c;
      c.router.get('/widget.js', serveWidget);
      c.router.get('/webchat/attachments/:ref', (req, res) => serveAttachment(c, req, res));
      if (!c.sockets) {
        c.logger.warn({}, 'webchat: the hub gave no socket server; chats are off');
        return;
      }
      const n = c.sockets.namespace(WEBCHAT_NAMESPACE);
      nsp = n;
      n.use((socket, next) => {
        const refused = authorize(c, socket);
        next(refused ? new Error(refused) : undefined);
      });
      n.on('connection', (socket) => onConnection(c, socket));
    },

    async send(message: OutboundMessage): Promise<SendResult> {
      if (!nsp) throw new ChannelError('unavailable', 'the web chat namespace is not mounted', { retryable: true });
      const visitors = message.to.map((p) => p.address).filter(isVisitorId);
      if (visitors.length === 0) throw new ChannelError('invalid', 'no web chat visitor to send to', { retryable: false });
      const chat: ChatMessage = {
        id: message.messageId,
        clientId: null,
        ticketId: message.ticketId,
        direction: 'agent',
        text: message.text,
        author: message.from?.name ?? null,
        attachments: message.attachments.flatMap((a) => (a.ref ? [toChatAttachment({ name: a.name, contentType: a.contentType, size: a.size, ref: a.ref })] : [])),
        at: new Date().toISOString(),
      };
      const rooms = visitors.map(visitorRoom);
      nsp.in(rooms).socketsJoin(ticketRoom(message.ticketId));
      // Through the adapter: every hub process's tabs of this visitor, and kept for recovering connections.
      nsp.to(rooms).emit('message', chat);
      return { externalId: message.messageId, status: 'sent', ...((await visitorPresent(rooms)) ? {} : { recipientAbsent: true }) };
    },

    surveyUpdate(prompt: SurveyPrompt, state: 'asked' | 'answered') {
      // Every tab of the visitor who was asked, on every hub process.
      if (isVisitorId(prompt.to)) nsp?.to(visitorRoom(prompt.to)).emit('csat', cardOf(prompt, state));
    },

    conversationUpdate(status: ConversationStatus) {
      // Through the adapter: the visitor's tabs on every hub process.
      nsp?.to(ticketRoom(status.ticketId)).emit('status', status satisfies ChatStatus);
    },

    agentActivity(activity: AgentActivity) {
      if (!nsp) return;
      const room = ticketRoom(activity.ticketId);
      if (activity.kind === 'typing') {
        const t: AgentTyping = { typing: activity.typing, agent: activity.agentName || null };
        nsp.to(room).emit('typing', t);
      } else {
        nsp.to(room).emit('read', { at: activity.at.toISOString() });
      }
    },

    async health() {
      return nsp ? { ok: true } : { ok: false, detail: 'no socket server' };
    },
  };
}
