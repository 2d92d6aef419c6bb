import type { ComponentChildren, RefObject } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api';
import type { SettingsPage } from '../router';
import { useI18n } from '../i18n/index';
import { FormFooter, LoadState, usePlacedErrors, useSubmission, type FieldErrors } from './Form';

/** The settings screens' frame (admins): a list from the API, an editor beside it, a notice after each change. */

export interface Settings<T, E> {
  /** The list as the API has it (null until it came). */
  items: T[] | null;
  listError: unknown;
  load(): Promise<void>;
  /** What the editor is open on (null: closed). */
  editing: E | null;
  /** Opens the editor on `e`; the last notice goes. */
  edit(e: E): void;
  close(): void;
  notice: string | null;
  dismissNotice(): void;
  /** After a change: asks for the list again and says so once it came, and tells the rest of the console. */
  changed(message: string): void;
}

/**
 * A settings screen's state: the list at `path` (GET, `{ items }`, or what `pick` takes from the
 * answer), the editor, the notice.
 */
export function useSettings<T, E>(path: string, onChanged: () => void, pick?: (body: unknown) => T[]): Settings<T, E> {
  const pickRef = useRef(pick);
  pickRef.current = pick;
  const [items, setItems] = useState<T[] | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [editing, setEditing] = useState<E | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await get<{ items: T[] }>(path);
      setItems(pickRef.current ? pickRef.current(r) : r.items);
      setListError(null);
    } catch (err) {
      setListError(err);
    }
  }, [path]);
  useEffect(() => {
    void load();
  }, [load]);

  return {
    items,
    listError,
    load,
    editing,
    edit: (e) => {
      setNotice(null);
      setEditing(e);
    },
    close: () => setEditing(null),
    notice,
    dismissNotice: () => setNotice(null),
    changed: (message) => {
      // The notice comes with the list that shows the change.
      void load().then(() => setNotice(message));
      onChanged();
    },
  };
}

export interface SettingsScreenProps<T, E> {
  /** Names the screen's ids, test ids and texts (`canned` → #canned-admin-title, `canned.title`, `canned.intro`, …). */
  name: SettingsPage;
  settings: Settings<T, E>;
  /** Beside the heading (a filter, a New button). */
  tools?: ComponentChildren;
  /** Shown under the notice, above the list (a secret shown once). */
  banner?: ComponentChildren;
  /** Problems of actions on the list (shown under its load failure). */
  problems?: ComponentChildren;
  /** The editor gets more of the width. */
  wideEditor?: boolean;
  /** The open editor (nothing when closed). */
  editor: ComponentChildren;
  /** The list, once it has items. */
  children(items: T[]): ComponentChildren;
}

export function SettingsScreen<T, E>({ name, settings: s, tools, banner, problems, wideEditor, editor, children }: SettingsScreenProps<T, E>) {
  const { t } = useI18n();
  return (
    <section class="settings" aria-labelledby={`${name}-admin-title`} data-testid={`${name}-admin`}>
      <header class="settings-head">
        <div>
          <h1 id={`${name}-admin-title`}>{t(`${name}.title`)}</h1>
          <p class="muted small">{t(`${name}.intro`)}</p>
        </div>
        {tools && <div class="settings-tools">{tools}</div>}
      </header>

      {s.notice && (
        <div class="notice info" role="status" data-testid={`${name}-notice`}>
          <span>{s.notice}</span>
          <button type="button" class="icon-btn" aria-label={t(`${name}.dismiss`)} onClick={s.dismissNotice}>
            ×
          </button>
        </div>
      )}

      {banner}

      <div class={`settings-body ${s.editing !== null ? (wideEditor ? 'with-editor wide-editor' : 'with-editor') : ''}`}>
        <div class="settings-list">
          <LoadState error={s.listError} loading={s.items === null && s.listError === null}>
            {problems}
          </LoadState>
          {s.items !== null && s.items.length === 0 && <p class="muted list-empty">{t(`${name}.empty`)}</p>}
          {s.items !== null && s.items.length > 0 && children(s.items)}
        </div>

        {editor}
      </div>
    </section>
  );
}

export interface SettingsTableProps {
  class: string;
  testId: string;
  /** The column headings; a last, unlabelled column (for screen readers: `actionsLabel`) holds each row's buttons. */
  columns: string[];
  actionsLabel: string;
  /** The rows. */
  children: ComponentChildren;
}

/** A settings screen's list. */
export function SettingsTable({ class: cls, testId, columns, actionsLabel, children }: SettingsTableProps) {
  return (
    <table class={cls} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
          <th scope="col">
            <span class="sr-only">{actionsLabel}</span>
          </th>
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export interface EditorFormProps {
  formRef: RefObject<HTMLFormElement | null>;
  /** Classes besides `card canned-form`. */
  class?: string;
  testId: string;
  title: string;
  onSubmit(e: Event): unknown;
  /** Also on Esc. */
  onCancel(): void;
  error: unknown;
  onDismissError(): void;
  shownAtFields: readonly string[];
  busy: boolean;
  cancelLabel: string;
  saveAction: string;
  saveLabel: string;
  children: ComponentChildren;
}

/**
 * An editor's state: its save in flight (`submit`), the API's field errors placed by `showErrors`,
 * and `frame`, what EditorForm takes of them. The control at `firstFocus` (a selector) gets focus when it opens.
 */
export function useEditor<K extends string>(fields: FieldErrors<K>, firstFocus: string) {
  const { busy, error, setError, submit } = useSubmission();
  const form = useRef<HTMLFormElement>(null);
  const placed = usePlacedErrors(fields, form);
  const focusAt = useRef(firstFocus);
  useEffect(() => {
    form.current?.querySelector<HTMLElement>(focusAt.current)?.focus();
  }, []);
  const frame = { formRef: form, error, onDismissError: () => setError(null), shownAtFields: placed.shownAt, busy };
  return { busy, submit, showErrors: placed.show, form, frame };
}

/** A settings screen's editor: the fields under a heading, the problem, Cancel and Save. */
export function EditorForm(p: EditorFormProps) {
  return (
    <form
      ref={p.formRef}
      class={`card canned-form${p.class ? ` ${p.class}` : ''}`}
      data-testid={p.testId}
      noValidate
      onSubmit={(e) => void p.onSubmit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          p.onCancel();
        }
      }}
    >
      <h3>{p.title}</h3>
      {p.children}
      <FormFooter
        error={p.error}
        onDismissError={p.onDismissError}
        shownAtFields={p.shownAtFields}
        cancelLabel={p.cancelLabel}
        onCancel={p.onCancel}
        submitDisabled={p.busy}
        submitAction={p.saveAction}
      >
        {p.saveLabel}
      </FormFooter>
    </form>
  );
}
