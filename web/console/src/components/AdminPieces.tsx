import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get } from '../api';
import { useI18n } from '../i18n/index';
import type { Team } from '../types';
import type { FieldErrors } from './Form';

/** Pieces the admin screens share: a secret shown once, team checkboxes, word lists, a row's confirm and move buttons. */

/** "a, b ,, c" → ['a', 'b', 'c']. */
export const wordsOf = (text: string): string[] =>
  text
    .split(/[,，\n]/)
    .map((w) => w.trim())
    .filter(Boolean);

export interface SecretOnceProps {
  testId: string;
  /** What the secret is ("Password of Ann Lee"). */
  title: string;
  value: string;
  onDone(): void;
}

/** A password or token the hub answers once: shown with a copy button until the admin closes it. */
export function SecretOnce({ testId, title, value, onDone }: SecretOnceProps) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard access: the text is selected for Ctrl+C.
      field.current?.select();
      setCopied('failed');
    }
  };

  return (
    <div class="card secret-once" role="region" aria-labelledby={`${testId}-title`} data-testid={testId}>
      <h3 id={`${testId}-title`}>{title}</h3>
      <p class="small">{t('admin.shownOnce')}</p>
      <div class="secret-row">
        <input ref={field} type="text" readOnly class="secret-value" value={value} aria-label={title} spellcheck={false} data-secret />
        <button type="button" class="btn" data-action="copy-secret" onClick={() => void copy()}>
          {t('admin.copy')}
        </button>
        <button type="button" class="btn ghost" data-action="secret-done" onClick={onDone}>
          {t('admin.done')}
        </button>
      </div>
      <span class="small muted" role="status">
        {copied === 'yes' ? t('admin.copied') : copied === 'failed' ? t('admin.copyFailed') : ''}
      </span>
    </div>
  );
}

export interface TeamChecksProps<K extends string> {
  fields: FieldErrors<K>;
  name: K;
  /** Ids of the checkboxes are `${idPrefix}-${team.id}`. */
  idPrefix: string;
  legend: string;
  hint?: string;
  teams: Team[] | null;
  value: string[];
  onChange(value: string[]): void;
}

/** Checkboxes for the teams someone (or a token) belongs to, with the API's error about them. */
export function TeamChecks<K extends string>({ fields, name, idPrefix, legend, hint, teams, value, onChange }: TeamChecksProps<K>) {
  const { t } = useI18n();
  const hintId = hint ? `${idPrefix}-hint` : undefined;
  return (
    <fieldset class={`field team-checks ${fields.errors[name] ? 'invalid' : ''}`} name={name} tabIndex={-1} {...fields.aria(name, hintId)}>
      <legend>{legend}</legend>
      {teams === null && <span class="muted small">{t('app.loading')}</span>}
      {teams?.length === 0 && <span class="muted small">{t('admin.noTeams')}</span>}
      {teams?.map((team) => (
        <label key={team.id} class="check-line">
          <input
            type="checkbox"
            id={`${idPrefix}-${team.id}`}
            name={name}
            value={team.id}
            checked={value.includes(team.id)}
            onChange={(e) => onChange(e.currentTarget.checked ? [...value, team.id] : value.filter((id) => id !== team.id))}
          />
          <span>{team.name}</span>
        </label>
      ))}
      {hint && (
        <span class="field-hint muted small" id={hintId}>
          {hint}
        </span>
      )}
      {fields.message(name)}
    </fieldset>
  );
}

/** The teams' names for ids ("Support, Billing"); ids of teams that are gone stay as they are. */
export const teamNames = (teams: Team[] | null, ids: string[]): string => ids.map((id) => teams?.find((t) => t.id === id)?.name ?? id).join(', ');

/** The teams (null until they came); a failure to list them goes to `onError`. */
export function useTeams(onError: (err: unknown) => void): Team[] | null {
  const [teams, setTeams] = useState<Team[] | null>(null);
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;
  useEffect(() => {
    get<{ items: Team[] }>('/api/v1/teams')
      .then((r) => setTeams(r.items))
      .catch((err: unknown) => onErrorRef.current(err));
  }, []);
  return teams;
}

export interface InlineConfirmProps {
  /** The question ("Delete rule billing?"), also the group's name. */
  question: string;
  busy: boolean;
  /** The confirm button's data-action. */
  action: string;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm(): void;
  onCancel(): void;
}

/** "Delete …? [Delete] [Cancel]" in place of a row's buttons; the confirm button gets focus when it shows. */
export function InlineConfirm({ question, busy, action, confirmLabel, cancelLabel, onConfirm, onCancel }: InlineConfirmProps) {
  const confirmBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    confirmBtn.current?.focus();
  }, []);
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span class="small">{question}</span>
      <button type="button" class="btn small danger" disabled={busy} data-action={action} onClick={onConfirm} ref={confirmBtn}>
        {confirmLabel}
      </button>
      <button type="button" class="btn small ghost" disabled={busy} onClick={onCancel}>
        {cancelLabel}
      </button>
    </span>
  );
}

export interface MoveButtonsProps {
  /** data-action `${action}-up` and `${action}-down`. */
  action: string;
  index: number;
  count: number;
  disabled: boolean;
  upLabel: string;
  downLabel: string;
  onMove(from: number, to: number): void;
}

/** ↑ and ↓ of a row in an ordered list (the first cannot go up, the last not down). */
export function MoveButtons({ action, index, count, disabled, upLabel, downLabel, onMove }: MoveButtonsProps) {
  return (
    <>
      <button type="button" class="btn small ghost" data-action={`${action}-up`} disabled={disabled || index === 0} aria-label={upLabel} onClick={() => onMove(index, index - 1)}>
        ↑
      </button>
      <button
        type="button"
        class="btn small ghost"
        data-action={`${action}-down`}
        disabled={disabled || index === count - 1}
        aria-label={downLabel}
        onClick={() => onMove(index, index + 1)}
      >
        ↓
      </button>
    </>
  );
}

/** The object a row acted on is gone already (another admin removed it): the list is read again. */
const isGone = (err: unknown): boolean => err instanceof ApiError && err.status === 404;

/**
 * A settings list's row actions (delete, revoke, deactivate, reorder): which row asks for
 * confirmation, whether an action runs, and its problem. `run` does one action, then closes the
 * confirmation and shows `message` (the list reloads through `changed`); on a failure it shows the
 * problem and reads the list again when `reloadWhen` says so (by default: the object was gone).
 */
export function useRowActions(changed: (message: string) => void, load: () => Promise<void>) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [rowError, setRowError] = useState<unknown>(null);
  const run = async (action: () => Promise<unknown>, message: string, opts: { reloadWhen?: (err: unknown) => boolean; after?: () => void } = {}) => {
    setBusy(true);
    setRowError(null);
    try {
      await action();
      setConfirming(null);
      opts.after?.();
      changed(message);
    } catch (err) {
      setRowError(err);
      if ((opts.reloadWhen ?? isGone)(err)) void load();
    } finally {
      setBusy(false);
    }
  };
  return { confirming, setConfirming, busy, rowError, setRowError, run };
}
