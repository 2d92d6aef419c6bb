import type { ComponentChildren, RefObject } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, type FieldProblem } from '../api';
import { useI18n } from '../i18n/index';
import { currentTranslator, fieldMessage, ProblemMessage } from './ProblemMessage';

/** Pieces the console's forms share: the API's field errors next to the field at fault, the footer, a filter, load states. */

/** A space-separated id list for aria-describedby, or nothing. */
export const describedBy = (...ids: Array<string | false | undefined>): string | undefined => ids.filter(Boolean).join(' ') || undefined;

export interface FieldErrors<K extends string> {
  /** The message shown at each place of the form. */
  errors: Partial<Record<K, string>>;
  set(errors: Partial<Record<K, string>>): void;
  /** Takes these places' errors away (the user changed what they were about). */
  clear(...keys: K[]): void;
  /** Takes away the errors at `prefix` and below it (`prefix.…`). */
  drop(prefix: string): void;
  errorId(key: K): string;
  /** aria-invalid and aria-describedby for the control at `key` (and its hint, if any). */
  aria(key: K, hintId?: string): { 'aria-invalid': true | undefined; 'aria-describedby': string | undefined };
  /** The message next to the control, or nothing. */
  message(key: K): ComponentChildren;
}

/** Field errors a form shows next to its controls; `errorId` names each message element. */
export function useFieldErrors<K extends string>(errorId: (key: K) => string): FieldErrors<K> {
  const [errors, set] = useState<Partial<Record<K, string>>>({});
  const clear = (...keys: K[]) =>
    set((e) => {
      if (!keys.some((k) => e[k])) return e;
      const next = { ...e };
      for (const k of keys) delete next[k];
      return next;
    });
  const drop = (prefix: string) =>
    set((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== prefix && !k.startsWith(`${prefix}.`))) as Partial<Record<K, string>>);
  return {
    errors,
    set,
    clear,
    drop,
    errorId,
    aria: (key, hintId) => ({ 'aria-invalid': errors[key] ? true : undefined, 'aria-describedby': describedBy(errors[key] && errorId(key), hintId) }),
    message: (key) =>
      errors[key] ? (
        <span class="field-error" id={errorId(key)} data-field-error={key}>
          {errors[key]}
        </span>
      ) : null,
  };
}

/**
 * A problem+json answer's field errors by where the form shows them (`placeOf`: null, not shown
 * there): the first message at each place, and the API fields so placed.
 */
export function placeFieldErrors<K extends string>(err: ApiError, placeOf: (field: FieldProblem['field']) => K | null): { at: Partial<Record<K, string>>; placed: string[] } {
  const at: Partial<Record<K, string>> = {};
  const placed: string[] = [];
  const { t, lang } = currentTranslator();
  for (const fe of err.errors) {
    const key = placeOf(fe.field);
    if (key === null) continue;
    at[key] ??= fieldMessage(t, lang, fe);
    placed.push(fe.field);
  }
  return { at, placed };
}

/** Once the form shows its field errors, the first control at fault gets focus. */
export const focusFirstInvalid = (form: RefObject<HTMLElement | null>): void => {
  requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid=true]')?.focus());
};

/**
 * Where a form puts the API's field errors: `show(err, placeOf)` sets them next to the fields
 * (`adjust` may reword them first) and focuses the first one at fault; `shownAt` are the API's
 * fields so shown, which the footer's problem leaves out. Errors other than the API's are left to the footer.
 */
export function usePlacedErrors<K extends string>(fields: FieldErrors<K>, form: RefObject<HTMLElement | null>) {
  const [shownAt, setShownAt] = useState<string[]>([]);
  const show = (err: unknown, placeOf: (field: FieldProblem['field']) => K | null, adjust?: (at: Partial<Record<K, string>>) => void): void => {
    if (!(err instanceof ApiError)) return;
    const { at, placed } = placeFieldErrors(err, placeOf);
    adjust?.(at);
    fields.set(at);
    setShownAt(placed);
    if (placed.length > 0) focusFirstInvalid(form);
  };
  return { shownAt, show };
}

export interface FieldRowProps<K extends string> {
  fields: FieldErrors<K>;
  /** Where the field's errors are shown. */
  name: K;
  /** The control's id (its hint's is `${id}-hint`). */
  id: string;
  label: string;
  hint?: string;
  /** The control (its aria from `fields.aria(name, hint && `${id}-hint`)`). */
  children: ComponentChildren;
}

/** A labelled field: the control, its hint, the API's error for it. */
export function FieldRow<K extends string>({ fields, name, id, label, hint, children }: FieldRowProps<K>) {
  return (
    <div class={`field ${fields.errors[name] ? 'invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <span class="field-hint muted small" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {fields.message(name)}
    </div>
  );
}

/** A form's save in flight and its failure; the form goes away when it succeeds. */
export function useSubmission() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** Clears the last problem and runs `send`; on failure keeps its error (`failed` sees it first too) and frees the form. */
  const submit = async (send: () => Promise<void>, failed?: (err: unknown) => void): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await send();
    } catch (err) {
      setError(err);
      failed?.(err);
      setBusy(false);
    }
  };
  return { busy, error, setError, submit };
}

export interface FormFooterProps {
  error: unknown;
  onDismissError(): void;
  /** API fields the form shows next to the field itself. */
  shownAtFields?: readonly string[];
  cancelLabel: string;
  onCancel(): void;
  submitDisabled: boolean;
  /** data-action of the submit button. */
  submitAction: string;
  /** What the submit button says. */
  children: ComponentChildren;
}

/** The problem of the last try, then Cancel and the submit button. */
export function FormFooter({ error, onDismissError, shownAtFields, cancelLabel, onCancel, submitDisabled, submitAction, children }: FormFooterProps) {
  return (
    <>
      <ProblemMessage error={error} onDismiss={onDismissError} shownAtFields={shownAtFields} />
      <div class="dialog-actions">
        <button type="button" class="btn ghost" onClick={onCancel}>
          {cancelLabel}
        </button>
        <button type="submit" class="btn primary" disabled={submitDisabled} data-action={submitAction}>
          {children}
        </button>
      </div>
    </>
  );
}

/** The search box that narrows a list. */
export function FilterInput({ label, value, onChange }: { label: string; value: string; onChange(value: string): void }) {
  return <input type="search" class="pick-filter" placeholder={label} aria-label={label} value={value} onInput={(e) => onChange(e.currentTarget.value)} />;
}

/** A list's load failure (and `children`, further problems), else "Loading…" while it comes. */
export function LoadState({ error, loading, children }: { error: unknown; loading: boolean; children?: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <>
      {error !== null && <ProblemMessage error={error} />}
      {children}
      {loading && <p class="muted">{t('app.loading')}</p>}
    </>
  );
}

/**
 * The footer of a two-step "pick, then confirm" dialog (merging contacts or tickets): Back from the
 * confirmation to the pick, Cancel from the pick; Next, then the action itself.
 */
export function PickConfirmFooter(p: {
  error: unknown;
  onDismissError: () => void;
  confirming: boolean;
  onBack: () => void;
  onClose: () => void;
  busy: boolean;
  canSubmit: boolean;
  /** data-action prefix: `<action>-next`, `<action>-confirm`. */
  action: string;
  labels: { back: string; cancel: string; next: string; confirm: string; working: string };
}) {
  return (
    <FormFooter
      error={p.error}
      onDismissError={p.onDismissError}
      cancelLabel={p.confirming ? p.labels.back : p.labels.cancel}
      onCancel={() => (p.confirming ? p.onBack() : p.onClose())}
      submitDisabled={!p.canSubmit || p.busy}
      submitAction={p.confirming ? `${p.action}-confirm` : `${p.action}-next`}
    >
      {p.confirming ? (p.busy ? p.labels.working : p.labels.confirm) : p.labels.next}
    </FormFooter>
  );
}
