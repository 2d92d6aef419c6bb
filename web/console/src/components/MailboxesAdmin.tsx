import { useEffect, useState } from 'preact/hooks';
import { del, patch, post } from '../api';
import { dateTime } from '../format';
import { useI18n } from '../i18n/index';
import { TICKET_TYPES, type ChannelInstance, type MailboxSettings, type Team, type TicketType } from '../types';
import { InlineConfirm, teamNames, useRowActions, useTeams } from './AdminPieces';
import { FieldRow, useFieldErrors, type FieldErrors } from './Form';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';
import { EditorForm, SettingsScreen, SettingsTable, useEditor, useSettings } from './SettingsScreen';

/** Where the form shows the API's field errors: the API's own field names. */
const SPOTS = [
  'name',
  'settings.address',
  'settings.displayName',
  'settings.imap.host',
  'settings.imap.port',
  'settings.imap.user',
  'secrets.imapPassword',
  'settings.imap.folder',
  'settings.processedFolder',
  'settings.smtp.host',
  'settings.smtp.port',
  'settings.smtp.user',
  'secrets.smtpPassword',
  'team',
  'defaultType',
] as const;
type Spot = (typeof SPOTS)[number];
/** Errors about a group as a whole (or a field the form has no control for) show at its first field. */
const GROUP_SPOT: Record<string, Spot> = { settings: 'settings.address', 'settings.imap': 'settings.imap.host', 'settings.smtp': 'settings.smtp.host', secrets: 'secrets.imapPassword' };

/** `settings.imap.secure` → the closest place the form shows: itself, else its group's first field. */
export function spotOf(field: string): Spot | null {
  const parts = field.split('.');
  for (let n = parts.length; n > 0; n--) {
    const f = parts.slice(0, n).join('.');
    if ((SPOTS as readonly string[]).includes(f)) return f as Spot;
    if (n < parts.length && GROUP_SPOT[f]) return GROUP_SPOT[f];
  }
  return null;
}
const idOf = (s: Spot): string => `mailbox-${s.replace(/^(settings|secrets)\./, '').replace(/\./g, '-')}`;

/** How often the list (health, last sync) is read again while the screen is open. */
const REFRESH_MS = 5000;

const settingsOf = (m: ChannelInstance): MailboxSettings => m.settings as unknown as MailboxSettings;

/** Settings → Email: the support mailboxes (channel instances of kind `email`); admins only. */
export function MailboxesAdmin() {
  const { t, lang } = useI18n();
  const settings = useSettings<ChannelInstance, ChannelInstance | 'new'>('/api/v1/channels', () => undefined, (body) =>
    (body as { items: ChannelInstance[] }).items.filter((i) => i.kind === 'email'),
  );
  const { editing, changed, load } = settings;
  const { confirming, setConfirming, busy, rowError, setRowError, run } = useRowActions(changed, load);
  const teams = useTeams(setRowError);

  // Health and the last sync change on their own: the list is read again every few seconds.
  useEffect(() => {
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const remove = (m: ChannelInstance) =>
    run(() => del(`/api/v1/channels/${m.id}`), t('email.deleted', { name: m.name }), {
      after: () => {
        if (editing !== 'new' && editing?.id === m.id) settings.close();
      },
    });
  const toggle = (m: ChannelInstance) =>
    run(() => patch(`/api/v1/channels/${m.id}`, { enabled: !m.enabled }), t(m.enabled ? 'email.turnedOff' : 'email.turnedOn', { name: m.name }));

  return (
    <SettingsScreen
      name="email"
      settings={settings}
      wideEditor
      tools={
        <button type="button" class="btn primary" data-action="mailbox-new" onClick={() => settings.edit('new')}>
          <Icon name="plus" /> {t('email.new')}
        </button>
      }
      problems={rowError !== null && <ProblemMessage error={rowError} onDismiss={() => setRowError(null)} />}
      editor={
        editing && (
          <MailboxForm
            key={editing === 'new' ? 'new' : editing.id}
            initial={editing === 'new' ? null : editing}
            teams={teams}
            onCancel={settings.close}
            onSaved={(m, created) => {
              settings.close();
              changed(t(created ? 'email.created' : 'email.saved', { name: m.name }));
            }}
          />
        )
      }
    >
      {(items) => (
        <SettingsTable
          class="canned-table mailboxes-table"
          testId="mailboxes-table"
          columns={[t('email.name'), t('email.address'), t('email.folder'), t('email.team'), t('email.type'), t('email.state'), t('email.health'), t('email.lastSync')]}
          actionsLabel={t('email.actions')}
        >
          {items.map((m) => {
            const s = settingsOf(m);
            return (
              <tr key={m.id} data-mailbox-id={m.id} data-name={m.name} class={`${m.enabled ? '' : 'inactive'} ${editing !== 'new' && editing?.id === m.id ? 'editing' : ''}`}>
                <td class="team-name">{m.name}</td>
                <td class="small" data-cell="address">
                  {s.address}
                </td>
                <td class="small" data-cell="folder">
                  {s.imap?.folder}
                </td>
                <td class="small" data-cell="team">
                  {m.team ? teamNames(teams, [m.team]) : <span class="muted">{t('email.defaultTeam')}</span>}
                </td>
                <td class="small" data-cell="type">
                  {m.defaultType ? t(`values.type.${m.defaultType}`) : <span class="muted">{t('email.byRules')}</span>}
                </td>
                <td class="small" data-cell="state">
                  {m.enabled ? t('email.on') : t('email.off')}
                </td>
                <td class="small" data-cell="health" data-ok={m.health ? String(m.health.ok) : 'unknown'}>
                  {!m.enabled ? (
                    <span class="muted">—</span>
                  ) : !m.health ? (
                    <span class="muted">{t('email.notChecked')}</span>
                  ) : m.health.ok ? (
                    <span class="health-ok">{t('email.healthy')}</span>
                  ) : (
                    <span class="health-bad" title={dateTime(m.health.at, lang)}>
                      {t('email.unhealthy', { reason: m.health.reason ?? '' })}
                    </span>
                  )}
                </td>
                <td class="small" data-cell="last-sync">
                  {m.lastSyncAt ? dateTime(m.lastSyncAt, lang) : <span class="muted">{t('email.never')}</span>}
                </td>
                <td class="row-actions">
                  {confirming === m.id ? (
                    <InlineConfirm
                      question={t('email.confirmDelete', { name: m.name })}
                      busy={busy}
                      action="mailbox-confirm-delete"
                      confirmLabel={t('email.delete')}
                      cancelLabel={t('email.cancel')}
                      onConfirm={() => void remove(m)}
                      onCancel={() => setConfirming(null)}
                    />
                  ) : (
                    <>
                      <button type="button" class="btn small" data-action="mailbox-edit" aria-label={t('email.editOne', { name: m.name })} onClick={() => settings.edit(m)}>
                        {t('email.edit')}
                      </button>
                      <button type="button" class="btn small ghost" data-action="mailbox-toggle" disabled={busy} onClick={() => void toggle(m)}>
                        {m.enabled ? t('email.turnOff') : t('email.turnOn')}
                      </button>
                      <button
                        type="button"
                        class="btn small ghost"
                        data-action="mailbox-delete"
                        aria-label={t('email.deleteOne', { name: m.name })}
                        onClick={() => {
                          setRowError(null);
                          setConfirming(m.id);
                        }}
                      >
                        {t('email.delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </SettingsTable>
      )}
    </SettingsScreen>
  );
}

interface Draft {
  name: string;
  enabled: boolean;
  address: string;
  displayName: string;
  imapHost: string;
  imapPort: string;
  imapSecure: boolean;
  imapUser: string;
  imapPassword: string;
  folder: string;
  markSeen: boolean;
  processedFolder: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecure: boolean;
  smtpUser: string;
  smtpPassword: string;
  autoAck: boolean;
  team: string;
  defaultType: TicketType | '';
}

function draftOf(m: ChannelInstance | null): Draft {
  const s = m ? settingsOf(m) : null;
  return {
    name: m?.name ?? '',
    enabled: m?.enabled ?? true,
    address: s?.address ?? '',
    displayName: s?.displayName ?? '',
    imapHost: s?.imap?.host ?? '',
    imapPort: String(s?.imap?.port ?? 993),
    imapSecure: s?.imap?.secure ?? true,
    imapUser: s?.imap?.user ?? '',
    imapPassword: '',
    folder: s?.imap?.folder ?? 'INBOX',
    markSeen: s?.markSeen ?? true,
    processedFolder: s?.processedFolder ?? '',
    smtpHost: s?.smtp?.host ?? '',
    smtpPort: String(s?.smtp?.port ?? 587),
    smtpSecure: s?.smtp?.secure ?? false,
    smtpUser: s?.smtp?.user ?? '',
    smtpPassword: '',
    autoAck: s?.autoAcknowledge?.enabled ?? false,
    team: m?.team ?? '',
    defaultType: m?.defaultType ?? '',
  };
}

/** '' → undefined (the API's default); anything else as a number (not a number: the API says so at the field). */
const portOf = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v.trim()));

/** The request body: every field the form shows (settings given replace the stored ones of the same name). */
function bodyOf(d: Draft, initial: ChannelInstance | null): Record<string, unknown> {
  const before = initial ? settingsOf(initial) : null;
  const secrets: Record<string, string> = {};
  // Passwords: empty keeps the stored one.
  if (d.imapPassword) secrets.imapPassword = d.imapPassword;
  if (d.smtpPassword) secrets.smtpPassword = d.smtpPassword;
  return {
    name: d.name,
    enabled: d.enabled,
    settings: {
      address: d.address.trim(),
      displayName: d.displayName.trim() || null,
      imap: { ...(before?.imap ?? {}), host: d.imapHost, port: portOf(d.imapPort), secure: d.imapSecure, user: d.imapUser, folder: d.folder },
      markSeen: d.markSeen,
      processedFolder: d.processedFolder.trim() || null,
      smtp: d.smtpHost.trim()
        ? { ...(before?.smtp ?? {}), host: d.smtpHost, port: portOf(d.smtpPort), secure: d.smtpSecure, user: d.smtpUser.trim() || undefined }
        : null,
      autoAcknowledge: { ...(before?.autoAcknowledge ?? {}), enabled: d.autoAck },
    },
    secrets,
    team: d.team || null,
    defaultType: d.defaultType || null,
  };
}

interface MailboxFormProps {
  initial: ChannelInstance | null;
  teams: Team[] | null;
  onCancel(): void;
  onSaved(m: ChannelInstance, created: boolean): void;
}

/** One mailbox: IMAP in, SMTP out, the tickets it opens. The API validates; its field errors appear at the field. */
function MailboxForm({ initial, teams, onCancel, onSaved }: MailboxFormProps) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial));
  const fields = useFieldErrors<Spot>((s) => `${idOf(s)}-error`);
  const { busy, submit, showErrors, frame } = useEditor(fields, 'input[name=name]');

  const set = <K extends keyof Draft>(k: K, v: Draft[K], spot?: Spot) => {
    setDraft((d) => ({ ...d, [k]: v }));
    if (spot) fields.clear(spot);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    fields.set({});
    const body = bodyOf(draft, initial);
    await submit(
      async () => {
        const saved = initial ? await patch<ChannelInstance>(`/api/v1/channels/${initial.id}`, body) : await post<ChannelInstance>('/api/v1/channels', { kind: 'email', ...body });
        onSaved(saved, !initial);
      },
      (err) => showErrors(err, spotOf),
    );
  };

  const text = (spot: Spot, key: keyof Draft, label: string, opts: { type?: 'text' | 'email' | 'password'; hint?: string; autoComplete?: string } = {}) => {
    const id = idOf(spot);
    return (
      <FieldRow fields={fields} name={spot} id={id} label={label} hint={opts.hint}>
        <input
          id={id}
          // (preact's typings split inputs by type; these three take the same attributes)
          type={(opts.type ?? 'text') as 'text'}
          name={spot}
          autoComplete={opts.autoComplete ?? 'off'}
          spellcheck={false}
          value={draft[key] as string}
          {...fields.aria(spot, opts.hint ? `${id}-hint` : undefined)}
          onInput={(ev) => set(key, ev.currentTarget.value as Draft[typeof key], spot)}
        />
      </FieldRow>
    );
  };
  const check = (key: 'enabled' | 'imapSecure' | 'smtpSecure' | 'markSeen' | 'autoAck', label: string) => (
    <label class="check-line">
      <input type="checkbox" name={key} checked={draft[key]} onChange={(ev) => set(key, ev.currentTarget.checked)} />
      <span>{label}</span>
    </label>
  );
  const passwordHint = (secret: 'imapPassword' | 'smtpPassword') => (initial?.secrets[secret]?.set ? t('email.passwordKept') : t('email.passwordNotSet'));

  return (
    <EditorForm
      {...frame}
      class="admin-form mailbox-form"
      testId="mailbox-form"
      title={initial ? t('email.editing', { name: initial.name }) : t('email.new')}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('email.cancel')}
      saveAction="mailbox-save"
      saveLabel={busy ? t('email.saving') : initial ? t('email.save') : t('email.create')}
    >
      {text('name', 'name', t('email.name'))}
      <div class="field-pair">
        {text('settings.address', 'address', t('email.address'), { type: 'email', hint: t('email.addressHint') })}
        {text('settings.displayName', 'displayName', t('email.displayName'), { hint: t('email.displayNameHint') })}
      </div>
      {check('enabled', t('email.enabled'))}

      <fieldset>
        <legend>{t('email.imap')}</legend>
        <div class="field-pair">
          {text('settings.imap.host', 'imapHost', t('email.host'))}
          {text('settings.imap.port', 'imapPort', t('email.port'), { type: 'text' })}
        </div>
        {check('imapSecure', t('email.imapTls'))}
        <div class="field-pair">
          {text('settings.imap.user', 'imapUser', t('email.user'))}
          {text('secrets.imapPassword', 'imapPassword', t('email.password'), { type: 'password', hint: passwordHint('imapPassword'), autoComplete: 'new-password' })}
        </div>
        <div class="field-pair">
          {text('settings.imap.folder', 'folder', t('email.folder'))}
          {text('settings.processedFolder', 'processedFolder', t('email.processedFolder'), { hint: t('email.processedFolderHint') })}
        </div>
        {check('markSeen', t('email.markSeen'))}
      </fieldset>

      <fieldset>
        <legend>{t('email.smtp')}</legend>
        <span class="field-hint muted small">{t('email.smtpHint')}</span>
        <div class="field-pair">
          {text('settings.smtp.host', 'smtpHost', t('email.host'))}
          {text('settings.smtp.port', 'smtpPort', t('email.port'))}
        </div>
        {check('smtpSecure', t('email.smtpTls'))}
        <div class="field-pair">
          {text('settings.smtp.user', 'smtpUser', t('email.user'))}
          {text('secrets.smtpPassword', 'smtpPassword', t('email.password'), { type: 'password', hint: passwordHint('smtpPassword'), autoComplete: 'new-password' })}
        </div>
        {check('autoAck', t('email.autoAck'))}
        <span class="field-hint muted small">{t('email.autoAckHint', { n: (initial ? settingsOf(initial) : null)?.autoAcknowledge?.maxPerSenderPerHour ?? 3 })}</span>
      </fieldset>

      <fieldset>
        <legend>{t('email.tickets')}</legend>
        <div class="field-pair">
          <TeamSelect fields={fields} teams={teams} value={draft.team} onChange={(v) => set('team', v, 'team')} />
          <FieldRow fields={fields} name="defaultType" id="mailbox-defaultType" label={t('email.type')} hint={t('email.typeHint')}>
            <select
              id="mailbox-defaultType"
              name="defaultType"
              value={draft.defaultType}
              {...fields.aria('defaultType', 'mailbox-defaultType-hint')}
              onChange={(ev) => set('defaultType', ev.currentTarget.value as TicketType | '', 'defaultType')}
            >
              <option value="">{t('email.byRules')}</option>
              {TICKET_TYPES.map((ty) => (
                <option key={ty} value={ty}>
                  {t(`values.type.${ty}`)}
                </option>
              ))}
            </select>
          </FieldRow>
        </div>
      </fieldset>
    </EditorForm>
  );
}

function TeamSelect({ fields, teams, value, onChange }: { fields: FieldErrors<Spot>; teams: Team[] | null; value: string; onChange(v: string): void }) {
  const { t } = useI18n();
  return (
    <FieldRow fields={fields} name="team" id="mailbox-team" label={t('email.team')}>
      <select id="mailbox-team" name="team" value={value} {...fields.aria('team')} onChange={(ev) => onChange(ev.currentTarget.value)}>
        <option value="">{t('email.defaultTeam')}</option>
        {teams?.map((team) => (
          <option key={team.id} value={team.id}>
            {team.name}
          </option>
        ))}
      </select>
    </FieldRow>
  );
}
