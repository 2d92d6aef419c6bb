import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { useI18n, type MsgKey } from '../i18n/index';
import type { Selection } from '../hooks/use-selection';
import { STATUSES, type Team, type TicketStatus, type TicketSummary, type User } from '../types';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';

type Failure = { id: string; ok: false; number: number | null; status: number; code: 'closed' | 'forbidden' | 'not_found' | 'conflict' | 'invalid' | 'bad_request'; detail: string };
/** POST /api/v1/tickets/bulk (its schema is declared in src/http/routes/tickets.routes.ts). */
export interface BulkAnswer {
  updated: number;
  failed: number;
  results: Array<{ id: string; ok: true; ticket: TicketSummary } | Failure>;
}
type Change = { assignee?: string | null; team?: string; status?: TicketStatus; addTags?: string[] };

const PROBLEM_KEY: Record<Failure['code'], MsgKey> = {
  closed: 'problems.conflict',
  forbidden: 'problems.forbidden',
  not_found: 'problems.not_found',
  conflict: 'problems.conflict',
  invalid: 'problems.validation',
  bad_request: 'problems.bad_request',
};

/** The bar over the inbox while rows are selected: assign (an agent or a team), set the status, add a tag. */
export function BulkActions({ user, teams, selection, onDone }: { user: User; teams: Team[]; selection: Selection; onDone(): void }) {
  const { t, lang } = useI18n();
  const [users, setUsers] = useState<User[]>([]);
  const [tag, setTag] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ text: string; failed: boolean } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const lead = user.role !== 'agent';

  useEffect(() => {
    if (!lead) return;
    get<{ items: User[] }>('/api/v1/users?active=true').then(
      (r) => setUsers(r.items),
      () => undefined,
    );
  }, [lead]);

  const reason = (f: Failure): string => {
    if (f.number === null) return t('bulk.notVisible');
    if (f.code === 'closed') return t('bulk.isClosed', { number: f.number });
    return `#${f.number}: ${lang === 'en' ? f.detail : t(PROBLEM_KEY[f.code])}`;
  };

  const apply = async (change: Change) => {
    if (busy || selection.ids.length === 0) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await post<BulkAnswer>('/api/v1/tickets/bulk', { ticketIds: selection.ids, ...change });
      const failures = r.results.filter((x): x is Failure => !x.ok);
      const text = failures.length
        ? `${t('bulk.someFailed', { updated: r.updated, failed: r.failed })} ${failures.map(reason).join('; ')}`
        : t('bulk.allUpdated', { updated: r.updated });
      setResult({ text, failed: failures.length > 0 });
      // What failed stays selected, to try again or look at.
      selection.keep(failures.map((f) => f.id));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const onAssign = (value: string) => {
    if (!value) return;
    const [kind, id] = value.split(':');
    if (kind === 'me') void apply({ assignee: user.id });
    else if (kind === 'none') void apply({ assignee: null });
    else if (kind === 'user' && id) void apply({ assignee: id });
    else if (kind === 'team' && id) void apply({ team: id });
  };

  const addTag = () => {
    const v = tag.trim();
    if (!v) return;
    setTag('');
    void apply({ addTags: [v] });
  };

  return (
    <div class="bulk-bar" role="region" aria-label={t('bulk.title')} data-testid="bulk-bar">
      {selection.some && (
        <div class="bulk-controls">
          <strong data-testid="bulk-count">{t('bulk.selected', { count: selection.ids.length })}</strong>
          <label>
            <span class="sr-only">{t('bulk.assign')}</span>
            <select data-bulk="assign" value="" disabled={busy} aria-label={t('bulk.assign')} onChange={(e) => onAssign(e.currentTarget.value)}>
              <option value="">{t('bulk.assign')}…</option>
              <option value="me">{t('bulk.toMe')}</option>
              <option value="none">{t('bulk.unassign')}</option>
              {lead && users.length > 0 && (
                <optgroup label={t('bulk.agents')}>
                  {users.map((u) => (
                    <option key={u.id} value={`user:${u.id}`}>
                      {u.name}
                    </option>
                  ))}
                </optgroup>
              )}
              {lead && teams.length > 0 && (
                <optgroup label={t('bulk.teams')}>
                  {teams.map((x) => (
                    <option key={x.id} value={`team:${x.id}`}>
                      {x.name}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </label>
          <label>
            <span class="sr-only">{t('bulk.status')}</span>
            <select
              data-bulk="status"
              value=""
              disabled={busy}
              aria-label={t('bulk.status')}
              onChange={(e) => e.currentTarget.value && void apply({ status: e.currentTarget.value as TicketStatus })}
            >
              <option value="">{t('bulk.status')}…</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`values.status.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <span class="bulk-tag">
            <input
              type="text"
              data-bulk="tag"
              maxLength={50}
              placeholder={t('bulk.tag')}
              aria-label={t('bulk.tag')}
              value={tag}
              disabled={busy}
              onInput={(e) => setTag(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addTag();
                }
              }}
            />
            <button type="button" class="btn small" data-action="bulk-tag" disabled={busy || !tag.trim()} onClick={addTag}>
              <Icon name="tag" size={12} /> {t('bulk.addTag')}
            </button>
          </span>
          <button type="button" class="btn small ghost" data-action="bulk-clear" onClick={selection.clear}>
            {t('bulk.clear')}
          </button>
        </div>
      )}
      {result && (
        <div class={`notice ${result.failed ? 'warn' : 'info'}`} role="status" data-testid="bulk-result">
          <span>{result.text}</span>
          <button type="button" class="icon-btn" aria-label={t('transfer.dismiss')} onClick={() => setResult(null)}>
            ×
          </button>
        </div>
      )}
      {error !== null && <ProblemMessage error={error} onDismiss={() => setError(null)} />}
    </div>
  );
}
