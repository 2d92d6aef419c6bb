import type { PrechatProfile } from '../../../channels/webchat/webchat.protocol';

/** A message waiting for the hub's acknowledgement (text only survives a reload). */
export interface PendingMessage {
  id: string;
  text: string;
  at: string;
}

export interface VisitorState {
  token?: string;
  profile?: PrechatProfile;
  outbox?: PendingMessage[];
  open?: boolean;
}

/** The visitor's token, form and unsent messages, in the host page's localStorage. */
export function createVisitorStore(key: string) {
  let memory: VisitorState = {};
  const read = (): VisitorState => {
    try {
      const raw = window.localStorage.getItem(key);
      return raw ? (JSON.parse(raw) as VisitorState) : memory;
    } catch {
      return memory;
    }
  };
  return {
    get: read,
    update(change: Partial<VisitorState>): void {
      memory = { ...read(), ...change };
      try {
        window.localStorage.setItem(key, JSON.stringify(memory));
      } catch {
        /* storage full or blocked: keep it in memory for this page */
      }
    },
  };
}
export type VisitorStore = ReturnType<typeof createVisitorStore>;
