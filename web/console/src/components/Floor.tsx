import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api';
import { duration, relativeTime, shortTime } from '../format';
import { useI18n, type MsgKey } from '../i18n/index';
import type { Realtime } from '../realtime';
import type { Floor as FloorData, TeamFloor } from '../types';
import { ProblemMessage } from './ProblemMessage';

export interface FloorProps {
  rt: Realtime;
  /** Opens a ticket (the click-through from every list). */
  onOpenTicket(ticketId: string): void;
}

type FloorTicketRef = { ticketId: string; number: number; subject: string };

/**
 * The supervisors' live floor: per team the queues by channel, agents with presence, load and
 * held tickets, offers pending, tickets at SLA risk and breached. Fetched again whenever the hub
 * says a team's floor changed (and on reconnect); wait times count up between fetches.
 */
export function Floor({ rt, onOpenTicket }: FloorProps) {
  const { t, lang } = useI18n();
  const [floor, setFloor] = useState<FloorData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [now, setNow] = useState(() => Date.now());
  const loading = useRef<Promise<void> | null>(null);
  const again = useRef(false);

  const load = useCallback(() => {
    if (loading.current) {
      again.current = true;
      return;
    }
    loading.current = get<FloorData>('/api/v1/stats/floor').then(
      (f) => {
        setFloor(f);
        setError(null);
      },
      (err: unknown) => setError(err),
    );
    void loading.current.finally(() => {
      loading.current = null;
      if (again.current) {
        again.current = false;
        load();
      }
    });
  }, []);

  useEffect(() => {
    load();
    const offFloor = rt.onFloorChanged(() => load());
    const offStatus = rt.onStatus((up) => {
      if (up) load();
    });
    return () => {
      offFloor();
      offStatus();
    };
  }, [rt, load]);

  // Waits grow by the second between fetches.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const num = (n: number) => new Intl.NumberFormat(lang).format(n);
  /** A wait measured at the fetch, plus the time since. */
  const waitOf = (seconds: number) => duration((seconds + Math.max(0, Math.floor((now - Date.parse(floor?.at ?? new Date(now).toISOString())) / 1000))) * 1000, lang);

  const link = (x: FloorTicketRef) => (
    <a
      href={`/console/all/tickets/${x.ticketId}`}
      class="floor-ticket"
      data-ticket-id={x.ticketId}
      onClick={(e) => {
        e.preventDefault();
        onOpenTicket(x.ticketId);
      }}
    >
      #{x.number} {x.subject}
    </a>
  );

  const team = (f: TeamFloor) => {
    const limits = f.alerts;
    return (
      <section key={f.teamId} class="floor-team" data-team-id={f.teamId} aria-label={f.name}>
        <h2>
          {f.name}
          {limits && (
            <span class="muted small floor-limits">
              {' '}
              {t(limits.maxWaiting === null ? 'floor.limitsWait' : limits.maxWaitSeconds === null ? 'floor.limitsWaiting' : 'floor.limits', {
                waiting: limits.maxWaiting === null ? '' : num(limits.maxWaiting),
                wait: limits.maxWaitSeconds === null ? '' : duration(limits.maxWaitSeconds * 1000, lang),
              })}
            </span>
          )}
        </h2>
        <div class="floor-grid">
          <div class="floor-card">
            <h3>{t('floor.queues')}</h3>
            <table class="canned-table floor-queues" data-testid="floor-queues">
              <thead>
                <tr>
                  <th>{t('floor.channel')}</th>
                  <th>{t('floor.waiting')}</th>
                  <th>{t('floor.oldestWait')}</th>
                </tr>
              </thead>
              <tbody>
                {f.queues.map((q) => (
                  <tr key={q.channel} data-channel={q.channel}>
                    <td>{t(`values.channel.${q.channel}` as MsgKey)}</td>
                    <td data-cell="waiting">{num(q.waiting)}</td>
                    <td data-cell="wait">{waitOf(q.oldestWaitSeconds)}</td>
                  </tr>
                ))}
                {f.queues.length === 0 ? (
                  <tr>
                    <td colSpan={3} class="muted">
                      {t('floor.noQueue')}
                    </td>
                  </tr>
                ) : (
                  <tr class="floor-total" data-channel="total">
                    <td>{t('floor.total')}</td>
                    <td data-cell="waiting">{num(f.waiting)}</td>
                    <td data-cell="wait">{f.oldestWaitSeconds === null ? '—' : waitOf(f.oldestWaitSeconds)}</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>

          <div class="floor-card floor-wide">
            <h3>{t('floor.agents')}</h3>
            <table class="canned-table floor-agents" data-testid="floor-agents">
              <thead>
                <tr>
                  <th>{t('floor.agent')}</th>
                  <th>{t('floor.status')}</th>
                  <th>{t('floor.chats')}</th>
                  <th>{t('floor.async')}</th>
                  <th>{t('floor.holding')}</th>
                </tr>
              </thead>
              <tbody>
                {f.agents.map((a) => (
                  <tr key={a.agentId} data-agent-id={a.agentId} data-status={a.status}>
                    <td>{a.name}</td>
                    <td data-cell="status">
                      <span class={`presence-dot presence-${a.status}`}>
                        <span class="dot" aria-hidden="true" /> {t(`presence.${a.status}`)}
                      </span>
                    </td>
                    <td data-cell="chat">
                      <LoadBar used={a.load.chat} limit={a.limits.chat} label={t('floor.loadChat', { used: num(a.load.chat), limit: num(a.limits.chat) })} />
                    </td>
                    <td data-cell="async">
                      <LoadBar used={a.load.async} limit={a.limits.async} label={t('floor.loadAsync', { used: num(a.load.async), limit: num(a.limits.async) })} />
                    </td>
                    <td data-cell="held">
                      {a.tickets.length === 0 ? (
                        <span class="muted">{t('floor.nothingHeld')}</span>
                      ) : (
                        <ul class="floor-list">
                          {a.tickets.map((x) => (
                            <li key={x.ticketId}>{link(x)}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
                {f.agents.length === 0 && (
                  <tr>
                    <td colSpan={5} class="muted">
                      {t('floor.noAgents')}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>

          <div class="floor-card" data-testid="floor-offers">
            <h3>{t('floor.offers')}</h3>
            {f.offers.length === 0 ? (
              <p class="muted">{t('floor.noOffers')}</p>
            ) : (
              <ul class="floor-list">
                {f.offers.map((o) => (
                  <li key={o.ticketId}>
                    {link(o)}
                    <div class="muted small">
                      {t('floor.offeredTo', { name: o.agentName })}
                      {o.expiresAt && ` · ${t('floor.expires', { time: relativeTime(o.expiresAt, lang, now) })}`}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </div>

          <div class="floor-card" data-testid="floor-at-risk">
            <h3>{t('floor.atRisk')}</h3>
            {f.atRisk.length === 0 ? (
              <p class="muted">{t('floor.noAtRisk')}</p>
            ) : (
              <ul class="floor-list">
                {f.atRisk.map((x) => (
                  <li key={x.ticketId}>
                    {link(x)}
                    <div class="muted small">
                      {t(`floor.clock.${x.clock}`)} · {t('floor.due', { time: relativeTime(x.dueAt, lang, now) })}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </div>

          <div class="floor-card floor-breached" data-testid="floor-breached">
            <h3>{t('floor.breached')}</h3>
            {f.breached.length === 0 ? (
              <p class="muted">{t('floor.noBreached')}</p>
            ) : (
              <ul class="floor-list">
                {f.breached.map((x) => (
                  <li key={x.ticketId}>
                    {link(x)}
                    <div class="muted small">
                      {t(`floor.clock.${x.clock}`)} · {t('floor.overdue', { time: shortTime(x.dueAt, lang) })}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      </section>
    );
  };

  return (
    <div class="settings floor" data-testid="floor">
      <header class="settings-head floor-head">
        <h1>{t('floor.title')}</h1>
        {floor && <span class="muted small">{t('floor.updated', { time: shortTime(floor.at, lang) })}</span>}
      </header>
      {error !== null && <ProblemMessage error={error} onDismiss={() => setError(null)} />}
      {!floor ? <p class="muted">{t('floor.loading')}</p> : floor.teams.length === 0 ? <p class="muted">{t('floor.noTeams')}</p> : floor.teams.map(team)}
    </div>
  );
}

/** "2/3 chats" with a bar filled to the share (over the limit: full, marked). */
function LoadBar({ used, limit, label }: { used: number; limit: number; label: string }) {
  const share = limit > 0 ? Math.min(1, used / limit) : used > 0 ? 1 : 0;
  return (
    <div class={`load ${used >= limit && limit > 0 ? 'full' : ''}`} data-used={used} data-limit={limit}>
      <div class="load-bar" role="meter" aria-valuemin={0} aria-valuemax={limit} aria-valuenow={used} aria-label={label}>
        <span style={{ width: `${Math.round(share * 100)}%` }} />
      </div>
      <span class="load-text">{label}</span>
    </div>
  );
}
