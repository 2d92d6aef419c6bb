import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, patch, post, query } from '../api';
import { useI18n } from '../i18n/index';
import { askNotificationPermission, beep, desktopNotify, notificationState, unlockAudio, type NotificationState } from '../notify';
import { loadPrefs, savePrefs, type Prefs } from '../prefs';
import { connectRealtime, type Realtime } from '../realtime';
import { navigate, useRoute, type SettingsPage } from '../router';
import type { CannedResponse, HubEvent, Presence, Team, TicketSummary, User, View } from '../types';
import { CannedAdmin } from './CannedAdmin';
import { Inbox } from './Inbox';
import { LangSwitch } from './LangSwitch';
import { Offers, type MissedOffer, type Offer } from './Offers';
import { ProblemMessage } from './ProblemMessage';
import { RulesAdmin } from './RulesAdmin';
import { ShortcutsHelp } from './ShortcutsHelp';
import { SlaAdmin } from './SlaAdmin';
import { TeamsAdmin } from './TeamsAdmin';
import { TokensAdmin } from './TokensAdmin';
import { UsersAdmin } from './UsersAdmin';
import { TicketView } from './TicketView';
import { Icon } from './Icon';

export interface ConsoleProps {
  user: User;
  token: string | null;
  onSignOut: () => void;
}

const LIST_LIMIT = 50;
const VIEWS_BY_ROLE: Record<User['role'], View[]> = {
  agent: ['mine', 'unassigned'],
  supervisor: ['mine', 'unassigned', 'all'],
  admin: ['mine', 'unassigned', 'all'],
};
/** The settings area's screens, in the nav's order (admins). */
const SETTINGS_PAGES: readonly SettingsPage[] = ['canned', 'teams', 'users', 'tokens', 'sla', 'rules'];

interface Count {
  n: number;
  more: boolean;
}

const isTyping = (el: EventTarget | null): boolean =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

export function sortTickets(items: TicketSummary[], sort: Prefs['sort']): TicketSummary[] {
  const waitingSince = (t: TicketSummary) => new Date(t.lastCustomerMessageAt ?? t.createdAt).getTime();
  return [...items].sort((a, b) =>
    sort === 'newest' ? new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime() : waitingSince(a) - waitingSince(b),
  );
}

export function Console({ user, token, onSignOut }: ConsoleProps) {
  const { t } = useI18n();
  const route = useRoute();
  const views = VIEWS_BY_ROLE[user.role] ?? ['mine', 'unassigned'];
  const view: View = views.includes(route.view) ? route.view : 'mine';
  const viewsKey = views.join(',');
  // Settings screens are for admins (the API allows only them to change canned responses and teams).
  const settings = user.role === 'admin' ? (route.settings ?? null) : null;
  const ticketId = settings ? null : route.ticketId;

  const [prefs, setPrefs] = useState<Prefs>(loadPrefs);
  const [items, setItems] = useState<TicketSummary[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [listError, setListError] = useState<unknown>(null);
  const [counts, setCounts] = useState<Partial<Record<View, Count>>>({});
  const [connected, setConnected] = useState(false);
  const [notif, setNotif] = useState<NotificationState>(notificationState);
  const [helpOpen, setHelpOpen] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [canned, setCanned] = useState<CannedResponse[]>([]);
  const [now, setNow] = useState(Date.now());
  const [offers, setOffers] = useState<Offer[]>([]);
  /** Offers I let run out (routing offers them to me again after a cool-down). */
  const [missed, setMissed] = useState<MissedOffer[]>([]);
  const [teams, setTeams] = useState<Team[]>([]);
  /** Colleagues' presence, as heard from agent.presence events since the console loaded. */
  const [colleagues, setColleagues] = useState<Record<string, Presence>>({});
  /** What just happened (a transfer), shown while the screen it belongs to is. */
  const [notice, setNotice] = useState<{ text: string; ticketId: string | null } | null>(null);

  const rt: Realtime = useMemo(() => connectRealtime(token), [token]);
  useEffect(() => () => rt.close(), [rt]);
  useEffect(() => rt.onStatus(setConnected), [rt]);
  useEffect(() => rt.onPresence((presence) => setPrefs((p) => (p.presence === presence ? p : { ...p, presence }))), [rt]);

  useEffect(() => savePrefs(prefs), [prefs]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  // Browsers only play sound after a gesture: the first click or key unlocks it.
  useEffect(() => {
    const unlock = () => unlockAudio();
    window.addEventListener('pointerdown', unlock);
    window.addEventListener('keydown', unlock);
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, []);

  // ---------- the inbox list ----------
  const listQuery = useCallback(
    (v: View, limit: number) =>
      query({
        view: v,
        status: prefs.filters.status.join(','),
        type: prefs.filters.type,
        priority: prefs.filters.priority,
        channel: prefs.filters.channel,
        sort: prefs.sort === 'newest' ? '-createdAt' : 'createdAt',
        limit,
      }),
    [prefs.filters, prefs.sort],
  );

  const seq = useRef(0);
  const loadList = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const [main, ...others] = await Promise.all([
        get<{ items: TicketSummary[]; nextCursor: string | null }>(`/api/v1/tickets${listQuery(view, LIST_LIMIT)}`),
        ...(viewsKey.split(',') as View[]).filter((v) => v !== view && v !== 'all').map(async (v) => {
          const r = await get<{ items: TicketSummary[]; nextCursor: string | null }>(`/api/v1/tickets${listQuery(v, LIST_LIMIT)}`);
          return [v, { n: r.items.length, more: r.nextCursor !== null }] as const;
        }),
      ]);
      if (mine !== seq.current) return;
      setItems(sortTickets(main.items, prefs.sort));
      setHasMore(main.nextCursor !== null);
      setCounts(Object.fromEntries([[view, { n: main.items.length, more: main.nextCursor !== null }], ...others]));
      setListError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setListError(err);
    }
  }, [listQuery, view, viewsKey, prefs.sort]);

  useEffect(() => {
    setItems(null);
    void loadList();
  }, [loadList]);

  // Live events arrive in bursts: one reload shortly after, always for the view shown *then*.
  const loadListRef = useRef(loadList);
  loadListRef.current = loadList;
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scheduleRefresh = useCallback(() => {
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => void loadListRef.current(), 120);
  }, []);
  useEffect(
    () => () => {
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
    },
    [],
  );

  const loadCanned = useCallback(() => {
    get<{ items: CannedResponse[] }>('/api/v1/canned-responses').then(
      (r) => setCanned(r.items),
      () => undefined,
    );
  }, []);
  useEffect(loadCanned, [loadCanned]);

  const loadTeams = useCallback(() => {
    get<{ items: Team[] }>('/api/v1/teams').then(
      (r) => setTeams(r.items),
      () => undefined,
    );
  }, []);
  useEffect(loadTeams, [loadTeams]);

  // Opening another ticket or screen retires it.
  useEffect(() => setNotice((n) => (n && (n.ticketId !== ticketId || settings) ? null : n)), [ticketId, settings]);
  const onTransferred = useCallback(
    (text: string, leave: boolean) => {
      setNotice({ text, ticketId: leave ? null : ticketRef.current });
      if (leave) navigate({ view, ticketId: null });
    },
    [view],
  );

  // ---------- offers (routing proposes a ticket; I accept or decline) ----------
  const updateOffer = useCallback((ticketId: string, change: Partial<Offer>) => {
    setOffers((list) => list.map((o) => (o.ticketId === ticketId ? { ...o, ...change } : o)));
  }, []);
  const removeOffer = useCallback((ticketId: string) => setOffers((list) => list.filter((o) => o.ticketId !== ticketId)), []);
  const addOffer = useCallback(
    (ticketId: string, expiresAt: string | null) => {
      setOffers((list) =>
        list.some((o) => o.ticketId === ticketId)
          ? list.map((o) => (o.ticketId === ticketId && expiresAt ? { ...o, expiresAt } : o))
          : [...list, { ticketId, expiresAt, ticket: null, busy: false, error: null }],
      );
      get<{ ticket: TicketSummary }>(`/api/v1/tickets/${ticketId}`).then(
        (d) => updateOffer(ticketId, { ticket: d.ticket }),
        () => undefined,
      );
    },
    [updateOffer],
  );
  /** The hub's view of my offers (after a reload or a reconnect). */
  const syncOffers = useCallback(() => {
    if (user.role !== 'agent' && user.teams.length === 0) return;
    get<{ offers?: string[] }>('/api/v1/me/routing').then(
      (r) => {
        const ids = Array.isArray(r.offers) ? r.offers : [];
        setOffers((list) => list.filter((o) => ids.includes(o.ticketId) || o.busy));
        for (const id of ids) addOffer(id, null);
      },
      () => undefined,
    );
  }, [addOffer, user.role, user.teams.length]);
  useEffect(syncOffers, [syncOffers]);

  const acceptOffer = async (ticketId: string) => {
    updateOffer(ticketId, { busy: true, error: null });
    try {
      await post(`/api/v1/tickets/${ticketId}/accept`);
      removeOffer(ticketId);
      scheduleRefresh();
      navigate({ view: 'mine', ticketId });
    } catch (err) {
      updateOffer(ticketId, { busy: false, error: err });
      setTimeout(syncOffers, 3000);
    }
  };
  const declineOffer = async (ticketId: string) => {
    updateOffer(ticketId, { busy: true, error: null });
    try {
      await post(`/api/v1/tickets/${ticketId}/decline`);
      removeOffer(ticketId);
    } catch (err) {
      updateOffer(ticketId, { busy: false, error: err });
      setTimeout(syncOffers, 3000);
    }
  };
  const unmiss = useCallback((ticketId: string) => setMissed((list) => list.filter((m) => m.ticketId !== ticketId)), []);
  /** My offer ran out: the card says so instead of vanishing. */
  const offerMissed = useCallback(
    (ticketId: string) => {
      const ticket = offersRef.current.find((o) => o.ticketId === ticketId)?.ticket ?? null;
      setMissed((list) => [...list.filter((m) => m.ticketId !== ticketId), { ticketId, ticket }]);
      removeOffer(ticketId);
      if (!ticket) {
        get<{ ticket: TicketSummary }>(`/api/v1/tickets/${ticketId}`).then(
          (d) => setMissed((list) => list.map((m) => (m.ticketId === ticketId ? { ...m, ticket: d.ticket } : m))),
          () => undefined,
        );
      }
    },
    [removeOffer],
  );
  const acceptRef = useRef(acceptOffer);
  acceptRef.current = acceptOffer;
  const offersRef = useRef(offers);
  offersRef.current = offers;

  // ---------- live updates and alerts ----------
  const ticketRef = useRef<string | null>(ticketId);
  ticketRef.current = ticketId;
  const itemsRef = useRef<TicketSummary[] | null>(items);
  itemsRef.current = items;
  const prefsRef = useRef(prefs);
  prefsRef.current = prefs;

  const alert = useCallback((title: string, body: string, tag: string, open?: string) => {
    if (prefsRef.current.sound) beep();
    desktopNotify(title, body, tag, open ? () => navigate({ view: 'mine', ticketId: open }) : undefined);
  }, []);

  useEffect(
    () =>
      rt.on((name: string, ev: HubEvent) => {
        if (/^(ticket|message|routing|sla)\./.test(name)) scheduleRefresh();
        if (ev.ticketId && ev.ticketId === ticketRef.current && name !== 'agent.presence') setReloadKey((k) => k + 1);
        if (name === 'agent.presence' && ev.agentId && (ev.status === 'online' || ev.status === 'away' || ev.status === 'offline')) {
          const status = ev.status;
          const agentId = ev.agentId;
          setColleagues((cur) => (cur[agentId] === status ? cur : { ...cur, [agentId]: status }));
        }
        if (name === 'agent.presence' && ev.agentId === user.id && typeof ev.status === 'string') {
          const status = ev.status as Presence;
          setPrefs((p) => (p.presence === status ? p : { ...p, presence: status }));
        }
        if (name === 'routing.offered' && ev.agentId === user.id && ev.ticketId) {
          unmiss(ev.ticketId);
          addOffer(ev.ticketId, typeof ev.expiresAt === 'string' ? ev.expiresAt : null);
        }
        if (name === 'routing.offer_expired' && ev.agentId === user.id && ev.ticketId) offerMissed(ev.ticketId);
        if (name === 'routing.offer_declined' && ev.agentId === user.id && ev.ticketId) removeOffer(ev.ticketId);
        if ((name === 'routing.assigned' || name === 'routing.released') && ev.ticketId) unmiss(ev.ticketId);
        if ((name === 'routing.assigned' || name === 'routing.queued' || name === 'routing.released') && ev.ticketId && ev.agentId !== user.id) removeOffer(ev.ticketId);
        if (name === 'routing.assigned' && ev.agentId === user.id && ev.ticketId) removeOffer(ev.ticketId);
        // New work: a new ticket in my teams, a ticket routed to me, a customer writing on my ticket.
        if (name === 'ticket.created' && (user.role !== 'agent' || !ev.teamId || user.teams.includes(ev.teamId))) {
          alert(
            t('notify.newTicket', { number: ev.number ?? '' }),
            t('notify.newTicketBody', {
              type: ev.ticketType ? t(`values.type.${ev.ticketType}`) : '',
              channel: ev.channel ? t(`values.channel.${ev.channel}`) : '',
            }),
            `ticket-${ev.ticketId ?? ''}`,
            ev.ticketId,
          );
        } else if ((name === 'routing.assigned' || name === 'routing.offered') && ev.agentId === user.id) {
          alert(t('notify.assigned'), '', `assigned-${ev.ticketId ?? ''}`, ev.ticketId);
        } else if (name === 'routing.needs_attention' && user.role !== 'agent' && ev.ticketId) {
          // Nobody in the team will take it: supervisors are alerted.
          const id = ev.ticketId;
          get<{ ticket: TicketSummary }>(`/api/v1/tickets/${id}`).then(
            (d) => alert(t('notify.needsAttention', { number: d.ticket.number }), t('notify.needsAttentionBody'), `attention-${id}`, id),
            () => undefined,
          );
        } else if (name === 'message.created' && ev.direction === 'inbound') {
          const mineTicket = itemsRef.current?.find((x) => x.id === ev.ticketId && x.assignee?.id === user.id);
          if (mineTicket && (ev.ticketId !== ticketRef.current || document.hidden)) {
            alert(t('notify.newMessage', { number: mineTicket.number }), mineTicket.subject, `msg-${mineTicket.id}`, mineTicket.id);
          }
        }
      }),
    [rt, scheduleRefresh, alert, t, user, addOffer, removeOffer, offerMissed, unmiss],
  );
  // After a reconnect, whatever happened meanwhile is fetched again.
  useEffect(
    () =>
      rt.onStatus((up) => {
        if (!up) return;
        scheduleRefresh();
        syncOffers();
      }),
    [rt, scheduleRefresh, syncOffers],
  );

  // ---------- actions ----------
  const setPresence = (presence: Presence) => {
    setPrefs((p) => ({ ...p, presence }));
    rt.presence(presence);
  };

  const open = useCallback((id: string | null) => navigate({ view, ticketId: id }), [view]);

  const move = useCallback(
    (delta: 1 | -1) => {
      const list = itemsRef.current;
      if (!list || list.length === 0) return;
      const i = list.findIndex((x) => x.id === ticketRef.current);
      const next = i < 0 ? (delta === 1 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, i + delta));
      const target = list[next];
      if (target) open(target.id);
    },
    [open],
  );

  const resolveCurrent = useCallback(async () => {
    const id = ticketRef.current;
    if (!id) return;
    try {
      await patch(`/api/v1/tickets/${id}`, { status: 'resolved' });
      setActionError(null);
      setReloadKey((k) => k + 1);
      scheduleRefresh();
    } catch (err) {
      setActionError(err);
    }
  }, [scheduleRefresh]);

  // ---------- keyboard ----------
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.shiftKey && (e.key === 'R' || e.key === 'r')) {
        e.preventDefault();
        void resolveCurrent();
        return;
      }
      if (e.altKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp') && !settingsRef.current) {
        e.preventDefault();
        move(e.key === 'ArrowDown' ? 1 : -1);
        return;
      }
      if (e.key === 'Escape' && helpOpen) {
        setHelpOpen(false);
        return;
      }
      if (isTyping(e.target) || mod || e.altKey) return;
      if (settingsRef.current && (e.key === 'j' || e.key === 'k')) return;
      if (e.key === 'j') move(1);
      else if (e.key === 'k') move(-1);
      else if (e.key === '?') setHelpOpen((o) => !o);
      else if (e.key === 'a' && offersRef.current[0] && !offersRef.current[0].busy) void acceptRef.current(offersRef.current[0].ticketId);
      else if (e.key === 'r' && ticketRef.current) {
        const box = document.querySelector<HTMLTextAreaElement>('textarea[data-composer]');
        if (box) {
          e.preventDefault();
          box.focus();
        }
      } else return;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [move, resolveCurrent, helpOpen]);

  const enableNotifications = async () => {
    unlockAudio();
    setNotif(await askNotificationPermission());
  };

  const countLabel = (v: View) => {
    const c = counts[v];
    if (!c) return null;
    return <span class="count">{c.more ? `${c.n}+` : c.n}</span>;
  };

  return (
    <div class={`console ${ticketId ? 'has-ticket' : ''} ${settings ? 'has-settings' : ''}`}>
      <nav class="nav" aria-label={t('nav.views')}>
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" /> <span class="brand-name">{t('app.name')}</span>
        </div>
        <div class="me">
          <div class="me-name">{user.name}</div>
          <div class="me-role">{t(`values.role.${user.role}`)}</div>
        </div>
        <div class="presence" role="group" aria-label={t('nav.presence')}>
          <div class="nav-label">{t('nav.presence')}</div>
          <div class="presence-switch" data-testid="presence">
            {(['online', 'away', 'offline'] as const).map((p) => (
              <button
                key={p}
                type="button"
                class={`presence-btn presence-${p} ${prefs.presence === p ? 'active' : ''}`}
                aria-pressed={prefs.presence === p}
                onClick={() => setPresence(p)}
              >
                <span class="dot" aria-hidden="true" />
                {t(`presence.${p}`)}
              </button>
            ))}
          </div>
        </div>
        <div class="nav-label">{t('nav.views')}</div>
        <ul class="views">
          {views.map((v) => (
            <li key={v}>
              <a
                href={`/console/${v}`}
                class={v === view && !settings ? 'active' : ''}
                data-view={v}
                aria-current={v === view && !settings ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate({ view: v, ticketId: null });
                }}
              >
                <span>{t(`nav.${v}`)}</span>
                {countLabel(v)}
              </a>
            </li>
          ))}
        </ul>
        {user.role === 'admin' && (
          <>
            <div class="nav-label">{t('nav.settings')}</div>
            <ul class="views">
              {SETTINGS_PAGES.map((page) => (
                <li key={page}>
                  <a
                    href={`/console/settings/${page}`}
                    class={settings === page ? 'active' : ''}
                    data-nav={page}
                    aria-current={settings === page ? 'page' : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate({ view, ticketId: null, settings: page });
                    }}
                  >
                    <span>{t(`nav.${page}`)}</span>
                  </a>
                </li>
              ))}
            </ul>
          </>
        )}
        <div class="nav-bottom">
          <div class={`conn ${connected ? 'up' : 'down'}`} data-testid="connection">
            <span class="dot" aria-hidden="true" /> {connected ? t('nav.connected') : t('nav.disconnected')}
          </div>
          <button type="button" class="nav-btn" aria-pressed={prefs.sound} onClick={() => setPrefs((p) => ({ ...p, sound: !p.sound }))}>
            <Icon name={prefs.sound ? 'bell' : 'bellOff'} />{' '}
            {prefs.sound ? t('nav.soundOn') : t('nav.soundOff')}
          </button>
          {notif === 'default' && (
            <button type="button" class="nav-btn" onClick={() => void enableNotifications()}>
              <Icon name="monitor" /> {t('nav.enableNotifications')}
            </button>
          )}
          {notif === 'granted' && <div class="nav-note">
              <Icon name="monitor" /> {t('nav.notificationsOn')}
            </div>}
          {notif === 'denied' && <div class="nav-note">{t('nav.notificationsBlocked')}</div>}
          <button type="button" class="nav-btn" onClick={() => setHelpOpen(true)}>
            <Icon name="keyboard" /> {t('nav.shortcuts')} <kbd>?</kbd>
          </button>
          <LangSwitch />
          <button type="button" class="nav-btn signout" onClick={onSignOut}>
            <Icon name="logout" /> {t('nav.signOut')}
          </button>
        </div>
      </nav>

      {settings === 'canned' ? (
        <main class="main settings-main">
          <CannedAdmin onChanged={loadCanned} />
        </main>
      ) : settings === 'teams' ? (
        <main class="main settings-main">
          <TeamsAdmin onChanged={loadTeams} />
        </main>
      ) : settings === 'users' ? (
        <main class="main settings-main">
          <UsersAdmin meId={user.id} />
        </main>
      ) : settings === 'tokens' ? (
        <main class="main settings-main">
          <TokensAdmin />
        </main>
      ) : settings === 'sla' ? (
        <main class="main settings-main">
          <SlaAdmin />
        </main>
      ) : settings === 'rules' ? (
        <main class="main settings-main">
          <RulesAdmin />
        </main>
      ) : (
        <>
          <Inbox
            view={view}
            items={items}
            hasMore={hasMore}
            error={listError}
            filters={prefs.filters}
            sort={prefs.sort}
            selectedId={ticketId}
            now={now}
            onFilters={(filters) => setPrefs((p) => ({ ...p, filters }))}
            onSort={(sort) => setPrefs((p) => ({ ...p, sort }))}
            onOpen={open}
          />

          <main class="main">
            {actionError !== null && <ProblemMessage error={actionError} onDismiss={() => setActionError(null)} />}
            {notice && notice.ticketId === ticketId && (
              <div class="notice info" role="status" data-testid="notice">
                <span>{notice.text}</span>
                <button type="button" class="icon-btn" aria-label={t('transfer.dismiss')} onClick={() => setNotice(null)}>
                  ×
                </button>
              </div>
            )}
            {ticketId ? (
              <TicketView
                key={ticketId}
                ticketId={ticketId}
                user={user}
                rt={rt}
                reloadKey={reloadKey}
                now={now}
                canned={canned}
                teams={teams}
                presence={{ ...colleagues, [user.id]: prefs.presence }}
                onCannedOpen={loadCanned}
                onChanged={scheduleRefresh}
                onOpenTicket={open}
                onTransferred={onTransferred}
              />
            ) : (
              <div class="empty-main">
                <div class="empty-icon">
                  <Icon name="inbox" size={44} />
                </div>
                <h2>{t('ticket.none')}</h2>
                <p class="muted">{t('ticket.noneHint')}</p>
              </div>
            )}
          </main>
        </>
      )}

      <Offers offers={offers} missed={missed} onAccept={(id) => void acceptOffer(id)} onDecline={(id) => void declineOffer(id)} onDismissMissed={unmiss} />
      {helpOpen && <ShortcutsHelp onClose={() => setHelpOpen(false)} />}
    </div>
  );
}
