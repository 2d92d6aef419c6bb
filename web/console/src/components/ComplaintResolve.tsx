import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch } from '../api';
import { useI18n } from '../i18n/index';
import type { TicketSummary } from '../types';
import { Dialog } from './Dialog';
import { ProblemMessage } from './ProblemMessage';

/** Asks the cause (the admins' list) and what was done before a complaint is resolved. */
export function ComplaintResolveDialog(p: { ticket: TicketSummary; onClose(): void; onResolved(t: TicketSummary): void }) {
  const { t } = useI18n();
  const [causes, setCauses] = useState<string[]>([]);
  const [cause, setCause] = useState('');
  const [action, setAction] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    get<{ causes: string[] }>('/api/v1/settings/complaints').then(
      (s) => setCauses(s.causes),
      (err: unknown) => setError(err),
    );
  }, []);

  const causeError = error instanceof ApiError ? error.errors.find((e) => e.field === 'cause') : undefined;
  const submit = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    try {
      const updated = await patch<TicketSummary>(`/api/v1/tickets/${p.ticket.id}`, { status: 'resolved', ...(cause ? { cause } : {}), ...(action.trim() ? { actionTaken: action.trim() } : {}) });
      p.onResolved(updated);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog labelledBy="complaint-resolve-title" onClose={p.onClose} testId="complaint-resolve">
      <form class="dialog-form" onSubmit={(e) => void submit(e)}>
        <h2 id="complaint-resolve-title">{t('complaintResolve.title', { number: p.ticket.number })}</h2>
        <label class="field">
          <span>{t('complaintResolve.cause')}</span>
          <select name="cause" value={cause} required onChange={(e) => setCause(e.currentTarget.value)} aria-invalid={causeError ? 'true' : undefined}>
            <option value="">{t('complaintResolve.chooseCause')}</option>
            {causes.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          {causeError && <span class="field-error">{t('complaintResolve.causeRequired')}</span>}
        </label>
        <label class="field">
          <span>{t('complaintResolve.action')}</span>
          <textarea name="actionTaken" rows={3} maxLength={2000} value={action} onInput={(e) => setAction(e.currentTarget.value)} />
        </label>
        {error !== null && !causeError && <ProblemMessage error={error} />}
        <div class="dialog-actions">
          <button type="button" class="btn ghost" onClick={p.onClose}>
            {t('complaintResolve.cancel')}
          </button>
          <button type="submit" class="btn success" disabled={saving || !cause} data-action="confirm-resolve">
            {t('complaintResolve.confirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
