import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, get, patch, post, randomId } from '../api';
import { dateTime, duration } from '../format';
import { useI18n } from '../i18n/index';
import type { Realtime } from '../realtime';
import {
  PRIORITIES,
  STATUSES,
  TICKET_TYPES,
  type CannedResponse,
  type Colleague,
  type Message,
  type Presence,
  type Priority,
  type Team,
  type TicketDetail,
  type TicketStatus,
  type TicketSummary,
  type TicketType,
  type TransferResult,
  type User,
} from '../types';
import { AttentionBadge, ChannelBadge, PriorityBadge, SlaBadge, StatusBadge, TypeBadge } from './Badges';
import { Composer } from './Composer';
import { Conversation } from './Conversation';
import { CustomerPanel } from './CustomerPanel';
import { ProblemMessage } from './ProblemMessage';
import { QueueInfo } from './QueueInfo';
import { Timeline } from './Timeline';
import { TransferDialog } from './TransferDialog';
import { MergedInto, TicketMergeDialog } from './TicketMerge';
import { Icon } from './Icon';
import { ComplaintResolveDialog } from './ComplaintResolve';
import { SuggestionLinks } from './SuggestionLinks';
import { SuggestionStage } from './SuggestionStage';
import { NEEDS_CAUSE_EVENT } from '../hooks/use-open-ticket';

export interface TicketViewProps {
  ticketId: string;
  user: User;
  rt: Realtime;
  /** Bumped when a live event concerns this ticket. */
  reloadKey: number;
  now: number;
  canned: CannedResponse[];
  teams: Team[];
  /** Colleagues' presence as far as the console has heard. */
  presence: Record<string, Presence>;
  onCannedOpen(): void;
  onChanged(): void;
  onOpenTicket(id: string): void;
  /** A transfer went through: what to tell the agent, and whether the ticket left their hands (close it). */
  onTransferred(message: string, leave: boolean): void;
}

type Change = Partial<{ status: TicketStatus; priority: Priority; type: TicketType; tags: string[]; assignee: string | null }>;

export function TicketView(p: TicketViewProps) {
  const { t, lang } = useI18n();
  const [detail, setDetail] = useState<TicketDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [typing, setTyping] = useState<{ customer: boolean; agents: Record<string, string> }>({ customer: false, agents: {} });
  const [users, setUsers] = useState<User[]>([]);
  const [colleagues, setColleagues] = useState<Colleague[]>([]);
  const [customerReadAt, setCustomerReadAt] = useState<string | null>(null);
  const [tagDraft, setTagDraft] = useState('');
  const [transferOpen, setTransferOpen] = useState(false);
  // Narrow screens: the ticket's facts and controls fold away, the customer panel and timeline open as a sheet.
  const [headOpen, setHeadOpen] = useState(false);
  const [sheet, setSheet] = useState<'customer' | 'timeline' | null>(null);
  const sidebar = useRef<HTMLElement>(null);
  const [mergeOpen, setMergeOpen] = useState(false);
  const [resolveOpen, setResolveOpen] = useState(false);
  useEffect(() => {
    const onNeedsCause = (e: Event) => {
      if ((e as CustomEvent<string>).detail === p.ticketId) setResolveOpen(true);
    };
    window.addEventListener(NEEDS_CAUSE_EVENT, onNeedsCause);
    return () => window.removeEventListener(NEEDS_CAUSE_EVENT, onNeedsCause);
  }, [p.ticketId]);
  const [mergeNotice, setMergeNotice] = useState<string | null>(null);
  const [calling, setCalling] = useState(false);
  const callKey = useRef(randomId());
  const [callPlaced, setCallPlaced] = useState<{ agentPhone: string; customer: string } | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    if (!sheet) return;
    // The sheet opens at the part asked for: the customer at its top, the timeline scrolled to (below the sheet's head, styles.css).
    if (sheet === 'timeline') sidebar.current?.querySelector('[data-testid=timeline]')?.scrollIntoView({ block: 'start' });
    else if (sidebar.current) sidebar.current.scrollTop = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setSheet(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [sheet]);

  /** The customer's read receipt as the hub has it (after a reload too); live receipts only move it forward. */
  const customerRead = useCallback((at: string | null | undefined) => {
    if (at) setCustomerReadAt((cur) => (cur && cur > at ? cur : at));
  }, []);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const d = await get<TicketDetail>(`/api/v1/tickets/${p.ticketId}`);
      if (mine !== seq.current) return;
      setDetail(d);
      customerRead(d.readState?.customerReadAt);
      setLoadError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setLoadError(err);
    }
  }, [p.ticketId, customerRead]);

  useEffect(() => {
    void load();
  }, [load, p.reloadKey]);
  // The call back notice belongs to the ticket it was placed on.
  useEffect(() => setCallPlaced(null), [p.ticketId]);

  // The ticket's room: typing, delivery updates and new messages of this ticket.
  useEffect(() => {
    p.rt.joinTicket(p.ticketId);
    return () => p.rt.leaveTicket(p.ticketId);
  }, [p.rt, p.ticketId]);

  useEffect(() => {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const set = (who: string, on: boolean, name = '') => {
      const prev = timers.get(who);
      if (prev) clearTimeout(prev);
      setTyping((cur) => {
        if (who === 'customer') return { ...cur, customer: on };
        const agents = { ...cur.agents };
        if (on) agents[who] = name;
        else delete agents[who];
        return { ...cur, agents };
      });
      // A lost "stopped typing" must not leave the indicator on forever.
      if (on) timers.set(who, setTimeout(() => set(who, false), 8000));
    };
    const off = p.rt.onTyping((e) => {
      if (e.ticketId !== p.ticketId) return;
      if (e.who === 'customer') set('customer', e.typing);
      else if (e.agent && e.agent.id !== p.user.id) set(e.agent.id, e.typing, e.agent.name);
    });
    return () => {
      off();
      for (const timer of timers.values()) clearTimeout(timer);
    };
  }, [p.rt, p.ticketId, p.user.id]);

  // Read receipts: the customer's reach the replies; mine go out while the ticket is on screen.
  useEffect(
    () =>
      p.rt.onRead((e) => {
        if (e.ticketId === p.ticketId && e.who === 'customer') customerRead(e.at);
      }),
    [p.rt, p.ticketId, customerRead],
  );
  const inboundCount = detail?.messages.filter((m) => m.direction === 'inbound').length ?? 0;
  useEffect(() => {
    if (inboundCount === 0) return;
    const markRead = () => {
      if (!document.hidden) p.rt.read(p.ticketId);
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [p.rt, p.ticketId, inboundCount]);

  useEffect(() => {
    if (p.user.role === 'agent') return;
    get<{ items: User[] }>(`/api/v1/users?active=true`).then(
      (r) => setUsers(r.items),
      () => undefined,
    );
  }, [p.user.role]);

  // Colleagues (every role may list them) name the people in handovers; a name the list lacks is looked up again, once per set of unknown ids.
  const loadColleagues = useCallback(() => {
    get<{ items: Colleague[] }>('/api/v1/colleagues').then(
      (r) => setColleagues(r.items),
      () => undefined,
    );
  }, []);
  const unknownIds = useMemo(() => {
    const known = new Set([p.user.id, ...users.map((u) => u.id), ...colleagues.map((c) => c.id), ...p.teams.map((x) => x.id)]);
    const ids = new Set<string>();
    for (const e of detail?.timeline ?? []) {
      if (e.action !== 'transfer') continue;
      for (const id of [e.from, e.to]) if (id && !known.has(id)) ids.add(id);
    }
    return [...ids].sort().join(',');
  }, [detail, users, colleagues, p.teams, p.user.id]);
  const asked = useRef<string | null>(null);
  const shown = detail !== null;
  useEffect(() => {
    if (!shown || (asked.current !== null && (!unknownIds || unknownIds === asked.current))) return;
    asked.current = unknownIds;
    loadColleagues();
  }, [shown, unknownIds, loadColleagues]);

  const change = async (body: Change) => {
    // Resolving a complaint asks its cause and what was done first.
    if (body.status === 'resolved' && detail?.ticket.type === 'complaint') {
      setResolveOpen(true);
      return;
    }
    setSaving(true);
    try {
      const updated = await patch<TicketSummary>(`/api/v1/tickets/${p.ticketId}`, body);
      setDetail((d) => (d ? { ...d, ticket: { ...d.ticket, ...updated } } : d));
      setActionError(null);
      p.onChanged();
      void load();
    } catch (err) {
      setActionError(err);
    } finally {
      setSaving(false);
    }
  };

  const callBack = async () => {
    setCalling(true);
    setCallPlaced(null);
    try {
      // The same key until a call is placed: a second press before the button is disabled places no second call.
      const r = await post<{ agentPhone: string; customer: string }>(`/api/v1/tickets/${p.ticketId}/call-back`, {}, { 'Idempotency-Key': callKey.current });
      callKey.current = randomId();
      setCallPlaced({ agentPhone: r.agentPhone, customer: r.customer });
      setActionError(null);
      void load();
    } catch (err) {
      setActionError(err);
      void load();
    } finally {
      setCalling(false);
    }
  };

  const names = useMemo(() => {
    const out: Record<string, string> = { [p.user.id]: p.user.name };
    for (const x of [...colleagues, ...users, ...p.teams]) out[x.id] = x.name;
    const tk = detail?.ticket;
    if (tk?.assignee) out[tk.assignee.id] = tk.assignee.name;
    if (tk?.team) out[tk.team.id] = tk.team.name;
    for (const e of detail?.timeline ?? []) if (e.actor.kind === 'user' && e.actor.id && e.actor.name) out[e.actor.id] ??= e.actor.name;
    return out;
  }, [users, colleagues, p.teams, p.user, detail]);

  const onTransferred = async (_r: TransferResult, to: string) => {
    setTransferOpen(false);
    const message = t('transfer.done', { number: detail?.ticket.number ?? '', name: to });
    p.onChanged();
    // The hub has recorded the handover when it answers: whether I still see the ticket
    // (an agent who handed it to someone else, a supervisor who moved it out of their teams) is known now.
    let gone = false;
    try {
      const d = await get<TicketDetail>(`/api/v1/tickets/${p.ticketId}`);
      seq.current += 1;
      setDetail(d);
      customerRead(d.readState?.customerReadAt);
    } catch (err) {
      gone = err instanceof ApiError && err.status === 404;
    }
    p.onTransferred(message, gone);
  };

  const retryReply = async (messageId: string) => {
    try {
      await post<Message>(`/api/v1/tickets/${p.ticketId}/messages/${messageId}/retry`);
      setActionError(null);
    } catch (err) {
      setActionError(err);
    }
    p.onChanged();
    await load();
  };

  const onSent = (m: Message) => {
    setDetail((d) => (d && !d.messages.some((x) => x.id === m.id) ? { ...d, messages: [...d.messages, m] } : d));
    p.onChanged();
    void load();
  };

  if (loadError && !detail) {
    const notFound = loadError instanceof ApiError && loadError.status === 404;
    return (
      <div class="empty-main">
        <h2>{notFound ? t('ticket.notFound') : t('ticket.loadFailed')}</h2>
        <ProblemMessage error={loadError} />
      </div>
    );
  }
  if (!detail) return <div class="empty-main muted">{t('app.loading')}</div>;

  const tk = detail.ticket;
  const mineTicket = tk.assignee?.id === p.user.id;
  const canAssign = p.user.role !== 'agent';
  const closed = tk.status === 'closed';
  const addTag = () => {
    const tag = tagDraft.trim();
    setTagDraft('');
    if (tag && !tk.tags.includes(tag)) void change({ tags: [...tk.tags, tag] });
  };
  const canTransfer = !closed && tk.status !== 'resolved' && (canAssign || mineTicket);
  const waiting = !tk.assignee && tk.status !== 'resolved' && !closed;
  // The latest handover note, for whoever received it.
  const handover = [...detail.timeline].reverse().find((e) => e.action === 'transfer');
  const showHandover = handover && handover.detail && handover.actor.id !== p.user.id && (mineTicket || !tk.assignee);
  const frt = tk.firstResponseAt ? duration(new Date(tk.firstResponseAt).getTime() - new Date(tk.createdAt).getTime(), lang) : null;

  return (
    <div class={`ticket-view ${sheet ? 'sheet-open' : ''}`} data-testid="ticket-view" data-ticket-id={tk.id} data-status={tk.status}>
      <section class="ticket-main">
        <header class={`ticket-head ${headOpen ? 'head-open' : ''}`}>
          <div class="ticket-title">
            <h1>
              <span class="muted">{t('ticket.number', { number: tk.number })}</span> <span data-testid="ticket-subject">{tk.subject || t('inbox.noSubject')}</span>
            </h1>
            <div class="row-badges">
              <TypeBadge type={tk.type} />
              <PriorityBadge priority={tk.priority} />
              <ChannelBadge channel={tk.channel} />
              <StatusBadge status={tk.status} />
              <SlaBadge ticket={tk} now={p.now} />
              <AttentionBadge ticket={tk} />
            </div>
          </div>
          {/* Shown where the sidebar is not (styles.css). */}
          <div class="sheet-toggles">
            <button type="button" class="btn small ghost head-toggle" data-action="ticket-details" aria-expanded={headOpen} onClick={() => setHeadOpen((o) => !o)}>
              {t('mobile.details')} <span aria-hidden="true">{headOpen ? '▴' : '▾'}</span>
            </button>
            <button type="button" class="btn small" data-action="open-customer" aria-haspopup="dialog" onClick={() => setSheet('customer')}>
              <Icon name="user" /> {t('mobile.customer')}
            </button>
            <button type="button" class="btn small" data-action="open-timeline" aria-haspopup="dialog" onClick={() => setSheet('timeline')}>
              <Icon name="clock" /> {t('mobile.timeline')}
            </button>
          </div>
          <div class="ticket-facts">
            <span>
              {t('ticket.created')}: {dateTime(tk.createdAt, lang)}
            </span>
            <span data-testid="first-response">
              {t('ticket.firstResponse')}: {frt ?? t('ticket.notYet')}
            </span>
            {tk.team && (
              <span>
                {t('ticket.team')}: {tk.team.name}
              </span>
            )}
          </div>
          <div class="ticket-controls">
            <label>
              <span>{t('ticket.status')}</span>
              <select data-control="status" value={tk.status} disabled={saving} onChange={(e) => void change({ status: e.currentTarget.value as TicketStatus })}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`values.status.${s}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span>{t('ticket.priority')}</span>
              <select data-control="priority" value={tk.priority} disabled={saving} onChange={(e) => void change({ priority: e.currentTarget.value as Priority })}>
                {PRIORITIES.map((s) => (
                  <option key={s} value={s}>
                    {t(`values.priority.${s}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span>{t('ticket.type')}</span>
              <select data-control="type" value={tk.type} disabled={saving} onChange={(e) => void change({ type: e.currentTarget.value as TicketType })}>
                {TICKET_TYPES.map((s) => (
                  <option key={s} value={s}>
                    {t(`values.type.${s}`)}
                  </option>
                ))}
              </select>
            </label>
            <div class="assignee">
              <span class="control-label">{t('ticket.assignee')}</span>
              {canAssign ? (
                <select
                  data-control="assignee"
                  value={tk.assignee?.id ?? ''}
                  disabled={saving}
                  onChange={(e) => void change({ assignee: e.currentTarget.value || null })}
                >
                  <option value="">{t('ticket.unassigned')}</option>
                  {tk.assignee && !users.some((u) => u.id === tk.assignee?.id) && <option value={tk.assignee.id}>{tk.assignee.name}</option>}
                  {users.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name}
                    </option>
                  ))}
                </select>
              ) : (
                <span class="assignee-name" data-testid="assignee">
                  {tk.assignee ? tk.assignee.name : t('ticket.unassigned')}
                </span>
              )}
              {!mineTicket && !closed && (
                <button type="button" class="btn small" disabled={saving} onClick={() => void change({ assignee: p.user.id })}>
                  {t('ticket.take')}
                </button>
              )}
              {mineTicket && !closed && (
                <button type="button" class="btn small ghost" disabled={saving} onClick={() => void change({ assignee: null })}>
                  {t('ticket.release')}
                </button>
              )}
            </div>
            {canTransfer && (
              <button type="button" class="btn small" disabled={saving} onClick={() => setTransferOpen(true)} data-action="transfer">
                <Icon name="swap" /> {t('transfer.action')}
              </button>
            )}
            {!closed && !tk.mergedInto && (
              <button type="button" class="btn small" disabled={saving} onClick={() => setMergeOpen(true)} data-action="ticket-merge">
                <Icon name="merge" /> {t('ticketMerge.action')}
              </button>
            )}
            {tk.channel === 'voice' && !closed && (
              <button type="button" class="btn small" disabled={calling} onClick={() => void callBack()} title={t('ticket.callBackTitle')} data-action="call-back">
                <Icon name="phone" /> {calling ? t('ticket.callingBack') : t('ticket.callBack')}
              </button>
            )}
            {tk.status !== 'resolved' && !closed && (
              <button type="button" class="btn small success" disabled={saving} onClick={() => void change({ status: 'resolved' })} title="Ctrl/⌘+Shift+R">
                <Icon name="check" /> {t('ticket.resolve')}
              </button>
            )}
          </div>
          {tk.suggestion && (
            <SuggestionStage
              ticket={tk}
              onChanged={(updated) => {
                setDetail((d) => (d ? { ...d, ticket: { ...d.ticket, ...updated } } : d));
                p.onChanged();
                void load();
              }}
            />
          )}
          {tk.suggestion && (
            <SuggestionLinks
              ticket={tk}
              onOpenTicket={p.onOpenTicket}
              onChanged={(updated) => {
                setDetail((d) => (d ? { ...d, ticket: { ...d.ticket, ...updated } } : d));
                p.onChanged();
                void load();
              }}
            />
          )}
          {tk.csat && (
            <div class="csat-answer" data-testid="csat-answer" data-score={tk.csat.score}>
              <span class="control-label">{t('csat.label')}</span> <Icon name="star" /> {t('csat.score', { score: tk.csat.score })}
              {tk.csat.comment && <span class="muted"> · “{tk.csat.comment}”</span>}
            </div>
          )}
          <div class="tags" aria-label={t('ticket.tags')}>
            <span class="control-label">{t('ticket.tags')}</span>
            {tk.tags.map((tag) => (
              <span key={tag} class="tag">
                {tag}
                <button
                  type="button"
                  class="tag-x"
                  aria-label={t('ticket.removeTag', { tag })}
                  onClick={() => void change({ tags: tk.tags.filter((x) => x !== tag) })}
                >
                  ×
                </button>
              </span>
            ))}
            <input
              class="tag-input"
              data-control="tag"
              placeholder={t('ticket.addTag')}
              value={tagDraft}
              maxLength={50}
              onInput={(e) => setTagDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ',') {
                  e.preventDefault();
                  addTag();
                }
              }}
              onBlur={() => tagDraft.trim() && addTag()}
            />
          </div>
          {waiting && <QueueInfo ticketId={tk.id} teamId={tk.team?.id ?? null} teamName={tk.team?.name ?? null} rt={p.rt} reloadKey={p.reloadKey} />}
          {showHandover && (
            <div class="handover" data-testid="handover-note">
              <Icon name="swap" />
              <div>
                <strong>{t('transfer.handoverFrom', { name: handover.actor.name || t('conversation.agent') })}</strong>
                <div class="handover-text">{handover.detail}</div>
              </div>
            </div>
          )}
          {tk.mergedInto && <MergedInto targetId={tk.mergedInto} timeline={detail.timeline} onOpenTicket={p.onOpenTicket} />}
          {mergeNotice && (
            <div class="notice info" role="status" data-testid="merge-notice">
              {mergeNotice}
            </div>
          )}
          {callPlaced && (
            <p class="notice info small" role="status" data-testid="call-back-placed">
              <Icon name="phone" size={12} /> {t('ticket.callBackPlaced', callPlaced)}
            </p>
          )}
          {actionError !== null && <ProblemMessage error={actionError} onDismiss={() => setActionError(null)} />}
        </header>

        <Conversation
          messages={detail.messages}
          contactName={detail.contact?.name || tk.contact.name}
          customerTyping={typing.customer}
          customerReadAt={customerReadAt}
          agentsTyping={Object.values(typing.agents)}
          onRetry={retryReply}
          retryDisabled={detail.replyBlockedReason === 'channel_cannot_send'}
        />

        <Composer
          ticket={tk}
          contactName={detail.contact?.name || tk.contact.name}
          user={p.user}
          rt={p.rt}
          canned={p.canned}
          cannotSend={detail.replyBlockedReason === 'channel_cannot_send'}
          replyChannel={detail.replyChannel ?? null}
          onCannedOpen={p.onCannedOpen}
          onSent={onSent}
        />
      </section>

      {sheet && <div class="sheet-backdrop" data-testid="sheet-backdrop" onClick={() => setSheet(null)} />}
      <aside class="sidebar" ref={sidebar} data-testid="sidebar">
        <div class="sheet-head">
          <strong>{sheet === 'timeline' ? t('mobile.timeline') : t('mobile.customer')}</strong>
          <button type="button" class="icon-btn" data-action="close-sheet" aria-label={t('mobile.closeSheet')} onClick={() => setSheet(null)}>
            <Icon name="close" size={18} />
          </button>
        </div>
        <CustomerPanel contact={detail.contact} visitor={detail.webVisitor ?? null} currentId={tk.id} reloadKey={p.reloadKey} onOpenTicket={p.onOpenTicket} />
        <Timeline events={detail.timeline} names={names} />
      </aside>
      {mergeOpen && (
        <TicketMergeDialog
          ticket={tk}
          onClose={() => setMergeOpen(false)}
          onMerged={(target) => {
            setMergeOpen(false);
            setMergeNotice(t('ticketMerge.done', { source: tk.number, target: target.number }));
            p.onChanged();
            void load();
          }}
        />
      )}
      {resolveOpen && (
        <ComplaintResolveDialog
          ticket={tk}
          onClose={() => setResolveOpen(false)}
          onResolved={(updated) => {
            setResolveOpen(false);
            setDetail((d) => (d ? { ...d, ticket: { ...d.ticket, ...updated } } : d));
            setActionError(null);
            p.onChanged();
            void load();
          }}
        />
      )}
      {transferOpen && <TransferDialog ticket={tk} user={p.user} presence={p.presence} onClose={() => setTransferOpen(false)} onDone={(r, to) => void onTransferred(r, to)} />}
    </div>
  );
}
