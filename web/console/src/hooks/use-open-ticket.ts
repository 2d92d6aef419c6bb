import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, patch } from '../api';
import { navigate, type SettingsPage } from '../router';
import type { View } from '../types';
import { useLatest } from './use-latest';

/** The window event the resolve shortcut sends when the hub asks a complaint's cause first (the open ticket's dialog opens). */
export const NEEDS_CAUSE_EVENT = 'omnihub:complaint-needs-cause';

/** A note about what just happened (a transfer), shown while the screen it belongs to is. */
export interface Notice {
  text: string;
  /** null: the inbox with no ticket open. */
  ticketId: string | null;
}

/**
 * The open ticket's console-side state: when to reload it (`reloadKey`), the outcome of actions taken
 * from the console (resolve shortcut, transfer), and the notice they leave.
 */
export function useOpenTicket(view: View, ticketId: string | null, settings: SettingsPage | null, onListChanged: () => void) {
  const [reloadKey, setReloadKey] = useState(0);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const ticketRef = useLatest(ticketId);

  const reload = useCallback(() => setReloadKey((k) => k + 1), []);

  /** Resolves the open ticket (the Ctrl/⌘+Shift+R shortcut). */
  const resolve = useCallback(async () => {
    const id = ticketRef.current;
    if (!id) return;
    try {
      await patch(`/api/v1/tickets/${id}`, { status: 'resolved' });
      setActionError(null);
      reload();
      onListChanged();
    } catch (err) {
      // A complaint needs its cause: the open ticket's dialog asks for it.
      if (err instanceof ApiError && err.status === 400 && err.errors.some((e) => e.field === 'cause')) {
        window.dispatchEvent(new CustomEvent(NEEDS_CAUSE_EVENT, { detail: id }));
        return;
      }
      setActionError(err);
    }
  }, [ticketRef, reload, onListChanged]);

  // Opening another ticket or screen retires the notice.
  useEffect(() => setNotice((n) => (n && (n.ticketId !== ticketId || settings) ? null : n)), [ticketId, settings]);
  /** A transfer went through; `leave`: the ticket is no longer mine to look at. */
  const transferred = useCallback(
    (text: string, leave: boolean) => {
      setNotice({ text, ticketId: leave ? null : ticketRef.current });
      if (leave) navigate({ view, ticketId: null });
    },
    [view, ticketRef],
  );

  const dismissError = useCallback(() => setActionError(null), []);
  const dismissNotice = useCallback(() => setNotice(null), []);

  return { reloadKey, reload, resolve, actionError, dismissError, notice, dismissNotice, transferred };
}
