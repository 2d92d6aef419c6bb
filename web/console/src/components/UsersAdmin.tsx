import { useState } from 'preact/hooks';
import { patch, post } from '../api';
import { useI18n } from '../i18n/index';
import type { ManagedUser, Role, Team } from '../types';
import { InlineConfirm, SecretOnce, TeamChecks, teamNames, useRowActions, useTeams, wordsOf } from './AdminPieces';
import { FieldRow, FilterInput, useFieldErrors } from './Form';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';
import { EditorForm, SettingsScreen, SettingsTable, useEditor, useSettings } from './SettingsScreen';

export const ROLES: readonly Role[] = ['agent', 'supervisor', 'admin'];

/** Where the form shows the API's field errors. */
const SPOTS = ['email', 'name', 'role', 'teams', 'skills', 'languages', 'phone', 'chat', 'async', 'password'] as const;
type Spot = (typeof SPOTS)[number];

interface Draft {
  email: string;
  name: string;
  role: Role;
  teams: string[];
  skills: string;
  languages: string;
  /** Where calls for them ring (E.164), or empty. */
  phone: string;
  chat: string;
  async: string;
  /** New users: the hub makes one up (shown once), or the admin sets it. */
  passwordMode: 'generate' | 'set';
  password: string;
}

const draftOf = (u: ManagedUser | null): Draft => ({
  email: u?.email ?? '',
  name: u?.name ?? '',
  role: u?.role ?? 'agent',
  teams: u?.teams ?? [],
  skills: (u?.skills ?? []).join(', '),
  languages: (u?.languages ?? []).join(', '),
  phone: u?.phone ?? '',
  chat: String(u?.maxConcurrent.chat ?? 3),
  async: String(u?.maxConcurrent.async ?? 10),
  passwordMode: 'generate',
  password: '',
});

/** The API's field (`maxConcurrent.chat`, `skills.2`, …) → where the form shows it. */
function spotOf(field: string): Spot | null {
  const [head, sub] = field.split('.');
  if (head === 'maxConcurrent') return sub === 'async' ? 'async' : 'chat';
  return (SPOTS as readonly string[]).includes(head ?? '') ? (head as Spot) : null;
}

/** A number field's text: a number when it is one (else as typed, for the API to name). */
const numberOf = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

export interface UsersAdminProps {
  /** The signed-in admin (who cannot deactivate or demote themselves). */
  meId: string;
}

/** Settings → people: list with search, create (password made up and shown once, or set), edit, deactivate and reactivate. */
export function UsersAdmin({ meId }: UsersAdminProps) {
  const { t } = useI18n();
  const settings = useSettings<ManagedUser, ManagedUser | 'new'>('/api/v1/users', () => undefined);
  const { items, editing, changed, load } = settings;
  const [filter, setFilter] = useState('');
  const { confirming, setConfirming, busy: acting, rowError, setRowError, run } = useRowActions(changed, load);
  const [secret, setSecret] = useState<{ name: string; password: string } | null>(null);
  const teams = useTeams(setRowError);

  const setActive = (u: ManagedUser, active: boolean) =>
    run(() => patch<ManagedUser>(`/api/v1/users/${u.id}`, { active }), active ? t('users.reactivated', { name: u.name }) : t('users.deactivated', { name: u.name }));

  const needle = filter.trim().toLowerCase();
  const shown = (items ?? [])
    .filter((u) => !needle || [u.name, u.email, ...u.skills, ...u.languages].some((s) => s.toLowerCase().includes(needle)))
    // Deactivated people after the active ones.
    .sort((a, b) => Number(!a.active) - Number(!b.active));

  return (
    <SettingsScreen
      name="users"
      settings={settings}
      wideEditor
      tools={
        <>
          <FilterInput label={t('users.filter')} value={filter} onChange={setFilter} />
          <button
            type="button"
            class="btn primary"
            data-action="user-new"
            onClick={() => {
              setSecret(null);
              settings.edit('new');
            }}
          >
            <Icon name="plus" /> {t('users.new')}
          </button>
        </>
      }
      banner={secret && <SecretOnce testId="user-password" title={t('users.passwordOf', { name: secret.name })} value={secret.password} onDone={() => setSecret(null)} />}
      problems={rowError !== null && <ProblemMessage error={rowError} onDismiss={() => setRowError(null)} />}
      editor={
        editing && (
          <UserForm
            key={editing === 'new' ? 'new' : editing.id}
            initial={editing === 'new' ? null : editing}
            teams={teams}
            isMe={editing !== 'new' && editing.id === meId}
            onCancel={settings.close}
            onSaved={(u, created, password) => {
              settings.close();
              changed(created ? t('users.created', { name: u.name }) : t('users.saved', { name: u.name }));
              if (password) setSecret({ name: u.name, password });
            }}
          />
        )
      }
    >
      {() => (
        <SettingsTable
          class="canned-table users-table"
          testId="users-table"
          columns={[t('users.name'), t('users.role'), t('users.teams'), t('users.skillsLanguages'), t('users.limits')]}
          actionsLabel={t('users.actions')}
        >
          {shown.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                {t('users.noMatch', { query: filter.trim() })}
              </td>
            </tr>
          )}
          {shown.map((u) => (
            <tr key={u.id} data-email={u.email} data-active={u.active ? 'true' : 'false'} class={`${editing !== 'new' && editing?.id === u.id ? 'editing' : ''} ${u.active ? '' : 'inactive'}`}>
              <td>
                <div class="team-name">
                  {u.name} {!u.active && <span class="badge muted-badge">{t('users.inactive')}</span>}
                </div>
                <div class="muted small">{u.email}</div>
              </td>
              <td class="small" data-cell="role">
                {t(`users.roles.${u.role}`)}
              </td>
              <td class="small" data-cell="teams">
                {u.teams.length ? teamNames(teams, u.teams) : <span class="muted">—</span>}
              </td>
              <td class="small" data-cell="skills">
                {u.skills.length || u.languages.length ? [...u.skills, ...u.languages].join(', ') : <span class="muted">—</span>}
              </td>
              <td class="small" data-cell="limits">
                {t('users.limitsValue', { chat: u.maxConcurrent.chat, async: u.maxConcurrent.async })}
              </td>
              <td class="row-actions">
                {confirming === u.id ? (
                  <InlineConfirm
                    question={t('users.confirmDeactivate', { name: u.name })}
                    busy={acting}
                    action="user-confirm-deactivate"
                    confirmLabel={t('users.deactivate')}
                    cancelLabel={t('users.cancel')}
                    onConfirm={() => void setActive(u, false)}
                    onCancel={() => setConfirming(null)}
                  />
                ) : (
                  <>
                    <button
                      type="button"
                      class="btn small"
                      data-action="user-edit"
                      aria-label={t('users.editOne', { name: u.name })}
                      onClick={() => {
                        setSecret(null);
                        settings.edit(u);
                      }}
                    >
                      {t('users.edit')}
                    </button>
                    {u.active && u.id !== meId && (
                      <button
                        type="button"
                        class="btn small ghost"
                        data-action="user-deactivate"
                        aria-label={t('users.deactivateOne', { name: u.name })}
                        onClick={() => {
                          setRowError(null);
                          setConfirming(u.id);
                        }}
                      >
                        {t('users.deactivate')}
                      </button>
                    )}
                    {!u.active && (
                      <button
                        type="button"
                        class="btn small ghost"
                        data-action="user-reactivate"
                        aria-label={t('users.reactivateOne', { name: u.name })}
                        disabled={acting}
                        onClick={() => void setActive(u, true)}
                      >
                        {t('users.reactivate')}
                      </button>
                    )}
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

interface UserFormProps {
  initial: ManagedUser | null;
  teams: Team[] | null;
  isMe: boolean;
  onCancel(): void;
  /** `password`: the one the hub made up, to show once. */
  onSaved(u: ManagedUser, created: boolean, password?: string): void;
}

/** One person's fields; the API validates, and its field errors appear next to the field at fault. */
function UserForm({ initial, teams, isMe, onCancel, onSaved }: UserFormProps) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial));
  const fields = useFieldErrors<Spot>((s) => `user-${s}-error`);
  const { busy, submit, showErrors, frame } = useEditor(fields, initial ? 'input[name=name]' : 'input[name=email]');

  const set = <K extends keyof Draft>(k: K, v: Draft[K], spot?: Spot) => {
    setDraft((d) => ({ ...d, [k]: v }));
    if (spot) fields.clear(spot);
  };

  const bodyOf = (d: Draft): Record<string, unknown> => {
    const all = editableOf(d);
    if (!initial) return { email: d.email.trim(), ...all, ...(d.passwordMode === 'set' ? { password: d.password } : {}) };
    // Only what changed; a blank new password keeps the old one.
    const before = editableOf(draftOf(initial));
    const body = Object.fromEntries(Object.entries(all).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])));
    if (d.password) body.password = d.password;
    return body;
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body = bodyOf(draft);
    if (initial && Object.keys(body).length === 0) return onCancel();
    fields.set({});
    await submit(
      async () => {
        if (initial) return onSaved(await patch<ManagedUser>(`/api/v1/users/${initial.id}`, body), false);
        const created = await post<ManagedUser & { password?: string }>('/api/v1/users', body);
        onSaved(created, true, created.password);
      },
      (err) => showErrors(err, spotOf),
    );
  };

  return (
    <EditorForm
      {...frame}
      class="admin-form user-form"
      testId="user-form"
      title={initial ? t('users.editing', { name: initial.name }) : t('users.new')}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('users.cancel')}
      saveAction="user-save"
      saveLabel={busy ? t('users.saving') : initial ? t('users.save') : t('users.create')}
    >
      {initial ? (
        <p class="small muted" data-testid="user-email">
          {initial.email}
        </p>
      ) : (
        <FieldRow fields={fields} name="email" id="user-email" label={t('users.email')}>
          <input id="user-email" type="email" name="email" autoComplete="off" maxLength={320} value={draft.email} {...fields.aria('email')} onInput={(e) => set('email', e.currentTarget.value, 'email')} />
        </FieldRow>
      )}
      <FieldRow fields={fields} name="name" id="user-name" label={t('users.name')}>
        <input id="user-name" type="text" name="name" autoComplete="off" maxLength={200} value={draft.name} {...fields.aria('name')} onInput={(e) => set('name', e.currentTarget.value, 'name')} />
      </FieldRow>
      <FieldRow fields={fields} name="role" id="user-role" label={t('users.role')} hint={isMe ? t('users.ownRoleHint') : undefined}>
        <select id="user-role" name="role" value={draft.role} {...fields.aria('role', isMe ? 'user-role-hint' : undefined)} onChange={(e) => set('role', e.currentTarget.value as Role, 'role')}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`users.roles.${r}`)}
            </option>
          ))}
        </select>
      </FieldRow>
      <TeamChecks fields={fields} name="teams" idPrefix="user-team" legend={t('users.teams')} hint={t('users.teamsHint')} teams={teams} value={draft.teams} onChange={(v) => set('teams', v, 'teams')} />
      <FieldRow fields={fields} name="skills" id="user-skills" label={t('users.skills')} hint={t('users.listHint')}>
        <input id="user-skills" type="text" name="skills" autoComplete="off" value={draft.skills} {...fields.aria('skills', 'user-skills-hint')} onInput={(e) => set('skills', e.currentTarget.value, 'skills')} />
      </FieldRow>
      <FieldRow fields={fields} name="languages" id="user-languages" label={t('users.languages')} hint={t('users.languagesHint')}>
        <input
          id="user-languages"
          type="text"
          name="languages"
          autoComplete="off"
          value={draft.languages}
          {...fields.aria('languages', 'user-languages-hint')}
          onInput={(e) => set('languages', e.currentTarget.value, 'languages')}
        />
      </FieldRow>
      <FieldRow fields={fields} name="phone" id="user-phone" label={t('users.phone')} hint={t('users.phoneHint')}>
        <input id="user-phone" type="tel" name="phone" autoComplete="off" placeholder="+86…" value={draft.phone} {...fields.aria('phone', 'user-phone-hint')} onInput={(e) => set('phone', e.currentTarget.value, 'phone')} />
      </FieldRow>
      <div class="field-pair">
        <FieldRow fields={fields} name="chat" id="user-chat" label={t('users.chatLimit')}>
          <input id="user-chat" type="number" name="chat" inputMode="numeric" value={draft.chat} {...fields.aria('chat')} onInput={(e) => set('chat', e.currentTarget.value, 'chat')} />
        </FieldRow>
        <FieldRow fields={fields} name="async" id="user-async" label={t('users.asyncLimit')}>
          <input id="user-async" type="number" name="async" inputMode="numeric" value={draft.async} {...fields.aria('async')} onInput={(e) => set('async', e.currentTarget.value, 'async')} />
        </FieldRow>
      </div>
      {!initial && (
        <fieldset class="hours-mode">
          <legend>{t('users.password')}</legend>
          {(['generate', 'set'] as const).map((m) => (
            <label key={m} class="radio-line">
              <input type="radio" name="password-mode" value={m} checked={draft.passwordMode === m} onChange={() => set('passwordMode', m, 'password')} />
              <span>{m === 'generate' ? t('users.generatePassword') : t('users.setPassword')}</span>
            </label>
          ))}
        </fieldset>
      )}
      {(initial || draft.passwordMode === 'set') && (
        <FieldRow fields={fields} name="password" id="user-password" label={initial ? t('users.newPassword') : t('users.password')} hint={initial ? t('users.passwordHint') : t('users.passwordNewHint')}>
          <input
            id="user-password"
            type="password"
            name="password"
            autoComplete="new-password"
            value={draft.password}
            {...fields.aria('password', 'user-password-hint')}
            onInput={(e) => set('password', e.currentTarget.value, 'password')}
          />
        </FieldRow>
      )}
    </EditorForm>
  );
}

/** The editable fields of a draft as the API has them (to send only what changed). */
function editableOf(d: Draft): Record<string, unknown> {
  return {
    name: d.name,
    role: d.role,
    teams: d.teams,
    skills: wordsOf(d.skills),
    languages: wordsOf(d.languages),
    phone: d.phone.trim(),
    maxConcurrent: { chat: numberOf(d.chat), async: numberOf(d.async) },
  };
}
