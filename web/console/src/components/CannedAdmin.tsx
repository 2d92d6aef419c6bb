import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, del, get, patch, post } from '../api';
import { LANG_NAMES, useI18n } from '../i18n/index';
import { CANNED_LOCALES, type CannedLocale, type CannedResponse } from '../types';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';

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
  const [items, setItems] = useState<CannedResponse[] | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [filter, setFilter] = useState('');
  /** null: no editor; 'new'; or the response being edited. */
  const [editing, setEditing] = useState<CannedResponse | 'new' | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [rowError, setRowError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const confirmBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmBtn.current?.focus();
  }, [confirming]);

  const load = useCallback(async () => {
    try {
      const r = await get<{ items: CannedResponse[] }>('/api/v1/canned-responses');
      setItems(r.items);
      setListError(null);
    } catch (err) {
      setListError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const changed = (message: string) => {
    setNotice(message);
    void load();
    onChanged();
  };

  const remove = async (c: CannedResponse) => {
    setDeleting(true);
    setRowError(null);
    try {
      await del(`/api/v1/canned-responses/${c.id}`);
      setConfirming(null);
      if (editing !== 'new' && editing?.id === c.id) setEditing(null);
      changed(t('canned.deleted', { shortcut: c.shortcut }));
    } catch (err) {
      setRowError(err);
      // Gone already: the list shows it.
      if (err instanceof ApiError && err.status === 404) void load();
    } finally {
      setDeleting(false);
    }
  };

  const needle = filter.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (c) => !needle || c.shortcut.includes(needle) || c.title.toLowerCase().includes(needle) || c.text.toLowerCase().includes(needle),
  );
  const localeName = (l: CannedLocale | string) => (l === 'en' || l === 'zh-CN' ? LANG_NAMES[l] : t('canned.anyLocale'));

  return (
    <section class="settings" aria-labelledby="canned-admin-title" data-testid="canned-admin">
      <header class="settings-head">
        <div>
          <h1 id="canned-admin-title">{t('canned.title')}</h1>
          <p class="muted small">{t('canned.intro')}</p>
        </div>
        <div class="settings-tools">
          <input
            type="search"
            class="pick-filter"
            placeholder={t('canned.filter')}
            aria-label={t('canned.filter')}
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
          />
          <button
            type="button"
            class="btn primary"
            data-action="canned-new"
            onClick={() => {
              setNotice(null);
              setEditing('new');
            }}
          >
            <Icon name="plus" /> {t('canned.new')}
          </button>
        </div>
      </header>

      {notice && (
        <div class="notice info" role="status" data-testid="canned-notice">
          <span>{notice}</span>
          <button type="button" class="icon-btn" aria-label={t('canned.dismiss')} onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}

      <div class={`settings-body ${editing ? 'with-editor' : ''}`}>
        <div class="settings-list">
          {listError !== null && <ProblemMessage error={listError} />}
          {rowError !== null && <ProblemMessage error={rowError} onDismiss={() => setRowError(null)} />}
          {items === null && listError === null && <p class="muted">{t('app.loading')}</p>}
          {items !== null && items.length === 0 && <p class="muted list-empty">{t('canned.empty')}</p>}
          {items !== null && items.length > 0 && (
            <table class="canned-table" data-testid="canned-table">
              <thead>
                <tr>
                  <th scope="col">{t('canned.shortcut')}</th>
                  <th scope="col">{t('canned.titleField')}</th>
                  <th scope="col">{t('canned.locale')}</th>
                  <th scope="col">{t('canned.text')}</th>
                  <th scope="col">
                    <span class="sr-only">{t('canned.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
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
                        <span class="confirm" role="group" aria-label={t('canned.confirmDelete', { shortcut: c.shortcut })}>
                          <span class="small">{t('canned.confirmDelete', { shortcut: c.shortcut })}</span>
                          <button type="button" class="btn small danger" disabled={deleting} data-action="canned-confirm-delete" onClick={() => void remove(c)} ref={confirmBtn}>
                            {t('canned.delete')}
                          </button>
                          <button type="button" class="btn small ghost" disabled={deleting} onClick={() => setConfirming(null)}>
                            {t('canned.cancel')}
                          </button>
                        </span>
                      ) : (
                        <>
                          <button
                            type="button"
                            class="btn small"
                            data-action="canned-edit"
                            aria-label={t('canned.editOne', { shortcut: c.shortcut })}
                            onClick={() => {
                              setNotice(null);
                              setEditing(c);
                            }}
                          >
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
              </tbody>
            </table>
          )}
        </div>

        {editing && (
          <CannedForm
            key={editing === 'new' ? 'new' : editing.id}
            initial={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(c, created) => {
              setEditing(null);
              changed(created ? t('canned.created', { shortcut: c.shortcut }) : t('canned.saved', { shortcut: c.shortcut }));
            }}
          />
        )}
      </div>
    </section>
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
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    form.current?.querySelector<HTMLInputElement>('input[name=shortcut]')?.focus();
  }, []);

  const set = (f: Field, v: string) => {
    setDraft((d) => ({ ...d, [f]: v }));
    setFieldErrors((e) => {
      if (!e[f]) return e;
      const next = { ...e };
      delete next[f];
      return next;
    });
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    let body: Partial<Draft> = draft;
    if (initial) {
      // Only what changed; nothing changed is nothing to save.
      const before = draftOf(initial);
      body = Object.fromEntries(FIELDS.filter((f) => draft[f] !== before[f]).map((f) => [f, draft[f]]));
      if (Object.keys(body).length === 0) return onCancel();
    }
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const saved = initial ? await patch<CannedResponse>(`/api/v1/canned-responses/${initial.id}`, body) : await post<CannedResponse>('/api/v1/canned-responses', body);
      onSaved(saved, !initial);
    } catch (err) {
      setError(err);
      if (err instanceof ApiError) {
        const byField: Partial<Record<Field, string>> = {};
        for (const fe of err.errors) if (isField(fe.field) && !byField[fe.field]) byField[fe.field] = fe.message;
        setFieldErrors(byField);
        const first = FIELDS.find((f) => byField[f]);
        if (first) requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(`[name=${first}]`)?.focus());
      }
      setBusy(false);
    }
  };

  const described = (f: Field, hint = false) => [fieldErrors[f] ? `canned-${f}-error` : '', hint ? `canned-${f}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const fieldError = (f: Field) =>
    fieldErrors[f] ? (
      <span class="field-error" id={`canned-${f}-error`} data-field-error={f}>
        {fieldErrors[f]}
      </span>
    ) : null;

  return (
    <form
      ref={form}
      class="card canned-form"
      data-testid="canned-form"
      noValidate
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      <h3>{initial ? t('canned.editing', { shortcut: initial.shortcut }) : t('canned.new')}</h3>
      <div class={`field ${fieldErrors.shortcut ? 'invalid' : ''}`}>
        <label for="canned-shortcut">{t('canned.shortcut')}</label>
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
            aria-invalid={fieldErrors.shortcut ? true : undefined}
            aria-describedby={described('shortcut', true)}
            onInput={(e) => set('shortcut', e.currentTarget.value)}
          />
        </span>
        <span class="field-hint muted small" id="canned-shortcut-hint">
          {t('canned.shortcutHint')}
        </span>
        {fieldError('shortcut')}
      </div>
      <div class={`field ${fieldErrors.title ? 'invalid' : ''}`}>
        <label for="canned-title">{t('canned.titleField')}</label>
        <input
          id="canned-title"
          type="text"
          name="title"
          maxLength={200}
          value={draft.title}
          aria-invalid={fieldErrors.title ? true : undefined}
          aria-describedby={described('title')}
          onInput={(e) => set('title', e.currentTarget.value)}
        />
        {fieldError('title')}
      </div>
      <div class={`field ${fieldErrors.locale ? 'invalid' : ''}`}>
        <label for="canned-locale">{t('canned.locale')}</label>
        <select id="canned-locale" name="locale" value={draft.locale} aria-invalid={fieldErrors.locale ? true : undefined} aria-describedby={described('locale')} onChange={(e) => set('locale', e.currentTarget.value)}>
          {CANNED_LOCALES.map((l) => (
            <option key={l} value={l}>
              {l === '' ? t('canned.anyLocale') : LANG_NAMES[l]}
            </option>
          ))}
        </select>
        {fieldError('locale')}
      </div>
      <div class={`field ${fieldErrors.text ? 'invalid' : ''}`}>
        <label for="canned-text">{t('canned.text')}</label>
        <textarea
          id="canned-text"
          name="text"
          rows={6}
          maxLength={10_000}
          value={draft.text}
          aria-invalid={fieldErrors.text ? true : undefined}
          aria-describedby={described('text', true)}
          onInput={(e) => set('text', e.currentTarget.value)}
        />
        <span class="field-hint muted small" id="canned-text-hint">
          {t('canned.textHint', { customer: '{{customer}}', agent: '{{agent}}' })}
        </span>
        {fieldError('text')}
      </div>
      <ProblemMessage error={error} onDismiss={() => setError(null)} shownAtFields={Object.keys(fieldErrors)} />
      <div class="dialog-actions">
        <button type="button" class="btn ghost" onClick={onCancel}>
          {t('canned.cancel')}
        </button>
        <button type="submit" class="btn primary" disabled={busy} data-action="canned-save">
          {busy ? t('canned.saving') : initial ? t('canned.save') : t('canned.create')}
        </button>
      </div>
    </form>
  );
}
