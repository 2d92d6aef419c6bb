import { useI18n } from '../i18n/index';
import type { TicketSearch } from '../hooks/use-ticket-search';
import { ChannelBadge, StatusBadge, TypeBadge } from './Badges';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';

/** The search box over the inbox (`/` focuses it, Esc or × clears it and the inbox is back). */
export function TicketSearchBox({ search }: { search: TicketSearch }) {
  const { t } = useI18n();
  return (
    <div class="ticket-search" role="search">
      <Icon name="search" size={14} />
      <input
        type="search"
        data-search="tickets"
        data-shortcut-search
        placeholder={t('search.placeholder')}
        aria-label={t('search.label')}
        aria-keyshortcuts="/"
        value={search.q}
        onInput={(e) => search.setQ(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && search.q) {
            e.preventDefault();
            search.setQ('');
          }
        }}
      />
      {search.q && (
        <button type="button" class="icon-btn" data-action="search-clear" aria-label={t('search.clear')} onClick={() => search.setQ('')}>
          ×
        </button>
      )}
    </div>
  );
}

/** What the search found, in place of the inbox's list. */
export function TicketSearchResults({ search, selectedId, hrefOf, onOpen }: { search: TicketSearch; selectedId: string | null; hrefOf(id: string): string; onOpen(id: string): void }) {
  const { t } = useI18n();
  const r = search.results;
  return (
    <div class="search-results" data-testid="search-results">
      <div class="search-summary muted small" data-testid="search-summary">
        {search.error === null && r === null && t('search.searching')}
        {r !== null && (r.length === 0 ? t('search.none', { q: search.q.trim() }) : search.hasMore ? t('search.manyFound', { count: r.length }) : t('search.found', { count: r.length }))}
      </div>
      {search.error !== null && <ProblemMessage error={search.error} />}
      {r !== null && r.length > 0 && (
        <ul class="ticket-list">
          {r.map((x) => (
            <li key={x.id}>
              <a
                href={hrefOf(x.id)}
                class={`ticket-row search-row type-edge-${x.type} ${x.id === selectedId ? 'selected' : ''}`}
                data-ticket-id={x.id}
                data-number={x.number}
                aria-current={x.id === selectedId ? 'true' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  onOpen(x.id);
                }}
              >
                <div class="row-subject">
                  <span class="muted" data-field="number">
                    #{x.number}
                  </span>{' '}
                  <span data-field="subject">{x.subject || t('inbox.noSubject')}</span>
                </div>
                <div class="row-top">
                  <span class="contact-name" data-field="contact">
                    {x.contact?.name || '—'}
                  </span>
                  {x.contact?.email && (
                    <span class="muted small search-email" data-field="email">
                      {x.contact.email}
                    </span>
                  )}
                </div>
                <div class="row-badges">
                  <TypeBadge type={x.type} />
                  <ChannelBadge channel={x.channel} />
                  <StatusBadge status={x.status} />
                </div>
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
