import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { duration } from '../format';
import { useI18n } from '../i18n/index';
import type { Realtime } from '../realtime';
import type { HubEvent, TicketSummary, User } from '../types';
import { useLatest } from '../hooks/use-latest';

export interface FloorAlert {
  /** One alert per crossing / breach: the same key never shows twice. */
  key: string;
  title: string;
  body: string;
  /** Where "Open" goes: a ticket, or the floor. */
  ticketId: string | null;
}

export interface FloorAlertsProps {
  rt: Realtime;
  user: User;
  /** Beep and desktop notification, as for new work (use-alerts.ts). */
  notify(title: string, body: string, tag: string, ticketId: string | null): void;
  onOpenTicket(ticketId: string): void;
  onOpenFloor(): void;
}

/**
 * Supervisors' and admins' alerts: a queue over its team's limit (`floor.alert`) or an SLA
 * breach (`sla.breached`) shows as a banner with a link, with the new-work sound and desktop
 * notification. Each crossing and each breach once (the hub sends one event per crossing).
 */
export function FloorAlerts({ rt, user, notify, onOpenTicket, onOpenFloor }: FloorAlertsProps) {
  const { t, lang } = useI18n();
  const [shown, setShown] = useState<FloorAlert[]>([]);
  const latest = useLatest({ t, lang, notify, user });

  useEffect(() => {
    const seen = new Set<string>();
    const raise = (a: FloorAlert) => {
      if (seen.has(a.key)) return;
      seen.add(a.key);
      setShown((list) => [a, ...list].slice(0, 5));
      latest.current.notify(a.title, a.body, a.key, a.ticketId);
    };
    return rt.on((ev: HubEvent) => {
      const { t: tr, lang: lg, user: me } = latest.current;
      if (me.role === 'agent') return;
      const mine = (teamId: string | null) => me.role === 'admin' || (teamId !== null && me.teams.includes(teamId));
      if (ev.type === 'floor.alert' && mine(ev.teamId)) {
        const title =
          ev.reason === 'waiting'
            ? tr('floor.alertWaiting', { team: ev.teamName, waiting: new Intl.NumberFormat(lg).format(ev.waiting), limit: new Intl.NumberFormat(lg).format(ev.limit) })
            : tr('floor.alertWait', { team: ev.teamName, wait: duration((ev.oldestWaitSeconds ?? 0) * 1000, lg), limit: duration(ev.limit * 1000, lg) });
        raise({ key: `floor-${ev.id ?? `${ev.teamId}-${ev.reason}-${ev.at}`}`, title, body: '', ticketId: null });
      }
      if (ev.type === 'sla.breached' && mine(ev.teamId)) {
        const key = `breach-${ev.ticketId}-${ev.clock}`;
        if (seen.has(key)) return;
        get<{ ticket: TicketSummary }>(`/api/v1/tickets/${ev.ticketId}`).then(
          (d) =>
            raise({
              key,
              title: tr('floor.alertBreach', { number: d.ticket.number, subject: d.ticket.subject }),
              body: tr('floor.alertBreachClock', { clock: tr(`floor.clock.${ev.clock}`) }),
              ticketId: ev.ticketId,
            }),
          () => undefined,
        );
      }
    });
  }, [rt, latest]);

  if (shown.length === 0) return null;
  return (
    <div class="floor-alerts" role="alert" aria-label={t('floor.alertsLabel')} data-testid="floor-alerts">
      {shown.map((a) => (
        <div key={a.key} class="notice warn floor-alert" data-alert={a.key}>
          <span>
            <strong>{a.title}</strong>
            {a.body && <span class="muted"> · {a.body}</span>}
          </span>
          <button
            type="button"
            class="btn small"
            data-action="alert-open"
            onClick={() => {
              if (a.ticketId) onOpenTicket(a.ticketId);
              else onOpenFloor();
            }}
          >
            {t('floor.alertOpen')}
          </button>
          <button type="button" class="icon-btn" aria-label={t('floor.alertDismiss')} onClick={() => setShown((list) => list.filter((x) => x.key !== a.key))}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
