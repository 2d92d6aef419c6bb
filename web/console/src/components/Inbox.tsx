import type { ComponentChildren } from 'preact';
import { dateTime, relativeTime } from '../format';
import type { Selection } from '../hooks/use-selection';
import { useI18n } from '../i18n/index';
import { ACTIVE_STATUSES, CHANNELS, PRIORITIES, STATUSES, TICKET_TYPES, type Filters, type Sort, type TicketStatus, type TicketSummary, type View } from '../types';
import { AttentionBadge, ChannelBadge, PriorityBadge, SlaBadge, StatusBadge, TypeBadge } from './Badges';
import { ProblemMessage } from './ProblemMessage';
import { Icon } from './Icon';

export interface InboxProps {
  view: View;
  items: TicketSummary[] | null;
  hasMore: boolean;
  error: unknown;
  filters: Filters;
  sort: Sort;
  selectedId: string | null;
  now: number;
  onFilters(f: Filters): void;
  onSort(s: Sort): void;
  onOpen(id: string): void;
  /** The search box, above the list. */
  searchBox?: ComponentChildren;
  /** While a search is on: its results, in place of the filters and the list. */
  searchResults?: ComponentChildren;
  /** Rows selected for a bulk action (a checkbox per row), and the bar that acts on them. */
  selection?: Selection;
  bulkBar?: ComponentChildren;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function Inbox(p: InboxProps) {
  const { t, lang } = useI18n();
  const f = p.filters;
  const statusPreset = sameSet(f.status, ACTIVE_STATUSES) ? 'active' : f.status.length === 0 ? '' : f.status.length === 1 ? f.status[0]! : 'custom';

  return (
    <section class="inbox" aria-label={t('inbox.title')}>
      <header class="inbox-head">
        {p.searchBox}
        <h2>
          {t(`nav.${p.view}`)}
          {p.items && (
            <span class="muted small" data-testid="inbox-count">
              {' '}
              · {p.hasMore ? t('inbox.more', { count: p.items.length }) : t('inbox.count', { count: p.items.length })}
            </span>
          )}
        </h2>
        {p.selection && !p.searchResults && p.items !== null && p.items.length > 0 && (
          <label class="select-all small">
            <input
              type="checkbox"
              data-action="select-all"
              checked={p.selection.all}
              ref={(el) => {
                if (el) el.indeterminate = p.selection!.some && !p.selection!.all;
              }}
              onChange={(e) => p.selection!.setAll(e.currentTarget.checked)}
            />{' '}
            {t('bulk.selectAll')}
          </label>
        )}
        {!p.searchResults && p.bulkBar}
        <div class="filters" hidden={Boolean(p.searchResults)} role="group" aria-label={t('inbox.filters')}>
          <label>
            <span>{t('inbox.status')}</span>
            <select
              data-filter="status"
              value={statusPreset}
              onChange={(e) => {
                const v = e.currentTarget.value;
                const status: TicketStatus[] = v === 'active' ? [...ACTIVE_STATUSES] : v === '' ? [] : [v as TicketStatus];
                p.onFilters({ ...f, status });
              }}
            >
              <option value="active">{t('inbox.active')}</option>
              <option value="">{t('inbox.any')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`values.status.${s}`)}
                </option>
              ))}
              {statusPreset === 'custom' && <option value="custom">{f.status.map((s) => t(`values.status.${s}`)).join(', ')}</option>}
            </select>
          </label>
          <label>
            <span>{t('inbox.type')}</span>
            <select data-filter="type" value={f.type} onChange={(e) => p.onFilters({ ...f, type: e.currentTarget.value as Filters['type'] })}>
              <option value="">{t('inbox.any')}</option>
              {TICKET_TYPES.map((x) => (
                <option key={x} value={x}>
                  {t(`values.type.${x}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('inbox.priority')}</span>
            <select data-filter="priority" value={f.priority} onChange={(e) => p.onFilters({ ...f, priority: e.currentTarget.value as Filters['priority'] })}>
              <option value="">{t('inbox.any')}</option>
              {PRIORITIES.map((x) => (
                <option key={x} value={x}>
                  {t(`values.priority.${x}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('inbox.channel')}</span>
            <select data-filter="channel" value={f.channel} onChange={(e) => p.onFilters({ ...f, channel: e.currentTarget.value as Filters['channel'] })}>
              <option value="">{t('inbox.any')}</option>
              {CHANNELS.map((x) => (
                <option key={x} value={x}>
                  {t(`values.channel.${x}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('inbox.sort')}</span>
            <select data-filter="sort" value={p.sort} onChange={(e) => p.onSort(e.currentTarget.value === 'oldest' ? 'oldest' : 'newest')}>
              <option value="newest">{t('inbox.newest')}</option>
              <option value="oldest">{t('inbox.oldestWaiting')}</option>
            </select>
          </label>
        </div>
      </header>
      {p.searchResults}
      {!p.searchResults && p.error !== null && <ProblemMessage error={p.error} />}
      {!p.searchResults && p.items === null && p.error === null && <div class="list-empty muted">{t('app.loading')}</div>}
      {!p.searchResults && p.items !== null && p.items.length === 0 && <div class="list-empty muted">{t('inbox.empty')}</div>}
      {!p.searchResults && p.items !== null && p.items.length > 0 && (
        <ul class="ticket-list" data-testid="ticket-list">
          {p.items.map((x) => (
            <li key={x.id} class={p.selection ? 'selectable' : undefined}>
              {p.selection && (
                <input
                  type="checkbox"
                  class="row-check"
                  data-select={x.id}
                  aria-label={t('bulk.selectOne', { number: x.number })}
                  checked={p.selection.has(x.id)}
                  onClick={(e) => p.selection!.set(x.id, e.currentTarget.checked, e.shiftKey)}
                />
              )}
              <a
                href={`/console/${p.view}/tickets/${x.id}`}
                class={`ticket-row type-edge-${x.type} ${x.id === p.selectedId ? 'selected' : ''} ${x.status === 'new' ? 'unread' : ''}`}
                data-ticket-id={x.id}
                data-number={x.number}
                aria-current={x.id === p.selectedId ? 'true' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  p.onOpen(x.id);
                }}
              >
                <div class="row-top">
                  <span class="contact-name">{x.contact?.name || '—'}</span>
                  <span class="muted small" title={dateTime(x.lastCustomerMessageAt ?? x.createdAt, lang)}>
                    {relativeTime(x.lastCustomerMessageAt ?? x.createdAt, lang, p.now)}
                  </span>
                </div>
                <div class="row-subject">
                  <span class="muted">#{x.number}</span> {x.subject || t('inbox.noSubject')}
                </div>
                <div class="row-badges">
                  <TypeBadge type={x.type} />
                  <PriorityBadge priority={x.priority} />
                  <ChannelBadge channel={x.channel} />
                  {x.status !== 'open' && <StatusBadge status={x.status} />}
                  <SlaBadge ticket={x} now={p.now} />
                  <AttentionBadge ticket={x} />
                  {(x.failedReplies ?? 0) > 0 && (
                    <span class="badge reply-failed" data-testid="reply-failed">
                      <Icon name="alert" size={11} /> {x.failedReplies === 1 ? t('inbox.replyFailed') : t('inbox.repliesFailed', { count: x.failedReplies ?? 0 })}
                    </span>
                  )}
                  {x.assignee && p.view !== 'mine' && <span class="badge assignee">
                      <Icon name="user" size={11} /> {x.assignee.name}
                    </span>}
                </div>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
