import { useState } from 'preact/hooks';
import { del, patch, post } from '../api';
import { useI18n } from '../i18n/index';
import type { Team } from '../types';
import { InlineConfirm, teamNames, useRowActions, useTeams } from './AdminPieces';
import { FieldRow, useFieldErrors } from './Form';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';
import { EditorForm, SettingsScreen, SettingsTable, useEditor, useSettings } from './SettingsScreen';

/** A Twilio number as GET /api/v1/channels lists it (kind `twilio`); the auth token only as whether it is set. */
export interface PhoneNumber {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  settings: { number?: string; accountSid?: string; webhookBaseUrl?: string; voiceLanguage?: 'zh-CN' | 'en'; sms?: boolean; voice?: boolean };
  secrets: Record<string, { set: boolean }>;
  team: string | null;
}

const SPOTS = ['name', 'number', 'accountSid', 'authToken', 'webhookBaseUrl', 'team', 'voiceLanguage'] as const;
type Spot = (typeof SPOTS)[number];
/** `settings.number` → number, `secrets.authToken` → authToken, `team` → team. */
const spotOf = (field: string): Spot | null => {
  const parts = field.split('.');
  const key = parts[0] === 'settings' || parts[0] === 'secrets' ? parts[1] : parts[0];
  return key && (SPOTS as readonly string[]).includes(key) ? (key as Spot) : null;
};

/** Settings → Phone numbers: the hub's Twilio numbers (SMS and calls): list, add, edit, delete. */
export function PhonesAdmin() {
  const { t } = useI18n();
  const settings = useSettings<PhoneNumber, PhoneNumber | 'new'>('/api/v1/channels', () => undefined, (body) =>
    (body as { items: PhoneNumber[] }).items.filter((i) => i.kind === 'twilio'),
  );
  const { editing, changed, load } = settings;
  const { confirming, setConfirming, busy: deleting, rowError, setRowError, run } = useRowActions(changed, load);
  const teams = useTeams(setRowError);
  const origin = typeof location !== 'undefined' ? location.origin : '';

  const remove = (p: PhoneNumber) => run(() => del(`/api/v1/channels/${p.id}`), t('phones.deletedNotice', { name: p.name }));
  const hooks = (p: PhoneNumber) => `${(p.settings.webhookBaseUrl ?? origin).replace(/\/+$/, '')}/webhooks/twilio/${p.id}`;

  return (
    <SettingsScreen
      name="phones"
      settings={settings}
      tools={
        <button type="button" class="btn primary" data-action="phone-new" onClick={() => settings.edit('new')}>
          <Icon name="plus" /> {t('phones.new')}
        </button>
      }
      problems={rowError !== null && <ProblemMessage error={rowError} onDismiss={() => setRowError(null)} />}
      wideEditor
      editor={
        editing && (
          <PhoneForm
            key={editing === 'new' ? 'new' : editing.id}
            phone={editing === 'new' ? null : editing}
            teams={teams}
            onCancel={settings.close}
            onSaved={(p, created) => {
              settings.close();
              changed(t(created ? 'phones.addedNotice' : 'phones.savedNotice', { name: p.name }));
            }}
          />
        )
      }
    >
      {(items) => (
        <SettingsTable
          class="canned-table phones-table"
          testId="phones-table"
          columns={[t('phones.name'), t('phones.number'), t('phones.team'), t('phones.language'), t('phones.channels'), t('phones.webhooks')]}
          actionsLabel={t('phones.actions')}
        >
          {items.map((p) => (
            <tr key={p.id} data-phone-id={p.id} data-name={p.name} class={p.enabled ? '' : 'inactive'}>
              <td class="team-name">{p.name}</td>
              <td class="small" data-cell="number">
                <code>{p.settings.number}</code>
              </td>
              <td class="small" data-cell="team">
                {p.team ? teamNames(teams, [p.team]) : <span class="muted">{t('phones.defaultTeam')}</span>}
              </td>
              <td class="small" data-cell="language">
                {p.settings.voiceLanguage === 'zh-CN' ? '简体中文' : 'English'}
              </td>
              <td class="small" data-cell="channels">
                {[p.settings.sms !== false && t('phones.sms'), p.settings.voice !== false && t('phones.voice')].filter(Boolean).join(' · ') || <span class="muted">{t('phones.off')}</span>}
                {!p.secrets.authToken?.set && <div class="field-error small">{t('phones.noToken')}</div>}
              </td>
              <td class="small" data-cell="webhooks">
                <code class="webhook-url">{`${hooks(p)}/sms`}</code>
                <br />
                <code class="webhook-url">{`${hooks(p)}/voice`}</code>
              </td>
              <td class="row-actions">
                {confirming === p.id ? (
                  <InlineConfirm
                    question={t('phones.confirmDelete', { name: p.name })}
                    busy={deleting}
                    action="phone-confirm-delete"
                    confirmLabel={t('phones.delete')}
                    cancelLabel={t('phones.cancel')}
                    onConfirm={() => void remove(p)}
                    onCancel={() => setConfirming(null)}
                  />
                ) : (
                  <>
                    <button type="button" class="btn small ghost" data-action="phone-edit" aria-label={t('phones.editOne', { name: p.name })} onClick={() => settings.edit(p)}>
                      {t('phones.edit')}
                    </button>
                    <button
                      type="button"
                      class="btn small ghost"
                      data-action="phone-delete"
                      aria-label={t('phones.deleteOne', { name: p.name })}
                      onClick={() => {
                        setRowError(null);
                        setConfirming(p.id);
                      }}
                    >
                      {t('phones.delete')}
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

interface PhoneFormProps {
  phone: PhoneNumber | null;
  teams: Team[] | null;
  onCancel(): void;
  onSaved(p: PhoneNumber, created: boolean): void;
}

/** One number's settings; the auth token is write-only (empty keeps the stored one). The API's field errors appear at the field. */
function PhoneForm({ phone, teams, onCancel, onSaved }: PhoneFormProps) {
  const { t } = useI18n();
  const [name, setName] = useState(phone?.name ?? '');
  const [number, setNumber] = useState(phone?.settings.number ?? '');
  const [accountSid, setAccountSid] = useState(phone?.settings.accountSid ?? '');
  const [authToken, setAuthToken] = useState('');
  const [webhookBaseUrl, setWebhookBaseUrl] = useState(phone?.settings.webhookBaseUrl ?? '');
  const [team, setTeam] = useState(phone?.team ?? '');
  const [voiceLanguage, setVoiceLanguage] = useState<'zh-CN' | 'en'>(phone?.settings.voiceLanguage ?? 'en');
  const [sms, setSms] = useState(phone?.settings.sms !== false);
  const [voice, setVoice] = useState(phone?.settings.voice !== false);
  const [enabled, setEnabled] = useState(phone?.enabled ?? true);
  const fields = useFieldErrors<Spot>((s) => `phone-${s}-error`);
  const { busy, submit, showErrors, frame } = useEditor(fields, 'input[name=name]');

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    fields.set({});
    const settings = { number: number.trim(), accountSid: accountSid.trim(), voiceLanguage, sms, voice, ...(webhookBaseUrl.trim() ? { webhookBaseUrl: webhookBaseUrl.trim() } : {}) };
    const body = { name, enabled, team: team || null, settings, ...(authToken ? { secrets: { authToken } } : {}) };
    await submit(
      async () => {
        const saved = phone ? await patch<PhoneNumber>(`/api/v1/channels/${phone.id}`, body) : await post<PhoneNumber>('/api/v1/channels', { kind: 'twilio', ...body });
        onSaved(saved, phone === null);
      },
      (err) => showErrors(err, spotOf),
    );
  };

  const text = (spot: Spot, value: string, set: (v: string) => void, o: { secret?: boolean; placeholder?: string; hint?: string } = {}) => {
    const common = {
      id: `phone-${spot}`,
      name: spot,
      autoComplete: 'off',
      value,
      placeholder: o.placeholder,
      ...fields.aria(spot, o.hint && `phone-${spot}-hint`),
      onInput: (e: Event) => {
        set((e.currentTarget as HTMLInputElement).value);
        fields.clear(spot);
      },
    };
    return (
      <FieldRow fields={fields} name={spot} id={`phone-${spot}`} label={t(`phones.${spot}`)} {...(o.hint ? { hint: o.hint } : {})}>
        {o.secret ? <input type="password" {...common} /> : <input type="text" {...common} />}
      </FieldRow>
    );
  };

  return (
    <EditorForm
      {...frame}
      class="admin-form phone-form"
      testId="phone-form"
      title={phone ? t('phones.editTitle', { name: phone.name }) : t('phones.new')}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('phones.cancel')}
      saveAction="phone-save"
      saveLabel={busy ? t('phones.saving') : t('phones.save')}
    >
      {text('name', name, setName)}
      {text('number', number, setNumber, { placeholder: '+8610…', hint: t('phones.numberHint') })}
      {text('accountSid', accountSid, setAccountSid, { placeholder: 'AC…' })}
      {text('authToken', authToken, setAuthToken, { secret: true, hint: phone?.secrets.authToken?.set ? t('phones.tokenKept') : t('phones.tokenHint') })}
      {text('webhookBaseUrl', webhookBaseUrl, setWebhookBaseUrl, { placeholder: 'https://support.example.com', hint: t('phones.webhookHint') })}
      <FieldRow fields={fields} name="team" id="phone-team" label={t('phones.team')}>
        <select id="phone-team" name="team" value={team} {...fields.aria('team')} onChange={(e) => setTeam(e.currentTarget.value)}>
          <option value="">{t('phones.defaultTeam')}</option>
          {(teams ?? []).map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
      </FieldRow>
      <FieldRow fields={fields} name="voiceLanguage" id="phone-voiceLanguage" label={t('phones.language')}>
        <select id="phone-voiceLanguage" name="voiceLanguage" value={voiceLanguage} onChange={(e) => setVoiceLanguage(e.currentTarget.value === 'zh-CN' ? 'zh-CN' : 'en')}>
          <option value="zh-CN">简体中文</option>
          <option value="en">English</option>
        </select>
      </FieldRow>
      <fieldset class="field checks">
        <legend>{t('phones.channels')}</legend>
        <label>
          <input type="checkbox" name="sms" checked={sms} onChange={(e) => setSms(e.currentTarget.checked)} /> {t('phones.sms')}
        </label>
        <label>
          <input type="checkbox" name="voice" checked={voice} onChange={(e) => setVoice(e.currentTarget.checked)} /> {t('phones.voice')}
        </label>
        <label>
          <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> {t('phones.enabled')}
        </label>
      </fieldset>
    </EditorForm>
  );
}
