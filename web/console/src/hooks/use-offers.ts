import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import type { MissedOffer, Offer } from '../components/Offers';
import type { TicketSummary, User } from '../types';
import { useLatest } from './use-latest';

/** After a failed accept or decline, the hub's view of my offers is fetched again this much later. */
const RESYNC_MS = 3000;

/**
 * Offers: routing proposes a ticket to me, I accept or decline it before it runs out.
 * An offer that ran out stays as a missed-offer card until it is offered again, or someone takes it.
 * The hub-event hook feeds `offered`, `expired`, `gone` and `unmiss`; `sync` asks the hub.
 */
export function useOffers(user: User, onAccepted: (ticketId: string) => void) {
  const [offers, setOffers] = useState<Offer[]>([]);
  /** Offers I let run out (routing offers them to me again after a cool-down). */
  const [missed, setMissed] = useState<MissedOffer[]>([]);
  const offersRef = useLatest(offers);
  const onAcceptedRef = useLatest(onAccepted);

  const update = useCallback((ticketId: string, change: Partial<Offer>) => {
    setOffers((list) => list.map((o) => (o.ticketId === ticketId ? { ...o, ...change } : o)));
  }, []);
  /** The offer is no more (declined, taken by someone, assigned to me, …). */
  const gone = useCallback((ticketId: string) => setOffers((list) => list.filter((o) => o.ticketId !== ticketId)), []);
  /** Routing offers me the ticket (`expiresAt` null: restored after a reload, the hub's state does not carry it). */
  const offered = useCallback(
    (ticketId: string, expiresAt: string | null) => {
      setOffers((list) =>
        list.some((o) => o.ticketId === ticketId)
          ? list.map((o) => (o.ticketId === ticketId && expiresAt ? { ...o, expiresAt } : o))
          : [...list, { ticketId, expiresAt, ticket: null, busy: false, error: null }],
      );
      get<{ ticket: TicketSummary }>(`/api/v1/tickets/${ticketId}`).then(
        (d) => update(ticketId, { ticket: d.ticket }),
        () => undefined,
      );
    },
    [update],
  );
  /** The hub's view of my offers (after a reload or a reconnect). */
  const sync = useCallback(() => {
    if (user.role !== 'agent' && user.teams.length === 0) return;
    get<{ offers?: string[] }>('/api/v1/me/routing').then(
      (r) => {
        const ids = Array.isArray(r.offers) ? r.offers : [];
        setOffers((list) => list.filter((o) => ids.includes(o.ticketId) || o.busy));
        for (const id of ids) offered(id, null);
      },
      () => undefined,
    );
  }, [offered, user.role, user.teams.length]);
  useEffect(sync, [sync]);

  const accept = useCallback(
    async (ticketId: string) => {
      update(ticketId, { busy: true, error: null });
      try {
        await post(`/api/v1/tickets/${ticketId}/accept`);
        gone(ticketId);
        onAcceptedRef.current(ticketId);
      } catch (err) {
        update(ticketId, { busy: false, error: err });
        setTimeout(sync, RESYNC_MS);
      }
    },
    [update, gone, sync, onAcceptedRef],
  );
  const decline = useCallback(
    async (ticketId: string) => {
      update(ticketId, { busy: true, error: null });
      try {
        await post(`/api/v1/tickets/${ticketId}/decline`);
        gone(ticketId);
      } catch (err) {
        update(ticketId, { busy: false, error: err });
        setTimeout(sync, RESYNC_MS);
      }
    },
    [update, sync],
  );
  /** Accepts the first offer shown, unless it is already being answered (the `a` shortcut). */
  const acceptFirst = useCallback(() => {
    const first = offersRef.current[0];
    if (first && !first.busy) void accept(first.ticketId);
  }, [accept, offersRef]);

  /** The missed-offer card goes (dismissed, offered again, or the ticket was assigned or released). */
  const unmiss = useCallback((ticketId: string) => setMissed((list) => list.filter((m) => m.ticketId !== ticketId)), []);
  /** My offer ran out: the card says so instead of vanishing. */
  const expired = useCallback(
    (ticketId: string) => {
      const ticket = offersRef.current.find((o) => o.ticketId === ticketId)?.ticket ?? null;
      setMissed((list) => [...list.filter((m) => m.ticketId !== ticketId), { ticketId, ticket }]);
      gone(ticketId);
      if (!ticket) {
        get<{ ticket: TicketSummary }>(`/api/v1/tickets/${ticketId}`).then(
          (d) => setMissed((list) => list.map((m) => (m.ticketId === ticketId ? { ...m, ticket: d.ticket } : m))),
          () => undefined,
        );
      }
    },
    [gone, offersRef],
  );

  return { offers, missed, accept, decline, acceptFirst, offered, gone, expired, unmiss, sync };
}
