import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, post } from '../api';
import { useI18n } from '../i18n/index';
import type { Colleague, Presence, Team, TicketSummary, TransferResult, User } from '../types';
import { Dialog } from './Dialog';
import { FilterInput, FormFooter, LoadState, useSubmission } from './Form';
import { Icon } from './Icon';

export interface TransferDialogProps {
  ticket: TicketSummary;
  user: User;
  /** What the console has heard about colleagues' presence (agent.presence events). */
  presence: Record<string, Presence>;
  onClose(): void;
  /** The hub moved the ticket; `to` is the name of the agent or team it went to. */
  onDone(result: TransferResult, to: string): void;
}

type Mode = 'agent' | 'team';
const PRESENCE_RANK: Record<Presence, number> = { online: 0, away: 1, offline: 2 };
/** Routing counts live conversations and asynchronous work in separate pools. */
const CHAT_CHANNELS: ReadonlySet<string> = new Set(['webchat', 'voice']);
/**
 * Agents' consoles hear no colleague's presence (the hub sends it to supervisors and admins) and
 * nobody's consoles hear load changes: the list is asked again while the dialog is open.
 */
const REFRESH_MS = 10_000;

/**
 * Customer handover: to a colleague (online first, with routing's status and load) or into a
 * team's queue, with a note for whoever gets it. The hub decides (POST /tickets/:id/transfer);
 * its refusal is shown as is.
 */
export function TransferDialog({ ticket, user, presence, onClose, onDone }: TransferDialogProps) {
  const { t, lang } = useI18n();
  // Agents hand over only to someone online (routing refuses the others); supervisors may move it to anyone.
  const onlineOnly = user.role === 'agent';
  const [mode, setMode] = useState<Mode>('agent');
  const [colleagues, setColleagues] = useState<Colleague[] | null>(null);
  const [teams, setTeams] = useState<Team[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [agentId, setAgentId] = useState('');
  const [teamId, setTeamId] = useState('');
  const [filter, setFilter] = useState('');
  const [note, setNote] = useState('');
  const { busy, error, setError, submit: send } = useSubmission();
  const list = useRef<HTMLDivElement>(null);

  // Presence changes the console hears while the dialog is open, and when: newer than a list asked for before.
  const before = useRef(presence);
  const [heard, setHeard] = useState<Record<string, { status: Presence; at: number }>>({});
  useEffect(() => {
    const changed = Object.entries(presence).filter(([id, p]) => before.current[id] !== p);
    before.current = presence;
    const at = Date.now();
    if (changed.length > 0) setHeard((h) => ({ ...h, ...Object.fromEntries(changed.map(([id, status]) => [id, { status, at }])) }));
  }, [presence]);

  useEffect(() => {
    let live = true;
    get<{ items: Team[] }>('/api/v1/teams').then(
      (r) => live && setTeams(r.items),
      (err: unknown) => {
        if (!live) return;
        setLoadError(err);
        setTeams([]);
      },
    );
    const ask = (first: boolean) => {
      const asked = Date.now();
      get<{ items: Colleague[] }>('/api/v1/colleagues').then(
        (r) => {
          if (!live) return;
          setColleagues(r.items);
          // Routing's answer is newer than what was heard before it was asked.
          setHeard((h) => Object.fromEntries(Object.entries(h).filter(([, x]) => x.at >= asked)));
        },
        (err: unknown) => {
          if (!live || !first) return;
          setLoadError(err);
          setColleagues([]);
        },
      );
    };
    ask(true);
    const timer = setInterval(() => ask(false), REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  // The list comes with routing's status of each colleague.
  const statusOf = (c: Colleague): Presence => heard[c.id]?.status ?? c.status;

  const loaded = colleagues !== null && teams !== null;
  // Once the choices are there, the first one gets focus (arrow keys move through them).
  const focused = useRef(false);
  useEffect(() => {
    if (!loaded || focused.current) return;
    focused.current = true;
    list.current?.querySelector<HTMLInputElement>('input[type=radio]:not([disabled])')?.focus();
  }, [loaded]);

  const agents = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const rank = (c: Colleague) => PRESENCE_RANK[heard[c.id]?.status ?? c.status] ?? 3;
    const inTeam = (c: Colleague) => (ticket.team && c.teams.includes(ticket.team.id) ? 0 : 1);
    return (colleagues ?? [])
      .filter((c) => !needle || c.name.toLowerCase().includes(needle))
      .sort((a, b) => rank(a) - rank(b) || inTeam(a) - inTeam(b) || a.name.localeCompare(b.name, lang));
  }, [colleagues, filter, heard, ticket.team, lang]);

  // Someone picked who went away meanwhile cannot take it (for agents): the choice is dropped.
  const picked = colleagues?.find((c) => c.id === agentId);
  const pickable = (c: Colleague) => ticket.assignee?.id !== c.id && (!onlineOnly || statusOf(c) === 'online');
  useEffect(() => {
    if (picked && !pickable(picked)) setAgentId('');
  });

  const teamName = (id: string) => teams?.find((x) => x.id === id)?.name ?? '';
  const target = mode === 'agent' ? agentId : teamId;

  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (!target || busy) return;
    await send(async () => {
      const body = mode === 'agent' ? { toAgentId: agentId, note: note.trim() } : { toTeamId: teamId, note: note.trim() };
      const result = await post<TransferResult>(`/api/v1/tickets/${ticket.id}/transfer`, body);
      const to = mode === 'agent' ? (picked?.name ?? '') : teamName(teamId);
      onDone(result, to);
    });
  };

  const kind = CHAT_CHANNELS.has(ticket.channel) ? 'chat' : 'async';
  /** "2/5 chats": the pool this ticket would count against. */
  const loadOf = (c: Colleague) => {
    if (!c.limits) return null;
    const vars = { load: c.load[kind], limit: c.limits[kind] };
    return { text: t(kind === 'chat' ? 'transfer.loadChat' : 'transfer.loadAsync', vars), full: vars.load >= vars.limit };
  };

  const teamsOf = (c: Colleague) =>
    c.teams
      .map(teamName)
      .filter(Boolean)
      .join(', ');

  return (
    <Dialog labelledBy="transfer-title" onClose={onClose} class="transfer-dialog" testId="transfer-dialog">
      <h2 id="transfer-title">{t('transfer.title', { number: ticket.number })}</h2>
      <form onSubmit={(e) => void submit(e)}>
        <div class="segmented" role="radiogroup" aria-label={t('transfer.to')}>
          {(['agent', 'team'] as const).map((m) => (
            <label key={m} class={mode === m ? 'active' : ''}>
              <input
                type="radio"
                name="transfer-mode"
                value={m}
                checked={mode === m}
                onChange={() => {
                  setMode(m);
                  setError(null);
                }}
                data-mode={m}
              />
              <Icon name={m === 'agent' ? 'user' : 'users'} /> {m === 'agent' ? t('transfer.toAgent') : t('transfer.toTeam')}
            </label>
          ))}
        </div>

        <LoadState error={loadError} loading={!loaded} />

        {loaded && mode === 'agent' && (
          <>
            {!ticket.assignee && <p class="muted small transfer-hint">{t('transfer.nobodyHolds')}</p>}
            {ticket.assignee && onlineOnly && <p class="muted small transfer-hint">{t('transfer.onlineOnly')}</p>}
            <FilterInput label={t('transfer.filter')} value={filter} onChange={setFilter} />
            <div ref={list} class="pick-list" role="radiogroup" aria-label={t('transfer.agents')} data-testid="transfer-agents">
              {agents.length === 0 && <p class="muted small pick-empty">{t('transfer.noAgents')}</p>}
              {agents.map((c) => {
                const status = statusOf(c);
                const holds = ticket.assignee?.id === c.id;
                const can = pickable(c);
                const load = loadOf(c);
                return (
                  <label key={c.id} class={`pick-row ${agentId === c.id ? 'checked' : ''} ${can ? '' : 'disabled'}`} data-agent-id={c.id} data-presence={status}>
                    <input type="radio" name="transfer-agent" value={c.id} checked={agentId === c.id} disabled={!can} onChange={() => setAgentId(c.id)} />
                    <span class="pick-main">
                      <span class="pick-name">
                        {c.name}
                        {c.id === user.id && <span class="muted"> {t('transfer.you')}</span>}
                      </span>
                      <span class="pick-sub muted small">{holds ? t('transfer.holdsIt') : teamsOf(c)}</span>
                    </span>
                    {/* Keyed by the status: a new element, so Chromium restyles the dot (it kept the old colour when only the class changed). */}
                    <span key={status} class={`pick-presence presence-${status}`} data-testid="colleague-status">
                      <span class="dot" aria-hidden="true" />
                      <span>
                        {t(`presence.${status}`)}
                        {load && (
                          <span class={`pick-load ${load.full ? 'full' : ''}`} data-load-full={load.full ? 'true' : undefined}>
                            {' · '}
                            {load.text}
                            {load.full && ` · ${t('transfer.full')}`}
                          </span>
                        )}
                      </span>
                    </span>
                  </label>
                );
              })}
            </div>
          </>
        )}

        {loaded && mode === 'team' && (
          <div ref={list} class="pick-list" role="radiogroup" aria-label={t('transfer.teams')} data-testid="transfer-teams">
            {(teams ?? []).length === 0 && <p class="muted small pick-empty">{t('transfer.noTeams')}</p>}
            {(teams ?? []).map((team) => (
              <label key={team.id} class={`pick-row ${teamId === team.id ? 'checked' : ''}`} data-team-id={team.id}>
                <input type="radio" name="transfer-team" value={team.id} checked={teamId === team.id} onChange={() => setTeamId(team.id)} />
                <span class="pick-main">
                  <span class="pick-name">{team.name}</span>
                  {(ticket.team?.id === team.id || team.description) && (
                    <span class="pick-sub muted small">{ticket.team?.id === team.id ? t('transfer.currentTeam') : team.description}</span>
                  )}
                </span>
              </label>
            ))}
          </div>
        )}

        <label class="field transfer-note">
          <span>{t('transfer.note')}</span>
          <textarea
            name="note"
            rows={3}
            maxLength={2000}
            placeholder={t('transfer.notePlaceholder')}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void submit();
              }
            }}
          />
        </label>

        <FormFooter
          error={error}
          onDismissError={() => setError(null)}
          cancelLabel={t('transfer.cancel')}
          onCancel={onClose}
          submitDisabled={!target || busy}
          submitAction="transfer-submit"
        >
          <Icon name="swap" /> {busy ? t('transfer.submitting') : t('transfer.submit')}
        </FormFooter>
      </form>
    </Dialog>
  );
}
