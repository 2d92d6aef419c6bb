import { useState } from 'preact/hooks';
import { post } from '../api';
import { useI18n, type MsgKey } from '../i18n/index';
import type { TicketSummary } from '../types';
import { ProblemMessage } from './ProblemMessage';

type Stage = NonNullable<TicketSummary['suggestion']>['stage'];
/** The steps the hub allows (src/care/suggestion.state.ts); the hub checks again. */
const NEXT: Record<Stage, Stage[]> = {
  under_review: ['accepted', 'declined'],
  accepted: ['planned', 'shipped', 'declined'],
  planned: ['shipped', 'declined'],
  shipped: [],
  declined: ['under_review'],
};

/** A suggestion's lifecycle stage and the control that moves it (declining asks for a reason). */
export function SuggestionStage(p: { ticket: TicketSummary; onChanged(t: TicketSummary): void }) {
  const { t } = useI18n();
  const s = p.ticket.suggestion;
  const [to, setTo] = useState<Stage | ''>('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  if (!s) return null;
  const stageName = (x: Stage) => t(`suggestion.stages.${x}` as MsgKey);
  const next = s.duplicateOf ? [] : NEXT[s.stage];

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!to) return;
    setSaving(true);
    try {
      const updated = await post<TicketSummary>(`/api/v1/tickets/${p.ticket.id}/suggestion`, { stage: to, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      setTo('');
      setReason('');
      setError(null);
      p.onChanged(updated);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="suggestion-stage" data-testid="suggestion-stage" data-stage={s.stage} onSubmit={(e) => void submit(e)}>
      <span class="control-label">{t('suggestion.stage')}</span>
      <span class="badge" data-value={s.stage}>
        {stageName(s.stage)}
      </span>
      {s.reason && <span class="muted"> · {s.reason}</span>}
      {s.duplicateOf && <span class="muted"> · {t('suggestion.duplicate')}</span>}
      {next.length > 0 && (
        <>
          <select name="stage" aria-label={t('suggestion.moveTo')} value={to} onChange={(e) => setTo(e.currentTarget.value as Stage | '')}>
            <option value="">{t('suggestion.moveTo')}</option>
            {next.map((x) => (
              <option key={x} value={x}>
                {stageName(x)}
              </option>
            ))}
          </select>
          {to === 'declined' && <input name="reason" required maxLength={1000} placeholder={t('suggestion.reason')} aria-label={t('suggestion.reason')} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
          <button type="submit" class="btn small" disabled={saving || !to || (to === 'declined' && !reason.trim())} data-action="suggestion-stage">
            {t('suggestion.change')}
          </button>
        </>
      )}
      {error !== null && <ProblemMessage error={error} onDismiss={() => setError(null)} />}
    </form>
  );
}
