import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useAlerts } from '../hooks/use-alerts';
import { useHubEvents } from '../hooks/use-hub-events';
import { neighbour, useInbox } from '../hooks/use-inbox';
import { useList } from '../hooks/use-list';
import { useNow } from '../hooks/use-now';
import { useOffers } from '../hooks/use-offers';
import { useOpenTicket } from '../hooks/use-open-ticket';
import { usePrefs } from '../hooks/use-prefs';
import { usePresence } from '../hooks/use-presence';
import { useRealtime } from '../hooks/use-realtime';
import { useShortcuts } from '../hooks/use-shortcuts';
import { useTicketSearch } from '../hooks/use-ticket-search';
import { useSelection } from '../hooks/use-selection';
import { useI18n } from '../i18n/index';
import { backToList, navigate, routePath, useRoute, type SettingsPage } from '../router';
import type { CannedResponse, Team, User, View } from '../types';
import { CannedAdmin } from './CannedAdmin';
import { CareAdmin } from './CareAdmin';
import { ValueAdmin } from './ValueAdmin';
import { ContactsDirectory } from './Contacts';
import { ReportsScreen } from './Reports';
import { Inbox } from './Inbox';
import { MailboxesAdmin } from './MailboxesAdmin';
import { LangSwitch } from './LangSwitch';
import { Offers } from './Offers';
import { ProblemMessage } from './ProblemMessage';
import { RulesAdmin } from './RulesAdmin';
import { ShortcutsHelp } from './ShortcutsHelp';
import { SlaAdmin } from './SlaAdmin';
import { TeamsAdmin } from './TeamsAdmin';
import { PhonesAdmin } from './PhonesAdmin';
import { TokensAdmin } from './TokensAdmin';
import { UsersAdmin } from './UsersAdmin';
import { TicketView } from './TicketView';
import { TicketSearchBox, TicketSearchResults } from './TicketSearch';
import { BulkActions } from './BulkActions';
import { Icon } from './Icon';
import { Floor } from './Floor';
import { FloorAlerts } from './FloorAlerts';

export interface ConsoleProps {
  user: User;
  token: string | null;
  onSignOut: () => void;
}

const VIEWS_BY_ROLE: Record<User['role'], View[]> = {
  agent: ['mine', 'unassigned'],
  supervisor: ['mine', 'unassigned', 'all'],
  admin: ['mine', 'unassigned', 'all'],
};
/** The settings area's screens, in the nav's order (admins). */
const SETTINGS_PAGES: readonly SettingsPage[] = ['canned', 'teams', 'users', 'tokens', 'sla', 'rules', 'email', 'phones', 'care', 'value'];

/** The console: the nav, the inbox, the open ticket or a settings screen, offers; the hooks do the work. */
export function Console({ user, token, onSignOut }: ConsoleProps) {
  const { t } = useI18n();
  const route = useRoute();
  const views = VIEWS_BY_ROLE[user.role] ?? ['mine', 'unassigned'];
  const view: View = views.includes(route.view) ? route.view : 'mine';
  // Settings screens are for admins (the API allows only them to change canned responses and teams).
  const settings = user.role === 'admin' ? (route.settings ?? null) : null;
  // The contacts directory (a contact's id, or '' for the list) takes the inbox's place.
  const contacts = settings ? null : (route.contacts ?? null);
  // The live floor (supervisors and admins) takes the inbox's place too.
  const floor = user.role !== 'agent' && !settings && contacts === null && route.floor === true;
  // The Reports screen (everyone: agents see their own figures) takes the inbox's place too.
  const reports = !settings && contacts === null && route.reports === true;
  const ticketId = settings || contacts !== null || floor || reports ? null : route.ticketId;

  const [prefs, setPrefs] = usePrefs();
  const { rt, connected } = useRealtime(token);
  const presence = usePresence(rt, user.id, setPrefs);
  const now = useNow(30_000);
  const [helpOpen, setHelpOpen] = useState(false);
  // Narrow screens: the nav is a menu drawn over the page, closed again by any navigation.
  const [menuOpen, setMenuOpen] = useState(false);
  const here = routePath(route);
  useEffect(() => setMenuOpen(false), [here]);
  const menuClose = useRef<HTMLButtonElement>(null);
  /** The control that opened the menu: focus goes back there when it closes. */
  const menuOpener = useRef<HTMLElement | null>(null);
  const openMenu = (e: { currentTarget: EventTarget | null }) => {
    menuOpener.current = e.currentTarget instanceof HTMLElement ? e.currentTarget : null;
    setMenuOpen(true);
  };
  // A layout effect: focus moves in the same commit that opens or closes the menu, so it is never
  // left on a control that has just been hidden.
  useLayoutEffect(() => {
    if (!menuOpen) return;
    // Focus goes into the menu while it is open.
    const before = menuOpener.current;
    menuClose.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setMenuOpen(false);
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (before?.isConnected) before.focus();
    };
  }, [menuOpen]);
  const [canned, loadCanned] = useList<CannedResponse>('/api/v1/canned-responses');
  const [teams, loadTeams] = useList<Team>('/api/v1/teams');

  const inbox = useInbox(view, views, prefs.filters, prefs.sort);
  const search = useTicketSearch();
  const visibleIds = useMemo(() => (inbox.items ?? []).map((x) => x.id), [inbox.items]);
  const selection = useSelection(visibleIds, view);
  const current = useOpenTicket(view, ticketId, settings, inbox.scheduleRefresh);
  const offers = useOffers(user, (id) => {
    inbox.scheduleRefresh();
    navigate({ view: 'mine', ticketId: id });
  });
  const { notif, enableNotifications, alerts } = useAlerts(prefs.sound);

  useHubEvents(rt, {
    user,
    openTicketId: ticketId,
    items: inbox.items,
    refreshList: inbox.scheduleRefresh,
    ticketChanged: current.reload,
    presenceHeard: presence.heard,
    offered: offers.offered,
    offerExpired: offers.expired,
    offerGone: offers.gone,
    unmiss: offers.unmiss,
    reconnected: () => {
      inbox.scheduleRefresh();
      offers.sync();
    },
    alerts,
  });

  const open = useCallback((id: string | null) => navigate({ view, ticketId: id }), [view]);

  useShortcuts({
    inSettings: settings !== null || contacts !== null || floor || reports,
    ticketOpen: ticketId !== null,
    helpOpen,
    move: (delta) => {
      const id = neighbour(inbox.items, ticketId, delta);
      if (id) open(id);
    },
    resolve: () => void current.resolve(),
    acceptFirstOffer: offers.acceptFirst,
    toggleHelp: () => setHelpOpen((o) => !o),
    closeHelp: () => setHelpOpen(false),
  });

  const countLabel = (v: View) => {
    const c = inbox.counts[v];
    if (!c) return null;
    return <span class="count">{c.more ? `${c.n}+` : c.n}</span>;
  };

  const heading = settings ? t(`nav.${settings}`) : floor ? t('floor.nav') : reports ? t('nav.reports') : t(`nav.${view}`);

  return (
    <div class={`console ${ticketId ? 'has-ticket' : ''} ${settings || contacts !== null || floor || reports ? 'has-settings' : ''} ${menuOpen ? 'menu-open' : ''}`}>
      {/* Narrow screens only (styles.css): one compact bar with the menu, Back from a ticket, where I am and my status. */}
      <header class="mobile-bar" data-testid="mobile-bar">
        {ticketId ? (
          <button type="button" class="bar-btn" data-action="back" aria-label={t('mobile.backToList')} onClick={() => backToList({ view, ticketId: null })}>
            <Icon name="back" size={20} /> <span class="bar-btn-text">{t('mobile.back')}</span>
          </button>
        ) : (
          <button
            type="button"
            class="bar-btn"
            data-action="menu"
            aria-label={t('mobile.menu')}
            aria-expanded={menuOpen}
            aria-controls="console-nav"
            onClick={openMenu}
          >
            <Icon name="menu" size={20} />
          </button>
        )}
        <div class="bar-title">
          {heading}
          {!settings && countLabel(view)}
        </div>
        <button
          type="button"
          class={`bar-presence presence-${prefs.presence} ${connected ? '' : 'conn-down'}`}
          data-testid="bar-presence"
          aria-label={`${t('nav.presence')}: ${t(`presence.${prefs.presence}`)}`}
          title={connected ? t('nav.connected') : t('nav.disconnected')}
          onClick={openMenu}
        >
          <span class="dot" aria-hidden="true" />
          <span class="bar-presence-text">{connected ? t(`presence.${prefs.presence}`) : t('nav.disconnected')}</span>
        </button>
      </header>
      {menuOpen && <div class="nav-backdrop" data-testid="menu-backdrop" onClick={() => setMenuOpen(false)} />}
      <nav class="nav" id="console-nav" aria-label={t('nav.views')}>
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" /> <span class="brand-name">{t('app.name')}</span>
          <button type="button" class="nav-close icon-btn" ref={menuClose} data-action="close-menu" aria-label={t('mobile.closeMenu')} onClick={() => setMenuOpen(false)}>
            <Icon name="close" size={18} />
          </button>
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
                onClick={() => presence.choose(p)}
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
                class={v === view && !settings && contacts === null && !floor && !reports ? 'active' : ''}
                data-view={v}
                aria-current={v === view && !settings && contacts === null && !floor && !reports ? 'page' : undefined}
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
          <li>
            <a
              href="/console/contacts"
              class={contacts !== null ? 'active' : ''}
              data-view="contacts"
              aria-current={contacts !== null ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate({ view, ticketId: null, contacts: '' });
              }}
            >
              <span>{t('nav.contacts')}</span>
            </a>
          </li>
          {user.role !== 'agent' && (
            <li>
              <a
                href="/console/floor"
                class={floor ? 'active' : ''}
                data-view="floor"
                aria-current={floor ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate({ view, ticketId: null, floor: true });
                }}
              >
                <span>{t('floor.nav')}</span>
              </a>
            </li>
          )}
          <li>
            <a
              href="/console/reports"
              class={reports ? 'active' : ''}
              data-view="reports"
              aria-current={reports ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate({ view, ticketId: null, reports: true });
              }}
            >
              <span>{t('nav.reports')}</span>
            </a>
          </li>
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

      {floor ? (
        <main class="main settings-main">
          <Floor rt={rt} onOpenTicket={(id) => navigate({ view: 'all', ticketId: id })} />
        </main>
      ) : reports ? (
        <main class="main settings-main">
          <ReportsScreen user={user} />
        </main>
      ) : contacts !== null ? (
        <main class="main settings-main">
          <ContactsDirectory user={user} contactId={contacts} onOpenTicket={(id) => navigate({ view, ticketId: id })} />
        </main>
      ) : settings === 'canned' ? (
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
      ) : settings === 'email' ? (
        <main class="main settings-main">
          <MailboxesAdmin />
        </main>
      ) : settings === 'phones' ? (
        <main class="main settings-main">
          <PhonesAdmin />
        </main>
      ) : settings === 'care' ? (
        <main class="main settings-main">
          <CareAdmin />
        </main>
      ) : settings === 'value' ? (
        <main class="main settings-main">
          <ValueAdmin />
        </main>
      ) : (
        <>
          <Inbox
            view={view}
            items={inbox.items}
            hasMore={inbox.hasMore}
            error={inbox.error}
            filters={prefs.filters}
            sort={prefs.sort}
            selectedId={ticketId}
            now={now}
            onFilters={(filters) => setPrefs((p) => ({ ...p, filters }))}
            onSort={(sort) => setPrefs((p) => ({ ...p, sort }))}
            onOpen={open}
            searchBox={<TicketSearchBox search={search} />}
            selection={selection}
            bulkBar={<BulkActions user={user} teams={teams} selection={selection} onDone={inbox.scheduleRefresh} />}
            searchResults={
              search.active ? <TicketSearchResults search={search} selectedId={ticketId} hrefOf={(id) => `/console/${view}/tickets/${id}`} onOpen={open} /> : undefined
            }
          />

          <main class="main">
            {current.actionError !== null && <ProblemMessage error={current.actionError} onDismiss={current.dismissError} />}
            {current.notice && current.notice.ticketId === ticketId && (
              <div class="notice info" role="status" data-testid="notice">
                <span>{current.notice.text}</span>
                <button type="button" class="icon-btn" aria-label={t('transfer.dismiss')} onClick={current.dismissNotice}>
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
                reloadKey={current.reloadKey}
                now={now}
                canned={canned}
                teams={teams}
                presence={{ ...presence.colleagues, [user.id]: prefs.presence }}
                onCannedOpen={loadCanned}
                onChanged={inbox.scheduleRefresh}
                onOpenTicket={open}
                onTransferred={current.transferred}
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

      {user.role !== 'agent' && (
        <FloorAlerts
          rt={rt}
          user={user}
          notify={alerts.floor}
          onOpenTicket={(id) => navigate({ view: 'all', ticketId: id })}
          onOpenFloor={() => navigate({ view, ticketId: null, floor: true })}
        />
      )}
      <Offers
        offers={offers.offers}
        missed={offers.missed}
        onAccept={(id) => void offers.accept(id)}
        onDecline={(id) => void offers.decline(id)}
        onDismissMissed={offers.unmiss}
      />
      {helpOpen && <ShortcutsHelp onClose={() => setHelpOpen(false)} />}
    </div>
  );
}
