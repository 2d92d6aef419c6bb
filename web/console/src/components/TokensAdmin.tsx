import { useState } from 'preact/hooks';
import { del, post } from '../api';
import { dateTime } from '../format';
import { useI18n } from '../i18n/index';
import type { ApiToken, Role, Team } from '../types';
import { InlineConfirm, SecretOnce, TeamChecks, teamNames, useRowActions, useTeams } from './AdminPieces';
import { FieldRow, useFieldErrors } from './Form';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';
import { EditorForm, SettingsScreen, SettingsTable, useEditor, useSettings } from './SettingsScreen';
import { ROLES } from './UsersAdmin';

const SPOTS = ['name', 'role', 'teams'] as const;
type Spot = (typeof SPOTS)[number];
const spotOf = (field: string): Spot | null => {
  const head = field.split('.')[0] ?? '';
  return (SPOTS as readonly string[]).includes(head) ? (head as Spot) : null;
};

/** Settings → API tokens: list, create (the token shown once, with a copy button), revoke. */
export function TokensAdmin() {
  const { t, lang } = useI18n();
  const settings = useSettings<ApiToken, 'new'>('/api/v1/api-tokens', () => undefined);
  const { editing, changed, load } = settings;
  const { confirming, setConfirming, busy: revoking, rowError, setRowError, run } = useRowActions(changed, load);
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const teams = useTeams(setRowError);

  const revoke = (tok: ApiToken) => run(() => del(`/api/v1/api-tokens/${tok.id}`), t('tokens.revokedNotice', { name: tok.name }));

  return (
    <SettingsScreen
      name="tokens"
      settings={settings}
      tools={
        <button
          type="button"
          class="btn primary"
          data-action="token-new"
          onClick={() => {
            setSecret(null);
            settings.edit('new');
          }}
        >
          <Icon name="plus" /> {t('tokens.new')}
        </button>
      }
      banner={secret && <SecretOnce testId="api-token-secret" title={t('tokens.tokenOf', { name: secret.name })} value={secret.token} onDone={() => setSecret(null)} />}
      problems={rowError !== null && <ProblemMessage error={rowError} onDismiss={() => setRowError(null)} />}
      editor={
        editing && (
          <TokenForm
            teams={teams}
            onCancel={settings.close}
            onCreated={(tok, token) => {
              settings.close();
              changed(t('tokens.madeNotice', { name: tok.name }));
              setSecret({ name: tok.name, token });
            }}
          />
        )
      }
    >
      {(items) => (
        <SettingsTable
          class="canned-table tokens-table"
          testId="tokens-table"
          columns={[t('tokens.name'), t('tokens.prefix'), t('tokens.role'), t('tokens.teams'), t('tokens.created'), t('tokens.lastUsed'), t('tokens.status')]}
          actionsLabel={t('tokens.actions')}
        >
          {items.map((tok) => (
            <tr key={tok.id} data-token-id={tok.id} data-name={tok.name} data-revoked={tok.revokedAt ? 'true' : 'false'} class={tok.revokedAt ? 'inactive' : ''}>
              <td class="team-name">{tok.name}</td>
              <td class="small canned-shortcut" data-cell="prefix">
                <code>{tok.prefix}…</code>
              </td>
              <td class="small" data-cell="role">
                {t(`users.roles.${tok.role}`)}
              </td>
              <td class="small" data-cell="teams">
                {tok.teams.length ? teamNames(teams, tok.teams) : <span class="muted">—</span>}
              </td>
              <td class="small">{dateTime(tok.createdAt, lang)}</td>
              <td class="small">{tok.lastUsedAt ? dateTime(tok.lastUsedAt, lang) : <span class="muted">{t('tokens.never')}</span>}</td>
              <td class="small" data-cell="status">
                {tok.revokedAt ? t('tokens.revoked', { when: dateTime(tok.revokedAt, lang) }) : t('tokens.active')}
              </td>
              <td class="row-actions">
                {tok.revokedAt ? null : confirming === tok.id ? (
                  <InlineConfirm
                    question={t('tokens.confirmRevoke', { name: tok.name })}
                    busy={revoking}
                    action="token-confirm-revoke"
                    confirmLabel={t('tokens.revoke')}
                    cancelLabel={t('tokens.cancel')}
                    onConfirm={() => void revoke(tok)}
                    onCancel={() => setConfirming(null)}
                  />
                ) : (
                  <button
                    type="button"
                    class="btn small ghost"
                    data-action="token-revoke"
                    aria-label={t('tokens.revokeOne', { name: tok.name })}
                    onClick={() => {
                      setRowError(null);
                      setConfirming(tok.id);
                    }}
                  >
                    {t('tokens.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </SettingsTable>
      )}
    </SettingsScreen>
  );
}

interface TokenFormProps {
  teams: Team[] | null;
  onCancel(): void;
  onCreated(tok: ApiToken, token: string): void;
}

/** A new token's name, role and teams; the API validates, its field errors appear at the field. */
function TokenForm({ teams, onCancel, onCreated }: TokenFormProps) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [teamIds, setTeamIds] = useState<string[]>([]);
  const fields = useFieldErrors<Spot>((s) => `token-${s}-error`);
  const { busy, submit, showErrors, frame } = useEditor(fields, 'input[name=name]');

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    fields.set({});
    await submit(
      async () => {
        const made = await post<ApiToken & { token: string }>('/api/v1/api-tokens', { name, role, teams: teamIds });
        onCreated(made, made.token);
      },
      (err) => showErrors(err, spotOf),
    );
  };

  return (
    <EditorForm
      {...frame}
      class="admin-form token-form"
      testId="token-form"
      title={t('tokens.new')}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('tokens.cancel')}
      saveAction="token-save"
      saveLabel={busy ? t('tokens.saving') : t('tokens.create')}
    >
      <FieldRow fields={fields} name="name" id="token-name" label={t('tokens.name')}>
        <input
          id="token-name"
          type="text"
          name="name"
          autoComplete="off"
          value={name}
          {...fields.aria('name')}
          onInput={(e) => {
            setName(e.currentTarget.value);
            fields.clear('name');
          }}
        />
      </FieldRow>
      <FieldRow fields={fields} name="role" id="token-role" label={t('tokens.role')}>
        <select
          id="token-role"
          name="role"
          value={role}
          {...fields.aria('role')}
          onChange={(e) => {
            setRole(e.currentTarget.value as Role);
            fields.clear('role');
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`users.roles.${r}`)}
            </option>
          ))}
        </select>
      </FieldRow>
      <TeamChecks
        fields={fields}
        name="teams"
        idPrefix="token-team"
        legend={t('tokens.teams')}
        hint={t('tokens.teamsHint')}
        teams={teams}
        value={teamIds}
        onChange={(v) => {
          setTeamIds(v);
          fields.clear('teams');
        }}
      />
    </EditorForm>
  );
}
