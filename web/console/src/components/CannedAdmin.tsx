import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, del, patch, post } from '../api';
import { LANG_NAMES, useI18n } from '../i18n/index';
import { CANNED_LOCALES, type CannedLocale, type CannedResponse } from '../types';
import { InlineConfirm, useRowActions } from './AdminPieces';
import { FieldRow, FilterInput, focusFirstInvalid, placeFieldErrors, useFieldErrors, useSubmission } from './Form';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';
import { EditorForm, SettingsScreen, SettingsTable, useSettings } from './SettingsScreen';

/** The fields of a canned response the API takes (POST / PATCH /api/v1/canned-responses). */
const FIELDS = ['shortcut', 'title', 'locale', 'text'] as const;
type Field = (typeof FIELDS)[number];
type Draft = Record<Field, string>;

const EMPTY: Draft = { shortcut: '', title: '', locale: '', text: '' };
const draftOf = (c: CannedResponse | null): Draft => (c ? { shortcut: c.shortcut, title: c.title, locale: c.locale, text: c.text } : EMPTY);
const isField = (f: string): f is Field => (FIELDS as readonly string[]).includes(f);

export interface CannedAdminProps {
  /** Called after every change, so the composer's `/` picker has the current list. */
  onChanged(): void;
}

/** Settings → canned responses: list, create, edit, delete (admins; the API decides). */
export function CannedAdmin({ onChanged }: CannedAdminProps) {
  const { t } = useI18n();
  /** editing: 'new', or the response being edited. */
  const settings = useSettings<CannedResponse, CannedResponse | 'new'>('/api/v1/canned-responses', onChanged);
  const { items, load, editing, changed } = settings;
  const [filter, setFilter] = useState('');
  const { confirming, setConfirming, busy: deleting, rowError, setRowError, run } = useRowActions(changed, load);

  const remove = (c: CannedResponse) =>
    run(() => del(`/api/v1/canned-responses/${c.id}`), t('canned.deleted', { shortcut: c.shortcut }), {
      after: () => {
        if (editing !== 'new' && editing?.id === c.id) settings.close();
      },
    });

  const needle = filter.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (c) => !needle || c.shortcut.includes(needle) || c.title.toLowerCase().includes(needle) || c.text.toLowerCase().includes(needle),
  );
  const localeName = (l: CannedLocale | string) => (l === 'en' || l === 'zh-CN' ? LANG_NAMES[l] : t('canned.anyLocale'));

  return (
    <SettingsScreen
      name="canned"
      settings={settings}
      tools={
        <>
          <FilterInput label={t('canned.filter')} value={filter} onChange={setFilter} />
          <button type="button" class="btn primary" data-action="canned-new" onClick={() => settings.edit('new')}>
            <Icon name="plus" /> {t('canned.new')}
          </button>
        </>
      }
      problems={rowError !== null && <ProblemMessage error={rowError} onDismiss={() => setRowError(null)} />}
      editor={
        editing && (
          <CannedForm
            key={editing === 'new' ? 'new' : editing.id}
            initial={editing === 'new' ? null : editing}
            onCancel={settings.close}
            onSaved={(c, created) => {
              settings.close();
              changed(created ? t('canned.created', { shortcut: c.shortcut }) : t('canned.saved', { shortcut: c.shortcut }));
            }}
          />
        )
      }
    >
      {() => (
        <SettingsTable
          class="canned-table"
          testId="canned-table"
          columns={[t('canned.shortcut'), t('canned.titleField'), t('canned.locale'), t('canned.text')]}
          actionsLabel={t('canned.actions')}
        >
          {shown.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">
                {t('canned.noMatch', { query: filter.trim() })}
              </td>
            </tr>
          )}
          {shown.map((c) => (
            <tr key={c.id} data-shortcut={c.shortcut} class={editing !== 'new' && editing?.id === c.id ? 'editing' : ''}>
              <td class="canned-shortcut">/{c.shortcut}</td>
              <td>{c.title}</td>
              <td class="muted small">{localeName(c.locale)}</td>
              <td class="canned-text-cell muted small">{c.text}</td>
              <td class="row-actions">
                {confirming === c.id ? (
                  <InlineConfirm
                    question={t('canned.confirmDelete', { shortcut: c.shortcut })}
                    busy={deleting}
                    action="canned-confirm-delete"
                    confirmLabel={t('canned.delete')}
                    cancelLabel={t('canned.cancel')}
                    onConfirm={() => void remove(c)}
                    onCancel={() => setConfirming(null)}
                  />
                ) : (
                  <>
                    <button type="button" class="btn small" data-action="canned-edit" aria-label={t('canned.editOne', { shortcut: c.shortcut })} onClick={() => settings.edit(c)}>
                      {t('canned.edit')}
                    </button>
                    <button
                      type="button"
                      class="btn small ghost"
                      data-action="canned-delete"
                      aria-label={t('canned.deleteOne', { shortcut: c.shortcut })}
                      onClick={() => {
                        setRowError(null);
                        setConfirming(c.id);
                      }}
                    >
                      {t('canned.delete')}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </SettingsTable>
      )}
    </SettingsScreen>
  );
}

interface CannedFormProps {
  initial: CannedResponse | null;
  onCancel(): void;
  onSaved(c: CannedResponse, created: boolean): void;
}

/** One response's fields; the API validates, and its field errors appear next to the field at fault. */
function CannedForm({ initial, onCancel, onSaved }: CannedFormProps) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial));
  const fields = useFieldErrors<Field>((f) => `canned-${f}-error`);
  const { busy, error, setError, submit } = useSubmission();
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    form.current?.querySelector<HTMLInputElement>('input[name=shortcut]')?.focus();
  }, []);

  const set = (f: Field, v: string) => {
    setDraft((d) => ({ ...d, [f]: v }));
    fields.clear(f);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    let body: Partial<Draft> = draft;
    if (initial) {
      // Only what changed; nothing changed is nothing to save.
      const before = draftOf(initial);
      body = Object.fromEntries(FIELDS.filter((f) => draft[f] !== before[f]).map((f) => [f, draft[f]]));
      if (Object.keys(body).length === 0) return onCancel();
    }
    fields.set({});
    await submit(
      async () => {
        const saved = initial ? await patch<CannedResponse>(`/api/v1/canned-responses/${initial.id}`, body) : await post<CannedResponse>('/api/v1/canned-responses', body);
        onSaved(saved, !initial);
      },
      (err) => {
        if (!(err instanceof ApiError)) return;
        const { at } = placeFieldErrors(err, (f) => (isField(f) ? f : null));
        fields.set(at);
        if (Object.keys(at).length > 0) focusFirstInvalid(form);
      },
    );
  };

  const aria = (f: Field, hint = false) => fields.aria(f, hint ? `canned-${f}-hint` : undefined);

  return (
    <EditorForm
      formRef={form}
      testId="canned-form"
      title={initial ? t('canned.editing', { shortcut: initial.shortcut }) : t('canned.new')}
      onSubmit={save}
      onCancel={onCancel}
      error={error}
      onDismissError={() => setError(null)}
      shownAtFields={Object.keys(fields.errors)}
      busy={busy}
      cancelLabel={t('canned.cancel')}
      saveAction="canned-save"
      saveLabel={busy ? t('canned.saving') : initial ? t('canned.save') : t('canned.create')}
    >
      <FieldRow fields={fields} name="shortcut" id="canned-shortcut" label={t('canned.shortcut')} hint={t('canned.shortcutHint')}>
        <span class="shortcut-input">
          <span class="shortcut-slash" aria-hidden="true">
            /
          </span>
          <input
            id="canned-shortcut"
            type="text"
            name="shortcut"
            autoComplete="off"
            spellcheck={false}
            maxLength={60}
            value={draft.shortcut}
            {...aria('shortcut', true)}
            onInput={(e) => set('shortcut', e.currentTarget.value)}
          />
        </span>
      </FieldRow>
      <FieldRow fields={fields} name="title" id="canned-title" label={t('canned.titleField')}>
        <input id="canned-title" type="text" name="title" maxLength={200} value={draft.title} {...aria('title')} onInput={(e) => set('title', e.currentTarget.value)} />
      </FieldRow>
      <FieldRow fields={fields} name="locale" id="canned-locale" label={t('canned.locale')}>
        <select id="canned-locale" name="locale" value={draft.locale} {...aria('locale')} onChange={(e) => set('locale', e.currentTarget.value)}>
          {CANNED_LOCALES.map((l) => (
            <option key={l} value={l}>
              {l === '' ? t('canned.anyLocale') : LANG_NAMES[l]}
            </option>
          ))}
        </select>
      </FieldRow>
      <FieldRow fields={fields} name="text" id="canned-text" label={t('canned.text')} hint={t('canned.textHint', { customer: '{{customer}}', agent: '{{agent}}' })}>
        <textarea id="canned-text" name="text" rows={6} maxLength={10_000} value={draft.text} {...aria('text', true)} onInput={(e) => set('text', e.currentTarget.value)} />
      </FieldRow>
    </EditorForm>
  );
}
