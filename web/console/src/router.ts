import { useEffect, useState } from 'preact/hooks';
import type { View } from './types';

/** Screens of the settings area (admins). */
export type SettingsPage = 'users' | 'teams' | 'rules' | 'tokens' | 'sla' | 'canned' | 'email' | 'phones' | 'care' | 'value';

export interface Route {
  view: View;
  ticketId: string | null;
  /** Set when a settings screen is shown instead of the inbox. */
  settings?: SettingsPage | null;
  /** Set when the contacts directory is shown instead of the inbox: a contact's id, or '' for the list. */
  contacts?: string | null;
  /** Set when the supervisors' live floor is shown instead of the inbox. */
  floor?: boolean;
  /** Set when the Reports screen is shown instead of the inbox. */
  reports?: boolean;
}

const BASE = '/console';
const CHANGE = 'omnihub:navigate';

export function parseRoute(pathname: string): Route {
  if (/^\/console\/floor\/?$/.test(pathname)) return { view: 'mine', ticketId: null, floor: true };
  if (/^\/console\/reports\/?$/.test(pathname)) return { view: 'mine', ticketId: null, reports: true };
  const c = /^\/console\/contacts(?:\/([A-Za-z0-9_-]+))?\/?$/.exec(pathname);
  if (c) return { view: 'mine', ticketId: null, contacts: c[1] ?? '' };
  const s = /^\/console\/settings\/(users|teams|rules|tokens|sla|canned|email|phones|care|value)\/?$/.exec(pathname);
  if (s) return { view: 'mine', ticketId: null, settings: s[1] as SettingsPage };
  const m = /^\/console\/(mine|unassigned|all)(?:\/tickets\/([A-Za-z0-9_-]+))?\/?$/.exec(pathname);
  if (m) return { view: m[1] as View, ticketId: m[2] ?? null };
  const t = /^\/console\/tickets\/([A-Za-z0-9_-]+)\/?$/.exec(pathname);
  return { view: 'mine', ticketId: t?.[1] ?? null };
}

export const routePath = (r: Route): string =>
  r.floor
    ? `${BASE}/floor`
    : r.reports
    ? `${BASE}/reports`
    : r.settings
    ? `${BASE}/settings/${r.settings}`
    : typeof r.contacts === 'string'
      ? `${BASE}/contacts${r.contacts ? `/${r.contacts}` : ''}`
      : `${BASE}/${r.view}${r.ticketId ? `/tickets/${r.ticketId}` : ''}`;

export function navigate(r: Route, replace = false): void {
  const path = routePath(r);
  if (path === location.pathname) return;
  // Each entry remembers the console address it was reached from, so a Back control can step back in history.
  const state: NavState = { from: replace ? ((history.state as NavState | null)?.from ?? null) : location.pathname };
  if (replace) history.replaceState(state, '', path);
  else history.pushState(state, '', path);
  window.dispatchEvent(new Event(CHANGE));
}

interface NavState {
  from: string | null;
}

/**
 * Back from a ticket to its list: a history step when the list is the entry this ticket was opened
 * from (so the browser's back and forward keep agreeing), otherwise the list replaces the ticket.
 */
export function backToList(r: Route): void {
  const list = routePath({ view: r.view, ticketId: null });
  if ((history.state as NavState | null)?.from === list) history.back();
  else navigate({ view: r.view, ticketId: null }, true);
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
