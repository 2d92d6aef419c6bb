import { useEffect, useState } from 'preact/hooks';
import { get, query } from '../api';
import type { TicketSummary } from '../types';

/** How many matches the search box shows. */
export const SEARCH_LIMIT = 50;

export interface TicketSearch {
  q: string;
  setQ(q: string): void;
  /** null while nothing is searched (the inbox shows) or the first answer is not in yet. */
  results: TicketSummary[] | null;
  hasMore: boolean;
  error: unknown;
  /** The search is on: the box holds text. */
  active: boolean;
}

/** The inbox's search box: `GET /api/v1/tickets?q=` over every ticket the agent may see, shortly after typing stops. */
export function useTicketSearch(): TicketSearch {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<TicketSummary[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const text = q.trim();

  useEffect(() => {
    setResults(null);
    setError(null);
    if (!text) return;
    let live = true;
    const timer = setTimeout(() => {
      get<{ items: TicketSummary[]; nextCursor: string | null }>(`/api/v1/tickets${query({ q: text, sort: '-updatedAt', limit: SEARCH_LIMIT })}`).then(
        (r) => {
          if (!live) return;
          setResults(r.items);
          setHasMore(r.nextCursor !== null);
        },
        (err: unknown) => live && setError(err),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);

  return { q, setQ, results, hasMore, error, active: text.length > 0 };
}
