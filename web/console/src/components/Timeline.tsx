import { dateTime, shortTime } from '../format';
import { useI18n, type MsgKey, type Translate } from '../i18n/index';
import type { TimelineEvent } from '../types';
import { deliveryReason } from './Badges';
import { Icon, type IconName } from './Icon';

const KNOWN = ['created', 'status', 'assignee', 'priority', 'type', 'classification', 'tags', 'team', 'reply', 'delivery', 'call', 'note', 'merged', 'transfer', 'needs_attention', 'csat', 'complaint', 'suggestion'] as const;
type Known = (typeof KNOWN)[number];
const ICON: Record<Known, IconName> = {
  created: 'plus',
  status: 'swap',
  assignee: 'user',
  priority: 'flag',
  type: 'layers',
  classification: 'layers',
  tags: 'tag',
  team: 'users',
  reply: 'reply',
  delivery: 'check',
  call: 'phone',
  note: 'lock',
  merged: 'merge',
  transfer: 'swap',
  needs_attention: 'alert',
  csat: 'star',
  complaint: 'alert',
  suggestion: 'layers',
};

/** These record ids in from / to; their detail says it in words. */
const ID_VALUED = new Set(['assignee', 'team', 'merged', 'transfer', 'needs_attention']);
/** Ids in from / to that the console can name (a transfer's detail is the handover note, not names). */
const NAMED_IDS = new Set(['transfer']);
/** Actions whose values are another field's values. */
const VALUES_OF: Record<string, 'status' | 'priority' | 'type' | 'delivery'> = {
  created: 'status',
  status: 'status',
  priority: 'priority',
  type: 'type',
  classification: 'type',
  reply: 'delivery',
  delivery: 'delivery',
};

/** Values of the fields the console knows are shown in the console's language. */
function value(t: Translate, action: string, v: string | null): string {
  if (v === null || v === '') return '—';
  const group = VALUES_OF[action];
  if (group) {
    const key = (group === 'delivery' ? `delivery.${v}` : `values.${group}.${v}`) as MsgKey;
    const out = t(key);
    return out === key ? v : out;
  }
  return v;
}

const isKnown = (action: string): action is Known => (KNOWN as readonly string[]).includes(action);

/** The kind of entry in the viewer's language; the raw action of the others is in the entry's details. */
function label(t: Translate, action: string): { text: string; icon: IconName } {
  if (isKnown(action)) return { text: t(`timeline.${action}`), icon: ICON[action] };
  if (action.startsWith('routing')) return { text: t('timeline.routing'), icon: 'arrow' };
  if (action.startsWith('sla')) return { text: t('timeline.sla'), icon: 'clock' };
  return { text: t('timeline.other'), icon: 'dot' };
}

/** Parameters holding ids and technical text: shown only in the entry's details. */
const ID_PARAMS = ['messageId', 'providerId', 'reason'] as const;
/** Actions whose coded words say the whole change (no from → to beside them). */
const CODE_SAYS_ALL = new Set(['created', 'assignee', 'team', 'reply', 'delivery', 'merged', 'contact_merged', 'needs_attention', 'csat', 'complaint', 'suggestion', 'care']);
const CODE = /^[a-z_]+\.[a-z_]+$/;

/** A parameter as the viewer reads it: the known values in the console's language (`code`: the entry's code). */
function param(t: Translate, name: string, v: string, code = ''): string {
  const key = ((): string | null => {
    // Proactive care: a tier drop names tiers, a move to declining the stage it left.
    if (code === 'care.tier_drop' && (name === 'from' || name === 'to')) return `values.tier.${v}`;
    if (code === 'care.declining' && (name === 'from' || name === 'to')) return `values.stage.${v}`;
    if (name === 'channel') return `values.channel.${v}`;
    if (name === 'type' || name === 'was') return `values.type.${v}`;
    if (name === 'priority') return `values.priority.${v}`;
    if (name === 'source') return `timeline.sources.${v}`;
    if (name === 'from' || name === 'to') return `suggestion.stages.${v}`;
    return null;
  })();
  if (v === '' && (name === 'from' || name === 'to')) return t('timeline.nobody');
  if (!key) return v;
  const out = t(key as MsgKey);
  return out === key ? v : out;
}

/** The entry's words in the viewer's language, from its code; null for an unknown or missing code. */
function coded(t: Translate, e: TimelineEvent): string | null {
  if (!e.code || !CODE.test(e.code)) return null;
  const key = `timeline.code.${e.code}`;
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.params ?? {})) vars[k] = param(t, k, v, e.code);
  const out = t(key as MsgKey, vars);
  return out === key ? null : out;
}

/** A failed delivery's reason in the viewer's language (the provider's words stay in the details). */
const reasonOf = (t: Translate, e: TimelineEvent): string | null => (e.params?.reasonCode ? deliveryReason(t, e.params.reasonCode) : null);

/**
 * Entries stored without a code (before codes existed, or free text): the line says only what the
 * console can say in the viewer's language; the raw action, values and text are in the details.
 */
const rawChange = (e: TimelineEvent, words: string | null): boolean => words === null && !isKnown(e.action);
/** A transfer's detail is the agent's handover note: shown as written. */
const shownDetail = (e: TimelineEvent, words: string | null): boolean => words === null && e.action === 'transfer' && Boolean(e.detail);

/** The raw ids (and, for an entry without a code, its raw words) for the entry's details disclosure. */
function ids(e: TimelineEvent, codedText: string | null): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (codedText) for (const k of ID_PARAMS) if (e.params?.[k]) out.push([k, e.params[k]]);
  if (!codedText && !isKnown(e.action)) out.push(['action', e.action]);
  if (ID_VALUED.has(e.action) || e.action === 'contact_merged' || rawChange(e, codedText)) {
    if (e.from) out.push(['from', e.from]);
    if (e.to) out.push(['to', e.to]);
  }
  if (!codedText && e.detail && !shownDetail(e, codedText)) out.push(['text', e.detail]);
  out.push(['event', e.id]);
  return out;
}

export interface TimelineProps {
  events: TimelineEvent[];
  /** Names of the users and teams the console knows, by id. */
  names?: Record<string, string>;
}

export function Timeline({ events, names = {} }: TimelineProps) {
  const { t, lang } = useI18n();
  return (
    <section class="card timeline" aria-label={t('timeline.title')} data-testid="timeline">
      <h3>{t('timeline.title')}</h3>
      {events.length === 0 && <p class="muted">{t('timeline.empty')}</p>}
      <ol>
        {[...events].reverse().map((e) => {
          const l = label(t, e.action);
          const words = coded(t, e);
          const alone = words !== null && CODE_SAYS_ALL.has(e.action);
          const showChange = !alone && !ID_VALUED.has(e.action) && !rawChange(e, words) && (e.from !== null || e.to !== null);
          const reason = words ? reasonOf(t, e) : null;
          const details = ids(e, words);
          const fromName = NAMED_IDS.has(e.action) && e.from ? names[e.from] : undefined;
          const toName = NAMED_IDS.has(e.action) && e.to ? names[e.to] : undefined;
          const who = e.actor.kind === 'system' ? t('timeline.system') : e.actor.name || t(e.actor.kind === 'customer' ? 'conversation.customer' : 'conversation.agent');
          return (
            <li key={e.id} class={`tl-item tl-${e.actor.kind}`} data-action={e.action} data-from={e.from ?? ''} data-to={e.to ?? ''}>
              <span class="tl-icon">
                <Icon name={l.icon} size={12} />
              </span>
              <div class="tl-body">
                <div class="tl-what">
                  <strong>{alone ? words : l.text}</strong>
                  {showChange && (
                    <span class="tl-change">
                      {' '}
                      {e.from !== null && <span class="tl-from">{value(t, e.action, e.from)}</span>}
                      {e.from !== null && ' → '}
                      <span class="tl-to">{value(t, e.action, e.to)}</span>
                    </span>
                  )}
                  {words && !alone && <span class="tl-why"> · {words}</span>}
                  {words && e.params?.firstResponse === 'yes' && <span class="tl-why"> · {t('timeline.firstResponse')}</span>}
                  {reason && <span class="tl-why" data-reason={e.params?.reasonCode}> · {reason}</span>}
                  {toName && (
                    <span class="tl-change">
                      {' '}
                      {fromName && <span class="tl-from">{fromName}</span>}
                      {' → '}
                      <span class="tl-to">{toName}</span>
                    </span>
                  )}
                </div>
                {shownDetail(e, words) && <div class="tl-detail muted small tl-quote">{e.detail}</div>}
                <div class="tl-who muted small">
                  {t('timeline.by', { name: who })} ·{' '}
                  <time dateTime={e.at} title={dateTime(e.at, lang)}>
                    {shortTime(e.at, lang)}
                  </time>
                </div>
                <details class="tl-ids muted small" data-testid="timeline-ids">
                  <summary>{t('timeline.details')}</summary>
                  <dl>
                    {details.map(([k, v]) => (
                      <div key={k}>
                        <dt>{t(`timeline.ids.${k}` as MsgKey)}</dt>
                        <dd>
                          <code>{v}</code>
                        </dd>
                      </div>
                    ))}
                  </dl>
                </details>
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
