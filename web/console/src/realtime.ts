import { io, type Socket } from 'socket.io-client';
import type { HubEvent, Presence } from './types';

/** A domain event (its `type` is the socket.io event's name). */
export type EventListener = (event: HubEvent) => void;
export interface TypingEvent {
  ticketId: string;
  who: 'customer' | 'agent';
  typing: boolean;
  /** Set when a colleague is typing on the same ticket. */
  agent?: { id: string; name: string };
}

export interface ReadEvent {
  ticketId: string;
  who: 'customer' | 'agent';
  at: string;
  agent?: { id: string; name: string };
}

export interface Realtime {
  on(listener: EventListener): () => void;
  onTyping(listener: (e: TypingEvent) => void): () => void;
  onStatus(listener: (connected: boolean) => void): () => void;
  /** The presence the hub holds for me (sent on connect, and after every change). */
  onPresence(listener: (status: Presence) => void): () => void;
  /** Someone read the ticket's messages (the customer in the widget, or a colleague). */
  onRead(listener: (e: ReadEvent) => void): () => void;
  /** A team's floor changed (supervisors' and admins' consoles; gathered over half a second by the hub). */
  onFloorChanged(listener: (teamId: string) => void): () => void;
  connected(): boolean;
  joinTicket(ticketId: string): void;
  leaveTicket(ticketId: string): void;
  typing(ticketId: string, typing: boolean): void;
  /** I have read the ticket's messages (sent once the ticket's room is joined). */
  read(ticketId: string): void;
  presence(status: Presence): void;
  close(): void;
}

/**
 * The agents' socket.io namespace. It authenticates with the session token held in
 * memory after sign-in, or else with the httpOnly session cookie (after a reload).
 * Rooms joined for an open ticket are joined again after every reconnect.
 */
export function connectRealtime(token: string | null): Realtime {
  const socket: Socket = io('/agents', {
    auth: token ? { token } : {},
    withCredentials: true,
    transports: ['websocket', 'polling'],
  });
  const listeners = new Set<EventListener>();
  const typingListeners = new Set<(e: TypingEvent) => void>();
  const statusListeners = new Set<(c: boolean) => void>();
  const presenceListeners = new Set<(s: Presence) => void>();
  const readListeners = new Set<(e: ReadEvent) => void>();
  const floorListeners = new Set<(teamId: string) => void>();
  /** The ticket whose room this console is in (one at a time), and whether the hub confirmed it. */
  let joined: string | null = null;
  let joinedOk = false;
  let pendingRead: string | null = null;
  const join = (ticketId: string) => {
    joinedOk = false;
    socket.emit('ticket.join', { ticketId }, (answer: { ok?: boolean } | undefined) => {
      if (joined !== ticketId || !answer?.ok) return;
      joinedOk = true;
      if (pendingRead === ticketId) {
        pendingRead = null;
        socket.emit('read', { ticketId });
      }
    });
  };
  const isPresence = (v: unknown): v is Presence => v === 'online' || v === 'away' || v === 'offline';

  socket.on('connect', () => {
    // The hub keeps the status the agent chose (across tabs and reconnects) and tells us.
    if (joined) join(joined);
    for (const l of statusListeners) l(true);
  });
  socket.on('disconnect', () => {
    for (const l of statusListeners) l(false);
  });
  socket.on('typing', (e: TypingEvent) => {
    if (e && typeof e.ticketId === 'string') for (const l of typingListeners) l(e);
  });
  socket.on('read', (e: ReadEvent) => {
    if (e && typeof e.ticketId === 'string' && typeof e.at === 'string') for (const l of readListeners) l(e);
  });
  socket.on('presence', (e: { status?: unknown } | null) => {
    if (isPresence(e?.status)) for (const l of presenceListeners) l(e.status);
  });
  socket.on('floor.changed', (e: { teamId?: unknown } | null) => {
    if (typeof e?.teamId === 'string') for (const l of floorListeners) l(e.teamId);
  });
  socket.onAny((name: string, payload: unknown) => {
    if (name === 'typing' || name === 'presence' || name === 'read' || name === 'floor.changed') return;
    // The hub emits every domain event under its own type (src/realtime/realtime.server.ts).
    if (typeof payload !== 'object' || payload === null || (payload as { type?: unknown }).type !== name) return;
    const event = payload as HubEvent;
    for (const l of listeners) l(event);
  });

  return {
    on(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onTyping(l) {
      typingListeners.add(l);
      return () => typingListeners.delete(l);
    },
    onStatus(l) {
      statusListeners.add(l);
      return () => statusListeners.delete(l);
    },
    onRead(l) {
      readListeners.add(l);
      return () => readListeners.delete(l);
    },
    onPresence(l) {
      presenceListeners.add(l);
      return () => presenceListeners.delete(l);
    },
    onFloorChanged(l) {
      floorListeners.add(l);
      return () => floorListeners.delete(l);
    },
    connected: () => socket.connected,
    joinTicket(ticketId) {
      joined = ticketId;
      joinedOk = false;
      if (socket.connected) join(ticketId);
    },
    leaveTicket(ticketId) {
      if (joined === ticketId) {
        joined = null;
        joinedOk = false;
      }
      if (pendingRead === ticketId) pendingRead = null;
      if (socket.connected) socket.emit('ticket.leave', { ticketId });
    },
    typing(ticketId, typing) {
      if (socket.connected) socket.emit('typing', { ticketId, typing });
    },
    read(ticketId) {
      if (joined === ticketId && joinedOk && socket.connected) socket.emit('read', { ticketId });
      else pendingRead = ticketId;
    },
    presence(status) {
      socket.emit('presence', { status }, (answer: { ok?: boolean; status?: unknown } | undefined) => {
        if (answer?.ok && isPresence(answer.status)) for (const l of presenceListeners) l(answer.status);
      });
    },
    close() {
      listeners.clear();
      typingListeners.clear();
      statusListeners.clear();
      presenceListeners.clear();
      readListeners.clear();
      floorListeners.clear();
      socket.close();
    },
  };
}
