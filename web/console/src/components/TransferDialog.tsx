import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, post } from '../api';
import { useI18n } from '../i18n/index';
import type { Presence, Team, TicketSummary, TransferResult, User } from '../types';
import { Dialog } from './Dialog';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';

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
const PRESENCE_RANK: Record<Presence | 'unknown', number> = { online: 0, away: 1, unknown: 2, offline: 3 };

/**
 * Customer handover: to a colleague (online first) or into a team's queue, with a note for
 * whoever gets it. The hub decides (POST /tickets/:id/transfer); its refusal is shown as is.
 */
export function TransferDialog({ ticket, user, presence, onClose, onDone }: TransferDialogProps) {
  const { t, lang } = useI18n();
  // GET /users is for supervisors and admins: agents hand over to a team.
  const canPickAgent = user.role !== 'agent';
  const [mode, setMode] = useState<Mode>(canPickAgent ? 'agent' : 'team');
  const [users, setUsers] = useState<User[] | null>(canPickAgent ? null : []);
  const [teams, setTeams] = useState<Team[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [agentId, setAgentId] = useState('');
  const [teamId, setTeamId] = useState('');
  const [filter, setFilter] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const list = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    const failed = (err: unknown) => {
      if (live) setLoadError(err);
      return [];
    };
    get<{ items: Team[] }>('/api/v1/teams').then(
      (r) => r.items,
      failed,
    ).then((items) => live && setTeams(items));
    if (canPickAgent) {
      get<{ items: User[] }>('/api/v1/users?active=true').then(
        (r) => r.items,
        failed,
      ).then((items) => live && setUsers(items));
    }
    return () => {
      live = false;
    };
  }, [canPickAgent]);

  const loaded = users !== null && teams !== null;
  // Once the choices are there, the first one gets focus (arrow keys move through them).
  const focused = useRef(false);
  useEffect(() => {
    if (!loaded || focused.current) return;
    focused.current = true;
    list.current?.querySelector<HTMLInputElement>('input[type=radio]:not([disabled])')?.focus();
  }, [loaded]);

  const agents = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const rank = (u: User) => PRESENCE_RANK[presence[u.id] ?? 'unknown'];
    const inTeam = (u: User) => (ticket.team && u.teams.includes(ticket.team.id) ? 0 : 1);
    return (users ?? [])
      .filter((u) => u.active !== false && u.teams.length > 0)
      .filter((u) => !needle || u.name.toLowerCase().includes(needle) || u.email.toLowerCase().includes(needle))
      .sort((a, b) => rank(a) - rank(b) || inTeam(a) - inTeam(b) || a.name.localeCompare(b.name, lang));
  }, [users, filter, presence, ticket.team, lang]);

  const teamName = (id: string) => teams?.find((x) => x.id === id)?.name ?? '';
  const target = mode === 'agent' ? agentId : teamId;

  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (!target || busy) return;
    setBusy(true);
    setError(null);
    try {
      const body = mode === 'agent' ? { toAgentId: agentId, note: note.trim() } : { toTeamId: teamId, note: note.trim() };
      const result = await post<TransferResult>(`/api/v1/tickets/${ticket.id}/transfer`, body);
      const to = mode === 'agent' ? (users?.find((u) => u.id === agentId)?.name ?? '') : teamName(teamId);
      onDone(result, to);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const teamsOf = (u: User) =>
    u.teams
      .map(teamName)
      .filter(Boolean)
      .join(', ');

  return (
    <Dialog labelledBy="transfer-title" onClose={onClose} class="transfer-dialog" testId="transfer-dialog">
      <h2 id="transfer-title">{t('transfer.title', { number: ticket.number })}</h2>
      <form onSubmit={(e) => void submit(e)}>
        {canPickAgent ? (
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
        ) : (
          <p class="muted small transfer-hint">{t('transfer.teamsOnly')}</p>
        )}

        {loadError !== null && <ProblemMessage error={loadError} />}
        {!loaded && <p class="muted">{t('app.loading')}</p>}

        {loaded && mode === 'agent' && (
          <>
            {!ticket.assignee && <p class="muted small transfer-hint">{t('transfer.nobodyHolds')}</p>}
            <input
              type="search"
              class="pick-filter"
              placeholder={t('transfer.filter')}
              aria-label={t('transfer.filter')}
              value={filter}
              onInput={(e) => setFilter(e.currentTarget.value)}
            />
            <div ref={list} class="pick-list" role="radiogroup" aria-label={t('transfer.agents')} data-testid="transfer-agents">
              {agents.length === 0 && <p class="muted small pick-empty">{t('transfer.noAgents')}</p>}
              {agents.map((u) => {
                const p = presence[u.id];
                const holds = ticket.assignee?.id === u.id;
                return (
                  <label key={u.id} class={`pick-row ${agentId === u.id ? 'checked' : ''} ${holds ? 'disabled' : ''}`} data-agent-id={u.id} data-presence={p ?? 'unknown'}>
                    <input type="radio" name="transfer-agent" value={u.id} checked={agentId === u.id} disabled={holds} onChange={() => setAgentId(u.id)} />
                    <span class="pick-main">
                      <span class="pick-name">
                        {u.name}
                        {u.id === user.id && <span class="muted"> {t('transfer.you')}</span>}
                      </span>
                      <span class="pick-sub muted small">{holds ? t('transfer.holdsIt') : teamsOf(u)}</span>
                    </span>
                    <span class={`pick-presence presence-${p ?? 'unknown'}`}>
                      <span class="dot" aria-hidden="true" /> {p ? t(`presence.${p}`) : t('transfer.presenceUnknown')}
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

        <ProblemMessage error={error} onDismiss={() => setError(null)} />

        <div class="dialog-actions">
          <button type="button" class="btn ghost" onClick={onClose}>
            {t('transfer.cancel')}
          </button>
          <button type="submit" class="btn primary" disabled={!target || busy} data-action="transfer-submit">
            <Icon name="swap" /> {busy ? t('transfer.submitting') : t('transfer.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
