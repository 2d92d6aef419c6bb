import { ApiError } from '../api';
import { useI18n, type MsgKey } from '../i18n/index';
import { ProblemMessage } from './ProblemMessage';

const REFERENCE_KEYS: Record<string, MsgKey> = {
  default_team: 'teamDelete.default_team',
  open_tickets: 'teamDelete.open_tickets',
  members: 'teamDelete.members',
  queue_rules: 'teamDelete.queue_rules',
  queue_fallback: 'teamDelete.queue_fallback',
  channel_instances: 'teamDelete.channel_instances',
};

/**
 * Why a team could not be deleted: for the hub's `team_in_use` refusal, one line per thing still
 * pointing at it and what to move first; any other problem as usual.
 */
export function TeamDeleteProblem({ error, teamName, onDismiss }: { error: unknown; teamName: string; onDismiss(): void }) {
  const { t } = useI18n();
  if (!(error instanceof ApiError) || error.code !== 'team_in_use') return <ProblemMessage error={error} onDismiss={onDismiss} />;
  return (
    <div class="problem" role="alert" data-testid="team-in-use">
      <div class="problem-text">
        <strong class="problem-title">{t('teamDelete.inUse', { name: teamName })}</strong>
        <ul class="problem-fields">
          {error.errors.map((e) => {
            const key = e.code ? REFERENCE_KEYS[e.code] : undefined;
            return (
              <li key={e.field} data-reason={e.field}>
                {key ? t(key, e.params ?? {}) : e.message}
              </li>
            );
          })}
        </ul>
      </div>
      <button type="button" class="icon-btn" aria-label="×" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
