import { useEffect, useState } from 'preact/hooks';
import type { View } from './types';

/** Screens of the settings area (admins). */
export type SettingsPage = 'users' | 'teams' | 'rules' | 'tokens' | 'sla' | 'canned' | 'phones';

export interface Route {
  view: View;
  ticketId: string | null;
  /** Set when a settings screen is shown instead of the inbox. */
  settings?: SettingsPage | null;
}

const BASE = '/console';
const CHANGE = 'omnihub:navigate';

export function parseRoute(pathname: string): Route {
  const s = /^\/console\/settings\/(users|teams|rules|tokens|sla|canned|phones)\/?$/.exec(pathname);
  if (s) return { view: 'mine', ticketId: null, settings: s[1] as SettingsPage };
  const m = /^\/console\/(mine|unassigned|all)(?:\/tickets\/([A-Za-z0-9_-]+))?\/?$/.exec(pathname);
  if (m) return { view: m[1] as View, ticketId: m[2] ?? null };
  const t = /^\/console\/tickets\/([A-Za-z0-9_-]+)\/?$/.exec(pathname);
  return { view: 'mine', ticketId: t?.[1] ?? null };
}

export const routePath = (r: Route): string =>
  r.settings ? `${BASE}/settings/${r.settings}` : `${BASE}/${r.view}${r.ticketId ? `/tickets/${r.ticketId}` : ''}`;

export function navigate(r: Route, replace = false): void {
  const path = routePath(r);
  if (path === location.pathname) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(CHANGE));
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return route;
}
