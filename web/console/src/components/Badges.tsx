import { duration } from '../format';
import { useI18n, type MsgKey, type Translate } from '../i18n/index';
import type { ChannelId, DeliveryStatus, Priority, TicketStatus, TicketSummary, TicketType } from '../types';
import { Icon, type IconName } from './Icon';

export function TypeBadge({ type }: { type: TicketType }) {
  const { t } = useI18n();
  return <span class={`badge type-${type}`} data-type={type}>{t(`values.type.${type}`)}</span>;
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  const { t } = useI18n();
  return (
    <span class={`badge prio prio-${priority}`} data-priority={priority} title={t('ticket.priority')}>
      {t(`values.priority.${priority}`)}
    </span>
  );
}

export const CHANNEL_ICON: Record<ChannelId, IconName> = { api: 'api', webchat: 'chat', email: 'mail', sms: 'sms', voice: 'phone', fax: 'fax' };

export function ChannelBadge({ channel }: { channel: ChannelId }) {
  const { t } = useI18n();
  return (
    <span class="badge channel" data-channel={channel}>
      <Icon name={CHANNEL_ICON[channel] ?? 'dot'} size={12} /> {t(`values.channel.${channel}`)}
    </span>
  );
}

export function StatusBadge({ status }: { status: TicketStatus }) {
  const { t } = useI18n();
  return <span class={`badge status status-${status}`} data-status={status}>{t(`values.status.${status}`)}</span>;
}

/** Why a reply failed, in the viewer's language, from the hub's stable code (unknown or missing: a generic reason). */
export function deliveryReason(t: Translate, code: string | null | undefined): string {
  const key = `delivery.reasons.${code ?? 'unknown'}`;
  const out = /^[a-z_]+$/.test(code ?? '') ? t(key as MsgKey) : key;
  return out === key ? t('delivery.reasons.unknown') : out;
}

export function DeliveryBadge({ status, error, code, read = false }: { status: DeliveryStatus; error?: string | null; code?: string | null; read?: boolean }) {
  const { t } = useI18n();
  const failed = (status === 'failed' || status === 'bounced') && !read;
  const label = read ? t('delivery.read') : status === 'bounced' ? t('delivery.bounced') : failed && (error || code) ? t('delivery.failedReason', { reason: deliveryReason(t, code) }) : t(`delivery.${status}`);
  return (
    <>
      <span class={`delivery delivery-${read ? 'read' : status}`} data-delivery={status} data-read={read ? 'true' : undefined} data-reason={failed ? (code ?? 'unknown') : undefined}>
        {failed ? <Icon name="alert" size={12} /> : status === 'queued' || status === 'sending' ? <Icon name="clock" size={12} /> : <Icon name="check" size={12} />}{' '}
        {label}
      </span>
      {/* The channel's or provider's own words, as they were reported. */}
      {failed && error && (
        <details class="delivery-raw small muted" data-testid="delivery-raw">
          <summary>{t('delivery.providerText')}</summary>
          <code>{error}</code>
        </details>
      )}
    </>
  );
}

/** Routing flagged the ticket: nobody who could take it will (every eligible agent declined it). */
export function AttentionBadge({ ticket }: { ticket: TicketSummary }) {
  const { t } = useI18n();
  if (!ticket.needsAttention || ticket.assignee) return null;
  return (
    <span class="badge attention" data-attention={ticket.needsAttention.reason} title={t('ticket.needsAttentionTitle')}>
      <Icon name="alert" size={12} /> {t('ticket.needsAttention')}
    </span>
  );
}

/** The SLA clock that matters now: first response, then the next reply, then resolution. */
export function slaDue(ticket: TicketSummary): { kind: 'first' | 'next' | 'resolution'; at: string } | null {
  if (ticket.status === 'resolved' || ticket.status === 'closed' || !ticket.sla) return null;
  const { firstResponseDueAt, nextResponseDueAt, resolutionDueAt } = ticket.sla;
  if (!ticket.firstResponseAt && firstResponseDueAt) return { kind: 'first', at: firstResponseDueAt };
  if (ticket.status !== 'pending' && nextResponseDueAt) return { kind: 'next', at: nextResponseDueAt };
  if (resolutionDueAt) return { kind: 'resolution', at: resolutionDueAt };
  return null;
}

export function SlaBadge({ ticket, now }: { ticket: TicketSummary; now: number }) {
  const { t, lang } = useI18n();
  const due = slaDue(ticket);
  if (!due) return null;
  const left = new Date(due.at).getTime() - now;
  const level = left < 0 ? 'breached' : left < 30 * 60_000 ? 'soon' : 'ok';
  const what = t(due.kind === 'first' ? 'ticket.slaFirstResponse' : due.kind === 'next' ? 'ticket.slaNextResponse' : 'ticket.slaResolution');
  const when = left < 0 ? t('ticket.overdue', { time: duration(left, lang) }) : t('ticket.dueIn', { time: duration(left, lang) });
  return (
    <span class={`badge sla sla-${level}`} data-sla={level} title={`${what}: ${new Date(due.at).toLocaleString(lang)}`}>
      <Icon name="clock" size={12} /> {when}
    </span>
  );
}
