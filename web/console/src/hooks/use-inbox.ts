import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get, query } from '../api';
import type { Prefs } from '../prefs';
import type { TicketSummary, View } from '../types';

export const LIST_LIMIT = 50;

/** How many tickets another view holds (`more`: at least that many). */
export interface Count {
  n: number;
  more: boolean;
}

interface Page {
  items: TicketSummary[];
  nextCursor: string | null;
}

export function sortTickets(items: TicketSummary[], sort: Prefs['sort']): TicketSummary[] {
  const waitingSince = (t: TicketSummary) => new Date(t.lastCustomerMessageAt ?? t.createdAt).getTime();
  return [...items].sort((a, b) =>
    sort === 'newest' ? new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime() : waitingSince(a) - waitingSince(b),
  );
}

/**
 * The inbox: the first page of the view shown (with the agent's filters and sort) and the counts of
 * the other views, loaded again when any of them changes and, debounced, after live events.
 */
export function useInbox(view: View, views: readonly View[], filters: Prefs['filters'], sort: Prefs['sort']) {
  const [items, setItems] = useState<TicketSummary[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [counts, setCounts] = useState<Partial<Record<View, Count>>>({});
  const viewsKey = views.join(',');

  const listQuery = useCallback(
    (v: View, limit: number) =>
      query({
        view: v,
        status: filters.status.join(','),
        type: filters.type,
        priority: filters.priority,
        channel: filters.channel,
        sort: sort === 'newest' ? '-createdAt' : 'createdAt',
        limit,
      }),
    [filters, sort],
  );

  const seq = useRef(0);
  const load = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const [main, ...others] = await Promise.all([
        get<Page>(`/api/v1/tickets${listQuery(view, LIST_LIMIT)}`),
        ...(viewsKey.split(',') as View[]).filter((v) => v !== view && v !== 'all').map(async (v) => {
          const r = await get<Page>(`/api/v1/tickets${listQuery(v, LIST_LIMIT)}`);
          return [v, { n: r.items.length, more: r.nextCursor !== null }] as const;
        }),
      ]);
      if (mine !== seq.current) return;
      setItems(sortTickets(main.items, sort));
      setHasMore(main.nextCursor !== null);
      setCounts(Object.fromEntries([[view, { n: main.items.length, more: main.nextCursor !== null }], ...others]));
      setError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setError(err);
    }
  }, [listQuery, view, viewsKey, sort]);

  useEffect(() => {
    setItems(null);
    void load();
  }, [load]);

  // Live events arrive in bursts: one reload shortly after, always for the view shown *then*.
  const loadRef = useRef(load);
  loadRef.current = load;
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scheduleRefresh = useCallback(() => {
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => void loadRef.current(), 120);
  }, []);
  useEffect(
    () => () => {
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
    },
    [],
  );

  return { items, hasMore, error, counts, scheduleRefresh };
}

/** The id of the ticket `delta` places from `currentId` in the list (the first or last when none is open). */
export function neighbour(items: readonly TicketSummary[] | null, currentId: string | null, delta: 1 | -1): string | null {
  if (!items || items.length === 0) return null;
  const i = items.findIndex((x) => x.id === currentId);
  const next = i < 0 ? (delta === 1 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, i + delta));
  return items[next]?.id ?? null;
}
