import { ApiError, type FieldProblem } from '../api';
import { isLang, translator, useI18n, type Lang, type MsgKey, type Translate } from '../i18n/index';

const CODE = /^[a-z_]+$/;

/** A problem's title in the console's language (by its code), else (and in English) the hub's own title. */
export function problemTitle(t: Translate, lang: Lang, err: ApiError): string {
  if (lang === 'en' || !CODE.test(err.code)) return err.title;
  const key = `problems.${err.code}`;
  const out = t(key as MsgKey);
  return out === key ? err.title : out;
}

/** A field error in the console's language: English keeps the hub's precise words; others say the check that failed. */
export function fieldMessage(t: Translate, lang: Lang, fe: FieldProblem): string {
  if (lang === 'en' || !fe.code || !CODE.test(fe.code)) return fe.message;
  const key = `problems.fields.${fe.code}`;
  const out = t(key as MsgKey);
  return out === key ? fe.message : out;
}

/** The console's language now (the document says it), for code outside components. */
export function currentLang(): Lang {
  const l = typeof document !== 'undefined' ? document.documentElement.lang : 'en';
  return isLang(l) ? l : 'en';
}
export const currentTranslator = (): { t: Translate; lang: Lang } => {
  const lang = currentLang();
  return { t: translator(lang), lang };
};

/**
 * An API error as the agent should read it: the problem's title, its detail, the fields at fault
 * (except those in `shownAtFields`, which the form shows next to the field itself).
 */
export function ProblemMessage({ error, onDismiss, shownAtFields = [] }: { error: unknown; onDismiss?: () => void; shownAtFields?: readonly string[] }) {
  const { t, lang } = useI18n();
  if (!error) return null;
  let title = t('errors.generic');
  let detail = '';
  /** The hub's English detail, out of the way, when the console speaks another language. */
  let original = '';
  let fields: string[] = [];
  if (error instanceof ApiError) {
    if (error.status === 0) title = t('errors.network');
    else {
      title = problemTitle(t, lang, error);
      const translated = title !== error.title;
      if (lang === 'en' || !translated) detail = error.detail;
      else original = error.detail;
      fields = error.errors.filter((e) => !shownAtFields.includes(e.field)).map((e) => `${e.field}: ${fieldMessage(t, lang, e)}`);
    }
  } else if (error instanceof Error) detail = error.message;
  return (
    <div class="problem" role="alert" data-testid="problem">
      <div class="problem-text">
        <strong class="problem-title">{title}</strong>
        {detail && <span class="problem-detail"> {detail}</span>}
        {original && (
          <details class="problem-original small">
            <summary>{t('problems.original')}</summary>
            {original}
          </details>
        )}
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
