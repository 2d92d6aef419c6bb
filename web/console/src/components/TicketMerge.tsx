import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, post, query } from '../api';
import { useI18n } from '../i18n/index';
import type { Contact, TicketSummary, TimelineEvent } from '../types';
import { ChannelBadge, StatusBadge } from './Badges';
import { Dialog } from './Dialog';
import { PickConfirmFooter, useSubmission } from './Form';
import { Icon } from './Icon';

/** A ticket that can take another one in: not closed, not merged away itself. */
const canTake = (x: TicketSummary) => x.status !== 'closed' && !x.mergedInto;

const matches = (x: TicketSummary, text: string): boolean => {
  const q = text.trim().replace(/^#/, '').toLowerCase();
  return !q || String(x.number).startsWith(q) || x.subject.toLowerCase().includes(q);
};

/**
 * Merge this ticket into another (`POST /api/v1/tickets/:target/merge {sourceTicketId}`): the customer's
 * other tickets first (filtered by number or subject), then what the ticket search finds elsewhere.
 */
export function TicketMergeDialog({ ticket, onClose, onMerged }: { ticket: TicketSummary; onClose(): void; onMerged(target: TicketSummary): void }) {
  const { t } = useI18n();
  const [own, setOwn] = useState<TicketSummary[] | null>(null);
  const [others, setOthers] = useState<TicketSummary[]>([]);
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<TicketSummary | null>(null);
  const [confirming, setConfirming] = useState(false);
  const { busy, error, setError, submit } = useSubmission();

  useEffect(() => {
    get<{ contact: Contact; tickets: TicketSummary[] }>(`/api/v1/contacts/${ticket.contact.id}`).then(
      (r) => setOwn(r.tickets.filter((x) => x.id !== ticket.id && canTake(x))),
      (err: unknown) => {
        setOwn([]);
        setError(err);
      },
    );
  }, [ticket.contact.id, ticket.id, setError]);

  // Beyond the customer's own tickets: what the search finds by number, subject or text.
  const q = text.trim();
  useEffect(() => {
    setOthers([]);
    if (!q) return;
    let live = true;
    const timer = setTimeout(() => {
      get<{ items: TicketSummary[] }>(`/api/v1/tickets${query({ q, limit: 20 })}`).then(
        (r) => live && setOthers(r.items.filter((x) => x.id !== ticket.id && x.contact.id !== ticket.contact.id && canTake(x))),
        () => undefined,
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, ticket.id, ticket.contact.id]);

  const mine = useMemo(() => (own ?? []).filter((x) => matches(x, text)), [own, text]);

  const send = async (e: Event) => {
    e.preventDefault();
    if (!picked || busy) return;
    if (!confirming) {
      setConfirming(true);
      return;
    }
    await submit(async () => onMerged(await post<TicketSummary>(`/api/v1/tickets/${picked.id}/merge`, { sourceTicketId: ticket.id })));
  };

  const row = (x: TicketSummary) => (
    <TicketPickRow key={x.id} ticket={x} group="merge-target" checked={picked?.id === x.id} onPick={() => setPicked(x)}>
      <span class="row-badges">
        <ChannelBadge channel={x.channel} />
        <StatusBadge status={x.status} />
      </span>
    </TicketPickRow>
  );

  return (
    <Dialog labelledBy="ticket-merge-title" onClose={onClose} class="transfer-dialog merge-dialog" testId="ticket-merge-dialog">
      <h2 id="ticket-merge-title">{t('ticketMerge.title', { number: ticket.number })}</h2>
      <form onSubmit={(e) => void send(e)}>
        {!confirming ? (
          <>
            <p class="muted small">{t('ticketMerge.hint')}</p>
            <input
              type="search"
              class="pick-filter"
              name="ticket-search"
              placeholder={t('ticketMerge.filter')}
              aria-label={t('ticketMerge.filter')}
              value={text}
              onInput={(e) => setText(e.currentTarget.value)}
            />
            <h3 class="pick-heading small">{t('ticketMerge.sameCustomer', { name: ticket.contact.name || '—' })}</h3>
            <div class="pick-list" role="radiogroup" aria-label={t('ticketMerge.sameCustomer', { name: ticket.contact.name || '—' })} data-testid="merge-same-contact">
              {own === null && <p class="muted small pick-empty">{t('app.loading')}</p>}
              {own !== null && mine.length === 0 && <p class="muted small pick-empty">{t('ticketMerge.noneOwn')}</p>}
              {mine.map(row)}
            </div>
            {others.length > 0 && (
              <>
                <h3 class="pick-heading small">{t('ticketMerge.otherCustomers')}</h3>
                <p class="muted small">{t('ticketMerge.otherHint')}</p>
                <div class="pick-list" role="radiogroup" aria-label={t('ticketMerge.otherCustomers')} data-testid="merge-other-contacts">
                  {others.map(row)}
                </div>
              </>
            )}
          </>
        ) : (
          picked && (
            <div class="merge-confirm" data-testid="ticket-merge-confirm">
              <p>
                <Icon name="merge" /> {t('ticketMerge.confirm', { source: ticket.number, target: picked.number })}
              </p>
              <p class="muted small">{t('ticketMerge.consequence', { source: ticket.number, target: picked.number })}</p>
            </div>
          )
        )}
        <PickConfirmFooter
          error={error}
          onDismissError={() => setError(null)}
          confirming={confirming}
          onBack={() => {
            setConfirming(false);
            setError(null);
          }}
          onClose={onClose}
          busy={busy}
          canSubmit={picked !== null}
          action="ticket-merge"
          labels={{ back: t('ticketMerge.back'), cancel: t('ticketMerge.cancel'), next: t('ticketMerge.next'), confirm: t('ticketMerge.merge'), working: t('ticketMerge.merging') }}
        />
      </form>
    </Dialog>
  );
}

/** One ticket to pick in a dialog's list (a radio button): its number, subject and customer, and `children` beside them. */
export function TicketPickRow(p: { ticket: TicketSummary; group: string; checked: boolean; onPick(): void; children?: ComponentChildren }) {
  const { t } = useI18n();
  const x = p.ticket;
  return (
    <label class={`pick-row ${p.checked ? 'checked' : ''}`} data-ticket-id={x.id}>
      <input type="radio" name={p.group} value={x.id} checked={p.checked} onChange={p.onPick} />
      <span class="pick-main">
        <span class="pick-name">
          <span class="muted">#{x.number}</span> {x.subject || t('inbox.noSubject')}
        </span>
        <span class="pick-sub muted small">{x.contact.name}</span>
      </span>
      {p.children}
    </label>
  );
}

/** "Merged into #1005": on a ticket merged away, with a link to the one that has its messages now. */
export function MergedInto({ targetId, timeline, onOpenTicket }: { targetId: string; timeline: readonly TimelineEvent[]; onOpenTicket(id: string): void }) {
  const { t } = useI18n();
  const recorded = [...timeline].reverse().find((e) => e.code === 'merged.into' && e.to === targetId)?.params.number;
  const [number, setNumber] = useState<string | null>(recorded ?? null);
  useEffect(() => {
    if (recorded) {
      setNumber(recorded);
      return;
    }
    get<{ ticket: TicketSummary }>(`/api/v1/tickets/${targetId}`).then(
      (r) => setNumber(String(r.ticket.number)),
      () => undefined,
    );
  }, [recorded, targetId]);
  return (
    <div class="notice info merged-into" role="status" data-testid="merged-into">
      <Icon name="merge" />{' '}
      <span>
        {t('ticketMerge.mergedInto')}{' '}
        <a
          href={`/console/mine/tickets/${targetId}`}
          data-action="merged-target"
          onClick={(e) => {
            e.preventDefault();
            onOpenTicket(targetId);
          }}
        >
          {number ? `#${number}` : t('ticketMerge.theOther')}
        </a>
      </span>
    </div>
  );
}
