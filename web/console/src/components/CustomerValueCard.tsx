import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { dateTime } from '../format';
import { useI18n, type MsgKey } from '../i18n/index';
import type { ContactValue } from '../types';
import { useTierLabel } from './Contacts';

/**
 * A customer's value (GET /api/v1/contacts/:id/value): the tier routing uses and whether a person
 * set it (against the computed one), the RFM scores, the relationship stage with why, and the
 * orders summary.
 */
export function CustomerValueCard({ contactId, reloadKey = 0 }: { contactId: string; reloadKey?: number }) {
  const { t, lang } = useI18n();
  const tierLabel = useTierLabel();
  const [v, setV] = useState<ContactValue | null>(null);

  useEffect(() => {
    let live = true;
    get<ContactValue>(`/api/v1/contacts/${contactId}/value`).then(
      (r) => live && setV(r),
      () => live && setV(null),
    );
    return () => {
      live = false;
    };
  }, [contactId, reloadKey]);

  if (!v) return null;
  const stageName = (s: string) => {
    const key = `values.stage.${s}` as MsgKey;
    const out = t(key);
    return out === key ? s : out;
  };
  const reason = (): string | null => {
    if (!v.stageReason) return null;
    const key = `value.reason.${v.stageReason.code.replace(/^stage\./, '')}` as MsgKey;
    const out = t(key, v.stageReason.params);
    return out === key ? null : out;
  };
  const money = (n: number) => new Intl.NumberFormat(lang, { style: 'currency', currency: v.orders.currency }).format(n);
  const why = reason();

  return (
    <section class="card customer-value" aria-label={t('value.title')} data-testid="customer-value">
      <h3>{t('value.title')}</h3>
      <dl class="facts">
        <dt>{t('customer.tier')}</dt>
        <dd data-testid="value-tier" data-source={v.tierOverride ? 'override' : 'computed'}>
          {tierLabel(v.tier)}{' '}
          <span class="muted small">{v.tierOverride ? t('value.override', { computed: tierLabel(v.computedTier) }) : v.tier ? t('value.computed') : ''}</span>
        </dd>
        {v.rfm && (
          <>
            <dt>{t('value.rfm')}</dt>
            <dd data-testid="value-rfm">{t('value.rfmScores', v.rfm)}</dd>
          </>
        )}
        <dt>{t('customer.stage')}</dt>
        <dd data-testid="value-stage">{v.stage ? stageName(v.stage) : t('customer.unknown')}</dd>
      </dl>
      {why && (
        <p class="small value-why" data-testid="value-why">
          <span class="muted">{t('value.why')}:</span> {why}
        </p>
      )}
      {!v.computedAt && <p class="muted small">{t('value.notComputed')}</p>}
      <h4>{t('value.orders')}</h4>
      {v.orders.count === 0 ? (
        <p class="muted small">{t('value.noOrders')}</p>
      ) : (
        <dl class="facts" data-testid="value-orders">
          <dt>{t('value.orders')}</dt>
          <dd data-testid="value-orders-summary">{t('value.ordersSummary', { count: v.orders.count, total: money(v.orders.total) })}</dd>
          <dt>{t('value.lastOrder')}</dt>
          <dd data-testid="value-last-order">{dateTime(v.orders.lastOrderAt, lang)}</dd>
        </dl>
      )}
    </section>
  );
}
