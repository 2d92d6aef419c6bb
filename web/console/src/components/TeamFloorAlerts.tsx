import { useState } from 'preact/hooks';
import { patch } from '../api';
import { useI18n } from '../i18n/index';
import type { Team } from '../types';
import { FieldRow, useFieldErrors } from './Form';
import { EditorForm, useEditor } from './SettingsScreen';

type Spot = 'maxWaiting' | 'maxWaitSeconds';

/** Typed text → a whole number, null when empty, or the text itself for the API to refuse at the field. */
const countOf = (text: string): number | null | string => (text.trim() === '' ? null : Number.isFinite(Number(text)) ? Number(text) : text);

export interface TeamAlertsFormProps {
  team: Team;
  onCancel(): void;
  onSaved(team: Team): void;
}

/** When the team's supervisors are alerted about its queue: more tickets waiting than a count, a wait longer than some minutes. */
export function TeamAlertsForm({ team, onCancel, onSaved }: TeamAlertsFormProps) {
  const { t } = useI18n();
  const [waiting, setWaiting] = useState(team.floorAlerts?.maxWaiting == null ? '' : String(team.floorAlerts.maxWaiting));
  const [minutes, setMinutes] = useState(team.floorAlerts?.maxWaitSeconds == null ? '' : String(Math.round((team.floorAlerts.maxWaitSeconds / 60) * 100) / 100));
  const fields = useFieldErrors<Spot>((s) => `alerts-${s}-error`);
  const { busy, submit, showErrors, frame } = useEditor(fields, 'input[name=maxWaiting]');

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    fields.set({});
    const maxWaiting = countOf(waiting);
    const m = countOf(minutes);
    const maxWaitSeconds = typeof m === 'number' ? Math.round(m * 60) : m;
    const floorAlerts = maxWaiting === null && maxWaitSeconds === null ? null : { maxWaiting, maxWaitSeconds };
    await submit(
      async () => onSaved(await patch<Team>(`/api/v1/teams/${team.id}`, { floorAlerts })),
      (err) =>
        showErrors(err, (f) => {
          const spot = f.split('.')[1];
          return spot === 'maxWaiting' || spot === 'maxWaitSeconds' ? spot : null;
        }),
    );
  };

  return (
    <EditorForm
      {...frame}
      class="admin-form team-alerts-form"
      testId="team-alerts-form"
      title={t('floor.teamAlertsOf', { name: team.name })}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('teams.cancel')}
      saveAction="team-alerts-save"
      saveLabel={busy ? t('teams.saving') : t('teams.save')}
    >
      <FieldRow fields={fields} name="maxWaiting" id="alerts-waiting" label={t('floor.maxWaiting')} hint={t('floor.maxWaitingHint')}>
        <input
          id="alerts-waiting"
          type="number"
          name="maxWaiting"
          min={1}
          step={1}
          value={waiting}
          {...fields.aria('maxWaiting', 'alerts-waiting-hint')}
          onInput={(e) => {
            setWaiting(e.currentTarget.value);
            fields.clear('maxWaiting');
          }}
        />
      </FieldRow>
      <FieldRow fields={fields} name="maxWaitSeconds" id="alerts-wait" label={t('floor.maxWaitMinutes')} hint={t('floor.maxWaitHint')}>
        <input
          id="alerts-wait"
          type="number"
          name="maxWaitMinutes"
          min={0}
          step="any"
          value={minutes}
          {...fields.aria('maxWaitSeconds', 'alerts-wait-hint')}
          onInput={(e) => {
            setMinutes(e.currentTarget.value);
            fields.clear('maxWaitSeconds');
          }}
        />
      </FieldRow>
    </EditorForm>
  );
}
