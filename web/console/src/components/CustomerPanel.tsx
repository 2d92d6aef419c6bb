import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { browserName, dateTime, pageLabel, relativeTime } from '../format';
import { useI18n, type MsgKey } from '../i18n/index';
import type { Contact, ContactOptOut, TicketSummary, WebVisitor } from '../types';
import { StatusBadge, TypeBadge } from './Badges';
import { CustomerValueCard } from './CustomerValueCard';
import { Icon, type IconName } from './Icon';

const IDENTITY_KINDS = ['email', 'phone', 'fax', 'webchat', 'external'] as const;
type IdentityKind = (typeof IDENTITY_KINDS)[number];
const isKind = (k: string): k is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(k);
const IDENTITY_ICON: Record<IdentityKind, IconName> = { email: 'mail', phone: 'phone', fax: 'fax', webchat: 'chat', external: 'link' };

export interface CustomerPanelProps {
  contact: Contact | null;
  /** Web chat: where the visitor was first seen and with which browser. */
  visitor?: WebVisitor | null;
  currentId: string;
  reloadKey: number;
  onOpenTicket(id: string): void;
}

export function CustomerPanel({ contact, visitor = null, currentId, reloadKey, onOpenTicket }: CustomerPanelProps) {
  const { t, lang } = useI18n();
  const [others, setOthers] = useState<TicketSummary[] | null>(null);
  const [optOuts, setOptOuts] = useState<ContactOptOut[]>([]);

  useEffect(() => {
    if (!contact?.id) return;
    let live = true;
    get<{ contact: Contact & { optOuts?: ContactOptOut[] }; tickets: TicketSummary[] }>(`/api/v1/contacts/${contact.id}`).then(
      (r) => {
        if (!live) return;
        setOthers(r.tickets.filter((x) => x.id !== currentId));
        setOptOuts(r.contact.optOuts ?? []);
      },
      () => live && setOthers([]),
    );
    return () => {
      live = false;
    };
  }, [contact?.id, currentId, reloadKey]);

  if (!contact) return null;
  const known = (group: 'tier' | 'stage', v: string | null): string => {
    if (!v) return t('customer.unknown');
    const key = `values.${group}.${v}` as MsgKey;
    const out = t(key);
    return out === key ? v : out;
  };

  return (
    <>
      <section class="card customer" aria-label={t('customer.title')} data-testid="customer">
        <h3>{t('customer.title')}</h3>
        <div class="customer-head">
          <div class="avatar" aria-hidden="true">
            {(contact.name || '?').trim().slice(0, 1).toUpperCase()}
          </div>
          <div>
            <div class="customer-name">
              {contact.name || (contact.identities[0]?.kind === 'webchat' ? t('customer.webVisitor') : contact.identities[0]?.value) || '—'}
            </div>
            {contact.tier && <span class={`badge tier tier-${contact.tier}`}>
                <Icon name="star" size={11} /> {known('tier', contact.tier)}
              </span>}
          </div>
        </div>
        <dl class="facts">
          <dt>{t('customer.tier')}</dt>
          <dd data-testid="customer-tier">{known('tier', contact.tier)}</dd>
          <dt>{t('customer.stage')}</dt>
          <dd>{known('stage', contact.stage)}</dd>
          {contact.language && (
            <>
              <dt>{t('customer.language')}</dt>
              <dd>{contact.language}</dd>
            </>
          )}
          <dt>{t('customer.since')}</dt>
          <dd>{dateTime(contact.createdAt, lang)}</dd>
        </dl>
        <h4>{t('customer.identities')}</h4>
        <ul class="identities">
          {contact.identities.map((i) =>
            i.kind === 'webchat' ? (
              // A visitor id means nothing to an agent: who they are is where they came from and with what.
              <li key={`${i.kind}:${i.value}`} class="web-visitor" data-testid="web-visitor" title={t('values.identity.webchat')}>
                <Icon name="chat" size={12} /> <span class="identity-value">{t('customer.webVisitor')}</span>
                {visitor && (
                  <dl class="facts visitor-facts">
                    {visitor.page && (
                      <>
                        <dt>{t('customer.firstPage')}</dt>
                        <dd data-testid="visitor-page" title={visitor.page}>
                          {pageLabel(visitor.page)}
                        </dd>
                      </>
                    )}
                    {browserName(visitor.userAgent) && (
                      <>
                        <dt>{t('customer.browser')}</dt>
                        <dd data-testid="visitor-browser" title={visitor.userAgent ?? ''}>
                          {browserName(visitor.userAgent)}
                        </dd>
                      </>
                    )}
                  </dl>
                )}
                <details class="visitor-id">
                  <summary>{t('customer.visitorId')}</summary>
                  <code>{i.value}</code>
                </details>
              </li>
            ) : (
              <li key={`${i.kind}:${i.value}`} title={isKind(i.kind) ? t(`values.identity.${i.kind}`) : i.kind}>
                <Icon name={isKind(i.kind) ? IDENTITY_ICON[i.kind] : 'dot'} size={12} /> <span class="identity-value">{i.value}</span>
                {optOuts
                  .filter((o) => i.kind === 'phone' && o.channel === 'sms' && o.address === i.value)
                  .map((o) => (
                    <div key={o.channel} class="opted-out small" data-testid="opted-out" role="note">
                      <Icon name="alert" size={11} /> {t('customer.optedOut', { keyword: o.keyword, date: dateTime(o.at, lang) })}
                    </div>
                  ))}
              </li>
            ),
          )}
        </ul>
        {contact.tags.length > 0 && (
          <>
            <h4>{t('customer.tags')}</h4>
            <div class="tags">
              {contact.tags.map((tag) => (
                <span key={tag} class="tag">
                  {tag}
                </span>
              ))}
            </div>
          </>
        )}
      </section>
      <CustomerValueCard contactId={contact.id} reloadKey={reloadKey} />
      {/* Slot: the customer's CSAT history (issue 14 item 1) goes here. */}
      <section class="card other-tickets" aria-label={t('customer.otherTickets')} data-testid="other-tickets">
        <h3>{t('customer.otherTickets')}</h3>
        {others !== null && others.length === 0 && <p class="muted">{t('customer.noOtherTickets')}</p>}
        <ul>
          {(others ?? []).map((x) => (
            <li key={x.id}>
              <a
                href={`#${x.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  onOpenTicket(x.id);
                }}
              >
                <span class="muted">#{x.number}</span> {x.subject || t('inbox.noSubject')}
              </a>
              <div class="row-badges">
                <TypeBadge type={x.type} />
                <StatusBadge status={x.status} />
                <span class="muted small">{relativeTime(x.createdAt, lang)}</span>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
