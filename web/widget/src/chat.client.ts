import { io, type Socket } from 'socket.io-client';
import type {
  AgentTyping,
  ChatAttachment,
  ChatEvent,
  ChatMessage,
  ChatStatus,
  ClientAttachment,
  ClientMessage,
  CsatAck,
  CsatAnswerPayload,
  CsatCard,
  MessageAck,
  PrechatProfile,
  VerifiedIdentity,
  WebchatErrorCode,
  Welcome,
} from '../../../channels/webchat/webchat.protocol';
import type { PendingMessage, VisitorStore } from './visitor.store';

interface ServerToClient {
  welcome: (w: Welcome) => void;
  message: (m: ChatMessage) => void;
  typing: (t: AgentTyping) => void;
  read: (r: { at: string }) => void;
  agents: (a: { online: number }) => void;
  status: (s: ChatStatus) => void;
  csat: (c: CsatCard) => void;
}
interface ClientToServer {
  csat: (a: CsatAnswerPayload, ack: (a: CsatAck) => void) => void;
  message: (m: ClientMessage, ack: (a: MessageAck) => void) => void;
  typing: (t: { typing: boolean }) => void;
  read: (r: Record<string, never>) => void;
  status: (r: Record<string, never>, ack: (s: ChatStatus | null) => void) => void;
}

export interface ViewMessage {
  /** The client id of the visitor's own messages, the hub's id of agent messages. */
  key: string;
  id: string | null;
  /** `system`: a line about the conversation itself (an agent joined, a handover). */
  direction: 'customer' | 'agent' | 'system';
  /** What a system line says. */
  system?: ChatStatus;
  text: string;
  author: string | null;
  attachments: ChatAttachment[];
  at: string;
  status: 'pending' | 'sent' | 'failed';
  error?: WebchatErrorCode;
}

export interface ChatState {
  connected: boolean;
  /** Connected once already: a later disconnect shows "reconnecting". */
  everConnected: boolean;
  welcome: Welcome | null;
  agentsOnline: number | null;
  agentName: string | null;
  /** Not typing: false; typing: the agent's name (or null when unknown). */
  agentTyping: string | null | false;
  agentReadAt: string | null;
  messages: ViewMessage[];
  /** Where the conversation stands in routing (place in line, agent). */
  status: ChatStatus | null;
  /** A refusal the widget cannot recover from (wrong channel key, origin not allowed, identity refused). */
  fatal: string | null;
  /**
   * The satisfaction question of a resolved conversation (the rating card): `asked` while it waits,
   * `sending` while the answer travels, `thanks` once stored, `refused` when the hub would not take it.
   */
  csat: { card: CsatCard; phase: 'asked' | 'sending' | 'thanks' | 'refused'; error?: string } | null;
}

interface Outgoing extends PendingMessage {
  attachment?: ClientAttachment;
  preview?: ChatAttachment;
}

export interface ChatClientOptions {
  hubUrl: string;
  channelKey: string;
  store: VisitorStore;
  /** The host site's signed user (identity verification). */
  identity?: VerifiedIdentity;
  onChange(state: ChatState): void;
}

const ACK_TIMEOUT_MS = 15_000;
const RETRY_EVERY_MS = 4_000;

export function newMessageId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The widget's connection: visitor token, history, and an outbox that makes sending safe.
 * Every message has a client id and stays in the outbox until the hub acknowledges it as
 * stored; after a reconnect everything unacknowledged is sent again, in order, and the hub
 * stores each client id once. So a dropped connection loses nothing and doubles nothing.
 */
export function createChatClient(opts: ChatClientOptions) {
  const { store } = opts;
  const state: ChatState = {
    connected: false,
    everConnected: false,
    welcome: null,
    agentsOnline: null,
    agentName: null,
    agentTyping: false,
    agentReadAt: null,
    messages: [],
    status: null,
    fatal: null,
    csat: null,
  };
  const byKey = new Map<string, ViewMessage>();
  const outbox: Outgoing[] = (store.get().outbox ?? []).map((m) => ({ ...m }));
  /** Which connection each in-flight message was last sent on. */
  const inflight = new Map<string, number>();
  let connection = 0;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let typingSent = 0;
  let lastReadSent = '';

  const socket: Socket<ServerToClient, ClientToServer> = io(`${opts.hubUrl}/webchat`, {
    autoConnect: false,
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelay: 400,
    reconnectionDelayMax: 4000,
    auth: (cb) =>
      cb({
        channelKey: opts.channelKey,
        ...(opts.identity ? { identity: opts.identity } : store.get().token ? { token: store.get().token } : {}),
      }),
  });

  function changed(): void {
    const list = [...byKey.values()];
    const sent = list.filter((m) => m.status !== 'pending').sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const pending = outbox.flatMap((o) => (byKey.get(o.id)?.status === 'pending' ? [byKey.get(o.id)!] : []));
    state.messages = [...sent, ...pending];
    const lastAgent = [...sent].reverse().find((m) => m.direction === 'agent' && m.author);
    state.agentName = state.status?.kind === 'assigned' ? state.status.agentName : (lastAgent?.author ?? state.agentName);
    opts.onChange(state);
  }

  function persistOutbox(): void {
    store.update({ outbox: outbox.filter((o) => o.text).map(({ id, text, at }) => ({ id, text, at })) });
  }

  function upsert(m: ChatMessage): void {
    const key = m.direction === 'customer' && m.clientId ? m.clientId : m.id;
    const existing = byKey.get(key);
    byKey.set(key, {
      key,
      id: m.id,
      direction: m.direction,
      text: m.text,
      author: m.author,
      // The hub's signed links replace a local preview; an echo without files keeps what we show.
      attachments: m.attachments.length > 0 ? m.attachments : (existing?.attachments ?? []),
      at: m.at,
      status: 'sent',
    });
    // Stored already (its acknowledgement was lost): never send it again.
    const i = outbox.findIndex((o) => o.id === key);
    if (i >= 0) {
      outbox.splice(i, 1);
      inflight.delete(key);
      persistOutbox();
    }
  }

  function settle(item: Outgoing, ack: MessageAck): void {
    inflight.delete(item.id);
    const view = byKey.get(item.id);
    if (ack.ok) {
      state.agentsOnline = ack.agentsOnline;
      if (view) Object.assign(view, { id: ack.messageId, at: ack.at, status: 'sent' as const });
      if (ack.ticketId && (!state.status || state.status.ticketId !== ack.ticketId)) askStatus();
    } else if (ack.retryable) {
      return;
    } else if (view) {
      Object.assign(view, { status: 'failed' as const, error: ack.error });
    }
    const i = outbox.indexOf(item);
    if (i >= 0) outbox.splice(i, 1);
    persistOutbox();
    changed();
  }

  /** Sends every message not yet sent on this connection, oldest first (the hub keeps the order). */
  function flush(): void {
    if (!socket.connected || !state.welcome) return;
    const profile = store.get().profile;
    for (const item of outbox) {
      if (inflight.get(item.id) === connection) continue;
      const sentOn = connection;
      inflight.set(item.id, sentOn);
      const payload: ClientMessage = {
        id: item.id,
        text: item.text,
        ...(item.attachment ? { attachments: [item.attachment] } : {}),
        ...(profile ? { profile } : {}),
        // Where the visitor is (no query or fragment: those may hold the host site's tokens).
        page: `${window.location.origin}${window.location.pathname}`.slice(0, 2000),
      };
      socket.timeout(ACK_TIMEOUT_MS).emit('message', payload, (err: Error | null, ack: MessageAck) => {
        // A late answer from an older connection: the resend on the current one decides.
        if (inflight.get(item.id) !== sentOn) return;
        if (err) {
          inflight.delete(item.id);
          return;
        }
        settle(item, ack);
      });
    }
  }

  socket.on('connect', () => {
    connection += 1;
    state.connected = true;
    state.everConnected = true;
    changed();
  });

  /** The conversation's place in routing, asked for once the first message made a ticket. */
  function askStatus(): void {
    socket.timeout(ACK_TIMEOUT_MS).emit('status', {}, (err: Error | null, s: ChatStatus | null) => {
      if (err || !s || state.status) return;
      // A ticket this tab has not seen yet: an agent who already took it is news to the customer
      // (the live status may have been sent before this answer; the history check keeps it single).
      applyStatus(s, true);
    });
  }

  let systemLines = 0;
  const lineOf = (s: ChatStatus): string =>
    s.kind === 'assigned' ? `a:${s.agentName}` : s.kind === 'transferred' ? `t:${s.toAgentName ?? ''}:${s.toTeamName ?? ''}` : s.kind;
  /** The history of this connection's welcome already has this line (it happened just before). */
  function alreadyInHistory(s: ChatStatus): boolean {
    const recent = new Date(Date.now() - 30_000).toISOString();
    return [...byKey.values()].some((m) => m.key.startsWith('event:') && m.system && lineOf(m.system) === lineOf(s) && m.at >= recent);
  }
  /** Joins and handovers from the history: they replace the lines this tab added live. */
  function historyEvents(events: ChatEvent[]): void {
    for (const k of [...byKey.keys()]) if (k.startsWith('system:') || k.startsWith('event:')) byKey.delete(k);
    for (const e of events) {
      const key = `event:${e.id}`;
      byKey.set(key, { key, id: null, direction: 'system', system: e.status, text: '', author: null, attachments: [], at: e.at, status: 'sent' });
    }
  }
  function applyStatus(s: ChatStatus, live: boolean): void {
    const before = state.status;
    // Handed to a colleague: with them now; handed to a team: waiting again (its place in line follows).
    // (Whether that colleague is away follows as a status of its own.)
    state.status = s.kind !== 'transferred' ? s : s.toAgentName ? { kind: 'assigned', ticketId: s.ticketId, agentName: s.toAgentName, agentAway: false } : null;
    if (state.status?.kind === 'assigned') state.agentName = state.status.agentName;
    // Live changes also get a line in the conversation: who joined, where it was handed over
    // (not the same agent going away or coming back: the notice above the log says that).
    const repeat = (s.kind === 'assigned' && before?.kind === 'assigned' && before.agentName === s.agentName) || alreadyInHistory(s);
    if (live && s.kind !== 'queued' && s.kind !== 'busy' && !repeat) {
      const key = `system:${++systemLines}:${Date.now()}`;
      byKey.set(key, { key, id: null, direction: 'system', system: s, text: '', author: null, attachments: [], at: new Date().toISOString(), status: 'sent' });
    }
    changed();
  }

  socket.on('status', (s) => applyStatus(s, true));

  socket.on('welcome', (w) => {
    state.welcome = w;
    state.status = w.status;
    if (w.status?.kind === 'assigned') state.agentName = w.status.agentName;
    state.agentsOnline = w.agentsOnline;
    state.agentReadAt = w.agentReadAt;
    store.update({ token: w.visitorToken });
    // A verified user continuing their conversation on another device is not asked who they are again.
    const id = opts.identity;
    if (id && w.userId === id.userId && w.history.length > 0 && !store.get().profile) {
      store.update({ profile: { name: id.name ?? id.userId.slice(0, 100), topic: 'question', ...(id.email ? { email: id.email } : {}) } });
    }
    for (const m of w.history) upsert(m);
    if (w.events) historyEvents(w.events);
    // A question still open comes back after a reload; an answered one stays thanked.
    if (w.csat && state.csat?.card.ticketId !== w.csat.ticketId) state.csat = { card: w.csat, phase: 'asked' };
    changed();
    flush();
  });

  socket.on('csat', (c) => {
    if (c.state === 'asked') {
      if (state.csat?.card.ticketId !== c.ticketId) state.csat = { card: c, phase: 'asked' };
    } else if (state.csat?.card.ticketId === c.ticketId && state.csat.phase !== 'thanks') {
      // Answered in another tab.
      state.csat = { card: c, phase: 'thanks' };
    }
    changed();
  });

  socket.on('message', (m) => {
    upsert(m);
    if (m.direction === 'agent') state.agentTyping = false;
    changed();
  });

  let typingHide: ReturnType<typeof setTimeout> | undefined;
  socket.on('typing', (t) => {
    clearTimeout(typingHide);
    state.agentTyping = t.typing ? t.agent : false;
    // A lost "stopped typing" must not leave the indicator on forever.
    if (t.typing) {
      typingHide = setTimeout(() => {
        state.agentTyping = false;
        changed();
      }, 8000);
    }
    changed();
  });

  socket.on('read', (r) => {
    if (!state.agentReadAt || r.at > state.agentReadAt) state.agentReadAt = r.at;
    changed();
  });

  socket.on('agents', (a) => {
    state.agentsOnline = a.online;
    changed();
  });

  socket.on('disconnect', (reason) => {
    state.connected = false;
    changed();
    // The hub closed it on purpose (e.g. it could not load the history): try again shortly.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 2000);
  });

  socket.on('connect_error', (err) => {
    if (err.message === 'invalid_token') {
      // Not a token this hub signed: start over as a new visitor (nothing of the old one is shown).
      store.update({ token: undefined });
      byKey.clear();
      changed();
      setTimeout(() => socket.connect(), 100);
    } else if (['unknown_channel', 'origin_not_allowed', 'identity_invalid', 'identity_required'].includes(err.message)) {
      state.fatal = err.message;
      changed();
    }
  });

  setInterval(() => {
    if (outbox.length > 0) flush();
  }, RETRY_EVERY_MS);

  for (const o of outbox) {
    byKey.set(o.id, { key: o.id, id: null, direction: 'customer', text: o.text, author: null, attachments: [], at: o.at, status: 'pending' });
  }

  return {
    state,
    connect(): void {
      if (!socket.connected && !socket.active) socket.connect();
    },
    get started(): boolean {
      return socket.active;
    },
    profile(): PrechatProfile | undefined {
      return store.get().profile;
    },
    setProfile(profile: PrechatProfile): void {
      store.update({ profile });
      changed();
    },
    send(text: string, attachment?: { file: ClientAttachment; preview: ChatAttachment }): void {
      const item: Outgoing = { id: newMessageId(), text, at: new Date().toISOString(), ...(attachment ? { attachment: attachment.file, preview: attachment.preview } : {}) };
      outbox.push(item);
      byKey.set(item.id, {
        key: item.id,
        id: null,
        direction: 'customer',
        text,
        author: null,
        attachments: attachment ? [attachment.preview] : [],
        at: item.at,
        status: 'pending',
      });
      persistOutbox();
      this.typing(false);
      changed();
      flush();
    },
    typing(typing: boolean): void {
      clearTimeout(typingTimer);
      if (!socket.connected) return;
      const now = Date.now();
      if (typing) {
        if (now - typingSent > 2000) {
          socket.emit('typing', { typing: true });
          typingSent = now;
        }
        typingTimer = setTimeout(() => this.typing(false), 3000);
      } else if (typingSent) {
        socket.emit('typing', { typing: false });
        typingSent = 0;
      }
    },
    /** The rating card's answer (1–5 and an optional comment). */
    rate(score: number, comment: string): void {
      const current = state.csat;
      if (!current || current.phase === 'sending' || current.phase === 'thanks') return;
      state.csat = { card: current.card, phase: 'sending' };
      changed();
      const payload: CsatAnswerPayload = { ticketId: current.card.ticketId, score, ...(comment.trim() ? { comment: comment.trim() } : {}) };
      socket.timeout(ACK_TIMEOUT_MS).emit('csat', payload, (err: Error | null, ack: CsatAck) => {
        if (err) state.csat = { card: current.card, phase: 'asked', error: 'unavailable' };
        else if (ack.ok) state.csat = { card: current.card, phase: 'thanks' };
        else state.csat = { card: current.card, phase: 'refused', error: ack.error };
        changed();
      });
    },
    dismissCsat(): void {
      state.csat = null;
      changed();
    },
    /** The visitor has seen everything shown: tell the agents (once per new agent message). */
    markRead(): void {
      const last = [...state.messages].reverse().find((m) => m.direction === 'agent');
      if (!last || !socket.connected || last.key === lastReadSent) return;
      lastReadSent = last.key;
      socket.emit('read', {});
    },
  };
}
export type ChatClient = ReturnType<typeof createChatClient>;
