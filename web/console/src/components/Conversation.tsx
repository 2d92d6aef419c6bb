import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { dateTime, fileSize, shortTime } from '../format';
import { useI18n } from '../i18n/index';
import { LINK_REL, textParts } from '../../../common/text-links';
import { cleanHtml } from '../safe-html';
import type { Message } from '../types';
import { ChannelBadge, DeliveryBadge } from './Badges';
import { FaxPages, faxParts } from './FaxPages';
import { Icon } from './Icon';

/**
 * The sanitized HTML the hub sends (never the raw original), cleaned once more in an
 * inert template before it reaches the page. Plain text is always rendered as text.
 */
function MessageBody({ m }: { m: Message }) {
  const html = useMemo(() => (m.direction === 'inbound' && m.html ? cleanHtml(m.html) : ''), [m.direction, m.html]);
  if (html) return <div class="msg-body html" data-testid="msg-html" dangerouslySetInnerHTML={{ __html: html }} />;
  return (
    <div class="msg-body text" data-testid="msg-text">
      {textParts(m.text).map((p, i) =>
        p.kind === 'link' ? (
          <a key={i} href={p.href} target="_blank" rel={LINK_REL}>
            {p.text}
          </a>
        ) : (
          p.text
        ),
      )}
    </div>
  );
}

const Dots = () => (
  <span class="dots" aria-hidden="true">
    <i />
    <i />
    <i />
  </span>
);

export interface ConversationProps {
  messages: Message[];
  contactName: string;
  customerTyping: boolean;
  /** When the customer last read the conversation (live, from the widget). */
  customerReadAt: string | null;
  /** Colleagues typing on this ticket. */
  agentsTyping: string[];
  /** Sends a failed reply again (absent: no Retry button). */
  onRetry?(messageId: string): Promise<void>;
  /** Retry is offered but disabled (the channel cannot send now). */
  retryDisabled?: boolean;
}

export function Conversation({ messages, contactName, customerTyping, customerReadAt, agentsTyping, onRetry, retryDisabled = false }: ConversationProps) {
  const { t, lang } = useI18n();
  const [retrying, setRetrying] = useState<string | null>(null);
  const retry = (id: string) => {
    if (!onRetry || retrying) return;
    setRetrying(id);
    onRetry(id).finally(() => setRetrying(null));
  };
  const end = useRef<HTMLDivElement>(null);
  const last = messages[messages.length - 1];

  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length, last?.id, last?.deliveryStatus, customerTyping]);

  return (
    <div class="conversation" aria-label={t('conversation.title')} aria-live="polite" data-testid="conversation">
      {messages.length === 0 && <div class="muted center">{t('conversation.empty')}</div>}
      {messages.map((m, i) => {
        const who =
          m.direction === 'inbound'
            ? m.from?.name || contactName || m.from?.address || t('conversation.customer')
            : m.author?.name || m.from?.name || t('conversation.agent');
        const prev = messages[i - 1];
        const channelSwitch = prev && prev.channel !== m.channel;
        return (
          <div key={m.id}>
            {channelSwitch && (
              <div class="channel-switch">
                <ChannelBadge channel={m.channel} />
              </div>
            )}
            <article class={`msg msg-${m.direction}`} data-direction={m.direction} data-message-id={m.id}>
              <header class="msg-head">
                {m.direction === 'note' && <span class="note-label">
                    <Icon name="lock" size={12} /> {t('conversation.note')}
                  </span>}
                <span class="msg-who">{who}</span>
                {/* A chat visitor id means nothing to the agent; an email address or number does. */}
                {m.direction === 'inbound' && m.channel !== 'webchat' && m.from?.address && m.from.address !== who && (
                  <span class="muted small">{m.from.address}</span>
                )}
                <span class="msg-meta muted small">
                  {t('ticket.via', { channel: t(`values.channel.${m.channel}`) })} · <time dateTime={m.createdAt} title={dateTime(m.createdAt, lang)}>{shortTime(m.createdAt, lang)}</time>
                </span>
              </header>
              {m.subject && m.direction === 'inbound' && (i === 0 || m.subject !== prev?.subject) && (
                <div class="msg-subject">{t('conversation.subject', { subject: m.subject })}</div>
              )}
              {faxParts(m) ? <FaxPages m={m} /> : <MessageBody m={m} />}
              {!faxParts(m) && m.attachments && m.attachments.length > 0 && (
                <ul class="attachments" aria-label={t('conversation.attachments')}>
                  {m.attachments.map((a) => (
                    <li key={a.url}>
                      <Icon name="clip" size={12} />{' '}
                      <a href={a.url} target="_blank" rel="noopener noreferrer">
                        {a.name}
                      </a>{' '}
                      <span class="muted small">{fileSize(a.size)}</span>
                    </li>
                  ))}
                </ul>
              )}
              {m.direction === 'outbound' && m.deliveryStatus && (
                <footer class="msg-foot">
                  <DeliveryBadge
                    status={m.deliveryStatus}
                    error={m.deliveryError}
                    code={m.deliveryErrorCode}
                    read={m.deliveryStatus !== 'failed' && m.deliveryStatus !== 'bounced' && m.deliveryStatus !== 'queued' && customerReadAt !== null && m.createdAt <= customerReadAt}
                  />
                  {m.emailCopy && (
                    <span class={`email-copy small ${m.emailCopy.status === 'bounced' ? 'delivery-bounced' : 'muted'}`} data-testid="email-copy" data-status={m.emailCopy.status} title={m.emailCopy.error ?? undefined}>
                      {m.emailCopy.status === 'bounced'
                        ? t('delivery.copyBounced', { address: m.emailCopy.to, reason: m.emailCopy.error ?? '' })
                        : t('delivery.copyEmailed', { address: m.emailCopy.to })}
                    </span>
                  )}
                  {m.deliveryStatus === 'failed' && onRetry && (
                    <button type="button" class="btn small retry" data-action="retry-reply" disabled={retryDisabled || retrying !== null} onClick={() => retry(m.id)}>
                      {retrying === m.id ? t('delivery.retrying') : t('delivery.retry')}
                    </button>
                  )}
                </footer>
              )}
            </article>
          </div>
        );
      })}
      {customerTyping && (
        <div class="typing" data-testid="customer-typing">
          <Dots /> {contactName ? t('conversation.typing', { name: contactName }) : t('conversation.typingCustomer')}
        </div>
      )}
      {agentsTyping.map((name) => (
        <div key={name} class="typing agent-typing" data-testid="agent-typing">
          <Dots /> {t('conversation.typing', { name })}
        </div>
      ))}
      <div ref={end} />
    </div>
  );
}
