import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index';
import type { Team } from '../types';
import type { FieldErrors } from './Form';

/** Pieces the admin screens for people and tokens share: a secret shown once, team checkboxes, word lists. */

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
