import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, put, query } from '../api';
import { useI18n } from '../i18n/index';
import type { TicketSummary } from '../types';
import { ChannelBadge } from './Badges';
import { Dialog } from './Dialog';
import { FilterInput, FormFooter, useSubmission } from './Form';
import { ProblemMessage } from './ProblemMessage';
import { TicketPickRow } from './TicketMerge';

interface Links {
  original: TicketSummary | null;
  duplicates: TicketSummary[];
  total: number;
}

/** A suggestion that can be the original of another: not itself a duplicate, not shipped or declined. */
const canBeOriginal = (x: TicketSummary, self: TicketSummary) =>
  x.id !== self.id && x.type === 'suggestion' && !x.suggestion?.duplicateOf && x.suggestion?.stage !== 'shipped' && x.suggestion?.stage !== 'declined' && !x.mergedInto;

function TicketLink({ ticket, onOpen }: { ticket: TicketSummary; onOpen(id: string): void }) {
  const { t } = useI18n();
  return (
    <a
      href={`/console/mine/tickets/${ticket.id}`}
      data-ticket-id={ticket.id}
      onClick={(e) => {
        e.preventDefault();
        onOpen(ticket.id);
      }}
    >
      #{ticket.number} {ticket.subject || t('inbox.noSubject')}
    </a>
  );
}

/**
 * Duplicate suggestions (`/suggestion/duplicates`, `/suggestion/duplicate-of`): on a duplicate, its
 * original with Unlink; on an original, the suggestions linked to it (each customer is told when it
 * ships); on a suggestion without links, "Mark as duplicate of…".
 */
export function SuggestionLinks(p: { ticket: TicketSummary; onChanged(t: TicketSummary): void; onOpenTicket(id: string): void }) {
  const { t } = useI18n();
  /** The links, with the original they were read for (a change elsewhere is not shown with stale links). */
  const [loaded, setLoaded] = useState<{ links: Links; for: string | null } | null>(null);
  const [picking, setPicking] = useState(false);
  const { busy, error, setError, submit } = useSubmission();
  const duplicateOf = p.ticket.suggestion?.duplicateOf ?? null;

  const load = useCallback(() => {
    const asked = duplicateOf;
    get<Links>(`/api/v1/tickets/${p.ticket.id}/suggestion/duplicates`).then(
      (links) => setLoaded({ links, for: asked }),
      (err: unknown) => setError(err),
    );
  }, [p.ticket.id, duplicateOf, setError]);
  // Again whenever the ticket's link changes (here or by a colleague).
  useEffect(load, [load, p.ticket.suggestion?.stage]);

  const link = (of: string | null) =>
    submit(async () => {
      const updated = await put<TicketSummary>(`/api/v1/tickets/${p.ticket.id}/suggestion/duplicate-of`, { of });
      setPicking(false);
      // The new link changes `duplicateOf`, which reads the links again.
      p.onChanged(updated);
    });

  const links = loaded?.links ?? null;
  if (!links) return error !== null ? <ProblemMessage error={error} onDismiss={() => setError(null)} /> : null;
  // Linked just now (or by a colleague) and the links not read again yet: no "cannot see" in the meantime.
  const stale = loaded?.for !== duplicateOf;
  return (
    <div class="suggestion-links" data-testid="suggestion-links">
      {duplicateOf ? (
        <p data-testid="suggestion-original">
          {t('suggestionLinks.duplicateOf')} {links.original ? <TicketLink ticket={links.original} onOpen={p.onOpenTicket} /> : stale ? <span class="muted">…</span> : <span class="muted">{t('suggestionLinks.hiddenOriginal')}</span>}{' '}
          <button type="button" class="btn small ghost" disabled={busy} data-action="suggestion-unlink" onClick={() => void link(null)}>
            {t('suggestionLinks.unlink')}
          </button>
        </p>
      ) : (
        <>
          {links.total > 0 && (
            <div data-testid="suggestion-duplicates">
              <p class="control-label">{t('suggestionLinks.others', { count: links.total })}</p>
              <ul class="plain-list">
                {links.duplicates.map((d) => (
                  <li key={d.id}>
                    <TicketLink ticket={d} onOpen={p.onOpenTicket} /> <span class="muted small">{d.contact.name}</span> <ChannelBadge channel={d.channel} />
                  </li>
                ))}
              </ul>
              {links.duplicates.length < links.total && <p class="muted small">{t('suggestionLinks.notShown', { count: links.total - links.duplicates.length })}</p>}
            </div>
          )}
          {links.total === 0 && p.ticket.suggestion?.stage !== 'shipped' && (
            <button type="button" class="btn small" data-action="suggestion-link" onClick={() => setPicking(true)}>
              {t('suggestionLinks.markDuplicate')}
            </button>
          )}
        </>
      )}
      {!picking && error !== null && <ProblemMessage error={error} onDismiss={() => setError(null)} />}
      {picking && <PickOriginal ticket={p.ticket} busy={busy} error={error} onDismissError={() => setError(null)} onClose={() => setPicking(false)} onPick={(id) => void link(id)} />}
    </div>
  );
}

/** Finds the original among the open suggestions (by number or words), then links to it. */
function PickOriginal(p: { ticket: TicketSummary; busy: boolean; error: unknown; onDismissError(): void; onClose(): void; onPick(id: string): void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [found, setFound] = useState<TicketSummary[] | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const q = text.trim().replace(/^#/, '');

  useEffect(() => {
    let live = true;
    const timer = setTimeout(
      () => {
        get<{ items: TicketSummary[] }>(`/api/v1/tickets${query({ view: 'all', type: 'suggestion', q: q || undefined, limit: 20 })}`).then(
          (r) => live && setFound(r.items.filter((x) => canBeOriginal(x, p.ticket))),
          () => live && setFound([]),
        );
      },
      q ? 250 : 0,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, p.ticket]);

  return (
    <Dialog labelledBy="suggestion-link-title" onClose={p.onClose} class="transfer-dialog" testId="suggestion-link-dialog">
      <h2 id="suggestion-link-title">{t('suggestionLinks.title', { number: p.ticket.number })}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (picked) p.onPick(picked);
        }}
      >
        <p class="muted small">{t('suggestionLinks.hint')}</p>
        <FilterInput label={t('suggestionLinks.filter')} value={text} onChange={setText} />
        <div class="pick-list" role="radiogroup" aria-label={t('suggestionLinks.title', { number: p.ticket.number })}>
          {found === null && <p class="muted small pick-empty">{t('app.loading')}</p>}
          {found?.length === 0 && <p class="muted small pick-empty">{t('suggestionLinks.none')}</p>}
          {found?.map((x) => <TicketPickRow key={x.id} ticket={x} group="original" checked={picked === x.id} onPick={() => setPicked(x.id)} />)}
        </div>
        <FormFooter error={p.error} onDismissError={p.onDismissError} cancelLabel={t('suggestionLinks.cancel')} onCancel={p.onClose} submitDisabled={!picked || p.busy} submitAction="suggestion-link-confirm">
          {t('suggestionLinks.link')}
        </FormFooter>
      </form>
    </Dialog>
  );
}
