import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, query } from '../api';
import { dateTime } from '../format';
import { useI18n, type MsgKey } from '../i18n/index';
import { navigate } from '../router';
import type { Contact, TicketSummary, User } from '../types';
import { ChannelBadge, StatusBadge, TypeBadge } from './Badges';
import { ContactEditForm } from './ContactEdit';
import { ContactMergeDialog } from './ContactMerge';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';
import { ValueTools } from './ValueTools';
import { CustomerValueCard } from './CustomerValueCard';

/** How many contacts one page of the directory holds. */
export const CONTACTS_PAGE = 20;

interface Page {
  items: Contact[];
  nextCursor: string | null;
}
export interface ContactDetail {
  contact: Contact;
  tickets: TicketSummary[];
}

const IDENTITY_KINDS = ['email', 'phone', 'fax', 'webchat', 'external'] as const;
type IdentityKind = (typeof IDENTITY_KINDS)[number];
const isKind = (k: string): k is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(k);

/** A contact's name as an agent reads it: the name, else the first identity (a web visitor is "Web visitor"). */
export function useContactLabel(): (c: Pick<Contact, 'name' | 'identities'>) => string {
  const { t } = useI18n();
  return (c) => c.name || (c.identities[0]?.kind === 'webchat' ? t('customer.webVisitor') : c.identities[0]?.value) || '—';
}

/** An identity's kind in the console's language. */
export function useIdentityKind(): (kind: string) => string {
  const { t } = useI18n();
  return (kind) => (isKind(kind) ? t(`values.identity.${kind}`) : kind);
}

/** A tier's name in the console's language ('—' for none). */
export function useTierLabel(): (tier: string | null) => string {
  const { t } = useI18n();
  return (tier) => {
    if (!tier) return t('customer.unknown');
    const key = `values.tier.${tier}` as MsgKey;
    const out = t(key);
    return out === key ? tier : out;
  };
}

/** The contacts directory (`/console/contacts`) and one contact's page (`/console/contacts/:id`). */
export function ContactsDirectory({ user, contactId, onOpenTicket }: { user: User; contactId: string; onOpenTicket(id: string): void }) {
  if (contactId) return <ContactPage key={contactId} user={user} id={contactId} onOpenTicket={onOpenTicket} />;
  return (
    <>
      <ContactList />
      {/* Orders import and segments: the API allows them to supervisors and admins. */}
      {user.role !== 'agent' && <ValueTools />}
    </>
  );
}

/** A page of contacts matching `q` (name or any identity), and the ones after it on demand. */
export function useContactSearch(q: string, limit = CONTACTS_PAGE) {
  const [items, setItems] = useState<Contact[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const text = q.trim();
  const seq = useRef(0);

  useEffect(() => {
    const mine = ++seq.current;
    setError(null);
    const timer = setTimeout(
      () => {
        get<Page>(`/api/v1/contacts${query({ q: text, limit })}`).then(
          (r) => {
            if (mine !== seq.current) return;
            setItems(r.items);
            setNext(r.nextCursor);
          },
          (err: unknown) => mine === seq.current && setError(err),
        );
      },
      text ? 250 : 0,
    );
    return () => clearTimeout(timer);
  }, [text, limit]);

  const more = useCallback(async () => {
    if (!next) return;
    const mine = seq.current;
    setLoadingMore(true);
    try {
      const r = await get<Page>(`/api/v1/contacts${query({ q: text, limit, cursor: next })}`);
      if (mine !== seq.current) return;
      setItems((cur) => [...(cur ?? []), ...r.items.filter((x) => !(cur ?? []).some((c) => c.id === x.id))]);
      setNext(r.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setLoadingMore(false);
    }
  }, [next, text, limit]);

  return { items, hasMore: next !== null, error, more, loadingMore };
}

function ContactList() {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const found = useContactSearch(q);
  const label = useContactLabel();
  const tier = useTierLabel();

  return (
    <div class="settings contacts" data-testid="contacts-directory">
      <header class="settings-head">
        <div>
          <h1>{t('contacts.title')}</h1>
          <p class="muted">{t('contacts.subtitle')}</p>
        </div>
        <div class="settings-tools">
          <input
            type="search"
            class="pick-filter"
            data-search="contacts"
            data-shortcut-search
            placeholder={t('contacts.search')}
            aria-label={t('contacts.search')}
            aria-keyshortcuts="/"
            value={q}
            onInput={(e) => setQ(e.currentTarget.value)}
          />
        </div>
      </header>
      {found.error !== null && <ProblemMessage error={found.error} />}
      {found.items === null && found.error === null && <p class="muted">{t('app.loading')}</p>}
      {found.items !== null && found.items.length === 0 && (
        <p class="muted" data-testid="contacts-empty">
          {q.trim() ? t('contacts.noneFound', { q: q.trim() }) : t('contacts.none')}
        </p>
      )}
      {found.items !== null && found.items.length > 0 && (
        <table class="canned-table contacts-table" data-testid="contacts-table">
          <thead>
            <tr>
              <th>{t('contacts.name')}</th>
              <th>{t('customer.identities')}</th>
              <th>{t('customer.tier')}</th>
              <th>{t('customer.tags')}</th>
            </tr>
          </thead>
          <tbody>
            {found.items.map((c) => (
              <tr key={c.id} data-contact-id={c.id}>
                <td class="team-name">
                  <a
                    href={`/console/contacts/${c.id}`}
                    data-action="contact-open"
                    onClick={(e) => {
                      e.preventDefault();
                      navigate({ view: 'mine', ticketId: null, contacts: c.id });
                    }}
                  >
                    {label(c)}
                  </a>
                </td>
                <td class="small" data-cell="identities">
                  {c.identities
                    .filter((i) => i.kind !== 'webchat')
                    .map((i) => i.value)
                    .join(', ')}
                </td>
                <td class="small" data-cell="tier">
                  {tier(c.tier)}
                </td>
                <td class="small" data-cell="tags">
                  {c.tags.join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {found.hasMore && (
        <button type="button" class="btn load-more" data-action="contacts-more" disabled={found.loadingMore} onClick={() => void found.more()}>
          {found.loadingMore ? t('app.loading') : t('contacts.more')}
        </button>
      )}
    </div>
  );
}

/** One contact: who they are (every identity) and every ticket of theirs across channels that I may see. */
function ContactPage({ user, id, onOpenTicket }: { user: User; id: string; onOpenTicket(id: string): void }) {
  const { t, lang } = useI18n();
  const [detail, setDetail] = useState<ContactDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [merging, setMerging] = useState(false);
  // Merging profiles is for supervisors and admins (the API refuses agents).
  const canMerge = user.role !== 'agent';
  const [notice, setNotice] = useState<string | null>(null);
  const label = useContactLabel();
  const kind = useIdentityKind();
  const tier = useTierLabel();

  const load = useCallback(async () => {
    try {
      setDetail(await get<ContactDetail>(`/api/v1/contacts/${id}`));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [id]);
  useEffect(() => void load(), [load]);

  const back = (
    <a
      href="/console/contacts"
      class="back-link"
      data-action="contacts-back"
      onClick={(e) => {
        e.preventDefault();
        navigate({ view: 'mine', ticketId: null, contacts: '' });
      }}
    >
      ← {t('contacts.back')}
    </a>
  );
  if (!detail) {
    return (
      <div class="settings contacts">
        {back}
        {error !== null ? (
          <>
            <h1>{error instanceof ApiError && error.status === 404 ? t('contacts.notFound') : t('contacts.loadFailed')}</h1>
            <ProblemMessage error={error} />
          </>
        ) : (
          <p class="muted">{t('app.loading')}</p>
        )}
      </div>
    );
  }
  const c = detail.contact;
  return (
    <div class="settings contacts contact-page" data-testid="contact-page" data-contact-id={c.id}>
      {back}
      <header class="settings-head">
        <div>
          <h1 data-testid="contact-name">{label(c)}</h1>
          <p class="muted small">
            {t('customer.tier')}: <span data-testid="contact-tier">{tier(c.tier)}</span> · {t('customer.since')}: {dateTime(c.createdAt, lang)}
          </p>
        </div>
        <div class="settings-tools" data-testid="contact-tools" data-role={user.role}>
          {!editing && (
            <button
              type="button"
              class="btn"
              data-action="contact-edit"
              onClick={() => {
                setNotice(null);
                setEditing(true);
              }}
            >
              {t('contactEdit.edit')}
            </button>
          )}
          {canMerge && (
            <button
              type="button"
              class="btn"
              data-action="contact-merge"
              onClick={() => {
                setNotice(null);
                setMerging(true);
              }}
            >
              <Icon name="merge" /> {t('contactMerge.action')}
            </button>
          )}
        </div>
      </header>
      {notice && (
        <div class="notice info" role="status" data-testid="contact-notice">
          {notice}
        </div>
      )}
      {error !== null && <ProblemMessage error={error} onDismiss={() => setError(null)} />}
      {editing && (
        <ContactEditForm
          contact={c}
          canSetTier={user.role !== 'agent'}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            setDetail((d) => (d ? { ...d, contact: saved } : d));
            setNotice(t('contactEdit.saved'));
            void load();
          }}
        />
      )}
      {merging && (
        <ContactMergeDialog
          contact={c}
          onClose={() => setMerging(false)}
          onMerged={(merged, source) => {
            setMerging(false);
            setDetail((d) => (d ? { ...d, contact: merged } : d));
            setNotice(t('contactMerge.done', { source: label(source) }));
            void load();
          }}
        />
      )}
      <div class="contact-body">
        <section class="card" aria-label={t('customer.identities')}>
          <h3>{t('customer.identities')}</h3>
          <ul class="identities" data-testid="contact-identities">
            {c.identities.map((i) => (
              <li key={`${i.kind}:${i.value}`} data-kind={i.kind}>
                <span class="muted small">{kind(i.kind)}</span> <span class="identity-value">{i.value}</span>
              </li>
            ))}
          </ul>
          <h4>{t('customer.tags')}</h4>
          <div class="tags" data-testid="contact-tags">
            {c.tags.length === 0 && <span class="muted small">{t('customer.unknown')}</span>}
            {c.tags.map((tag) => (
              <span key={tag} class="tag">
                {tag}
              </span>
            ))}
          </div>
        </section>
        {/* Remounted when the tier changes (an edit here): the card asks again. */}
        <CustomerValueCard key={`${c.id}:${c.tier ?? ''}`} contactId={c.id} />
        <section class="card contact-tickets" aria-label={t('contacts.tickets')}>
          <h3>
            {t('contacts.tickets')} <span class="muted small">({detail.tickets.length})</span>
          </h3>
          {detail.tickets.length === 0 && <p class="muted">{t('contacts.noTickets')}</p>}
          <ul data-testid="contact-tickets">
            {detail.tickets.map((x) => (
              <li key={x.id} data-ticket-id={x.id}>
                <a
                  href={`/console/mine/tickets/${x.id}`}
                  data-action="ticket-open"
                  onClick={(e) => {
                    e.preventDefault();
                    onOpenTicket(x.id);
                  }}
                >
                  <span class="muted">#{x.number}</span> {x.subject || t('inbox.noSubject')}
                </a>
                <div class="row-badges">
                  <ChannelBadge channel={x.channel} />
                  <TypeBadge type={x.type} />
                  <StatusBadge status={x.status} />
                  <span class="muted small">{dateTime(x.createdAt, lang)}</span>
                </div>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
