import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index';
import type { TicketSummary } from '../types';
import { ChannelBadge, PriorityBadge, TypeBadge } from './Badges';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';

/** A ticket routing offers me: accept (it becomes mine) or decline (it goes to the next agent). */
export interface Offer {
  ticketId: string;
  /** Null when restored after a reload (the hub's state does not carry it). */
  expiresAt: string | null;
  ticket: TicketSummary | null;
  busy: boolean;
  error: unknown;
}

/** An offer I let run out: not a decline, routing offers it to me again after a cool-down. */
export interface MissedOffer {
  ticketId: string;
  ticket: TicketSummary | null;
}

export interface OffersProps {
  offers: Offer[];
  missed?: MissedOffer[];
  onAccept(ticketId: string): void;
  onDecline(ticketId: string): void;
  onDismissMissed?(ticketId: string): void;
}

function Countdown({ until }: { until: string }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.ceil((new Date(until).getTime() - now) / 1000));
  return <span class={`offer-countdown ${seconds <= 10 ? 'urgent' : ''}`}>{t('offer.expiresIn', { seconds })}</span>;
}

export function Offers({ offers, missed = [], onAccept, onDecline, onDismissMissed }: OffersProps) {
  const { t } = useI18n();
  if (offers.length === 0 && missed.length === 0) return null;
  return (
    <div class="offers" role="region" aria-live="assertive" aria-label={t('offer.title')} data-testid="offers">
      {missed.map((m) => (
        <div key={`missed-${m.ticketId}`} class="offer missed" role="status" data-testid="offer-missed" data-ticket-id={m.ticketId}>
          <div class="offer-head">
            <Icon name="clock" /> <strong>{t('offer.missedTitle')}</strong>
          </div>
          <div class="offer-body">
            {m.ticket && (
              <>
                <div class="offer-who">
                  {m.ticket.contact?.name || '—'} <span class="muted">#{m.ticket.number}</span>
                </div>
                <div class="offer-subject">{m.ticket.subject || t('inbox.noSubject')}</div>
              </>
            )}
            <div class="muted small">{t('offer.missedBody')}</div>
          </div>
          {onDismissMissed && (
            <div class="offer-actions">
              <button type="button" class="btn small ghost" onClick={() => onDismissMissed(m.ticketId)} data-action="dismiss">
                {t('offer.dismiss')}
              </button>
            </div>
          )}
        </div>
      ))}
      {offers.map((o) => (
        <div key={o.ticketId} class="offer" data-testid="offer" data-ticket-id={o.ticketId}>
          <div class="offer-head">
            <Icon name="bell" /> <strong>{t('offer.title')}</strong>
            {o.expiresAt && <Countdown until={o.expiresAt} />}
          </div>
          {o.ticket && (
            <div class="offer-body">
              <div class="offer-who">
                {o.ticket.contact?.name || '—'} <span class="muted">#{o.ticket.number}</span>
              </div>
              <div class="offer-subject">{o.ticket.subject || t('inbox.noSubject')}</div>
              <div class="row-badges">
                <TypeBadge type={o.ticket.type} />
                <PriorityBadge priority={o.ticket.priority} />
                <ChannelBadge channel={o.ticket.channel} />
              </div>
            </div>
          )}
          <ProblemMessage error={o.error} />
          <div class="offer-actions">
            <button type="button" class="btn small ghost" disabled={o.busy} onClick={() => onDecline(o.ticketId)} data-action="decline">
              {t('offer.decline')}
            </button>
            <button type="button" class="btn small primary" disabled={o.busy} onClick={() => onAccept(o.ticketId)} data-action="accept">
              <Icon name="check" /> {o.busy ? t('offer.accepting') : t('offer.accept')}
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
