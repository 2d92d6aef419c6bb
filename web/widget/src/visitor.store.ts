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
  /** The verified user this state belongs to (identity verification). */
  userId?: string;
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
  const write = (next: VisitorState): void => {
    memory = next;
    try {
      window.localStorage.setItem(key, JSON.stringify(memory));
    } catch {
      /* storage full or blocked: keep it in memory for this page */
    }
  };
  return {
    get: read,
    update(change: Partial<VisitorState>): void {
      write({ ...read(), ...change });
    },
    /** Forgets everything (token, form, unsent messages) and starts from `state`. */
    reset(state: VisitorState = {}): void {
      write(state);
    },
  };
}
export type VisitorStore = ReturnType<typeof createVisitorStore>;
