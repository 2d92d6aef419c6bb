import { ACTIVE_STATUSES, CHANNELS, PRESENCES, PRIORITIES, STATUSES, TICKET_TYPES, type Filters, type Presence, type Sort } from './types';

/** Per-browser preferences of the console (filters, sort, presence, sound). */
const KEY = 'omnihub.console.prefs';

export interface Prefs {
  filters: Filters;
  sort: Sort;
  presence: Presence;
  sound: boolean;
}

export const DEFAULT_PREFS: Prefs = {
  filters: { status: [...ACTIVE_STATUSES], type: '', priority: '', channel: '' },
  sort: 'newest',
  presence: 'online',
  sound: true,
};

const oneOf = <T extends string>(v: unknown, allowed: readonly T[], fallback: T | ''): T | '' =>
  typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;

export function loadPrefs(): Prefs {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Record<keyof Prefs, unknown>> & { filters?: Partial<Record<keyof Filters, unknown>> };
    const f = raw.filters ?? {};
    const status = Array.isArray(f.status) ? f.status.filter((s): s is Filters['status'][number] => (STATUSES as readonly unknown[]).includes(s)) : DEFAULT_PREFS.filters.status;
    return {
      filters: {
        status,
        type: oneOf(f.type, TICKET_TYPES, ''),
        priority: oneOf(f.priority, PRIORITIES, ''),
        channel: oneOf(f.channel, CHANNELS, ''),
      },
      sort: raw.sort === 'oldest' ? 'oldest' : 'newest',
      presence: (oneOf(raw.presence, PRESENCES, 'online') || 'online') as Presence,
      sound: raw.sound !== false,
    };
  } catch {
    return DEFAULT_PREFS;
  }
}

export function savePrefs(p: Prefs): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(p));
  } catch {
    /* not remembered */
  }
}
