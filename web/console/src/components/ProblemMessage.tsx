import { ApiError } from '../api';
import { useI18n } from '../i18n/index';

/**
 * An API error as the agent should read it: the problem's title, its detail, the fields at fault
 * (except those in `shownAtFields`, which the form shows next to the field itself).
 */
export function ProblemMessage({ error, onDismiss, shownAtFields = [] }: { error: unknown; onDismiss?: () => void; shownAtFields?: readonly string[] }) {
  const { t } = useI18n();
  if (!error) return null;
  let title = t('errors.generic');
  let detail = '';
  let fields: string[] = [];
  if (error instanceof ApiError) {
    if (error.status === 0) title = t('errors.network');
    else {
      title = error.title;
      detail = error.detail;
      fields = error.errors.filter((e) => !shownAtFields.includes(e.field)).map((e) => `${e.field}: ${e.message}`);
    }
  } else if (error instanceof Error) detail = error.message;
  return (
    <div class="problem" role="alert" data-testid="problem">
      <div class="problem-text">
        <strong class="problem-title">{title}</strong>
        {detail && <span class="problem-detail"> {detail}</span>}
        {fields.length > 0 && (
          <ul class="problem-fields">
            {fields.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        )}
      </div>
      {onDismiss && (
        <button type="button" class="icon-btn" aria-label="×" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}
