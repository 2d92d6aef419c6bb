import { useState } from 'preact/hooks';
import { patch, post, put } from '../api';
import { useI18n } from '../i18n/index';
import type { Team } from '../types';
import { FieldRow, useFieldErrors } from './Form';
import { EditorForm, useEditor } from './SettingsScreen';

/** A team's routing settings (GET / PUT /api/v1/teams/:id/routing). */
export const STRATEGIES = ['least-busy', 'round-robin', 'skills-based', 'sticky', 'manual'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export interface TeamRouting {
  teamId: string;
  strategy: Strategy;
  offerTimeoutMs: number;
  missedOfferCooldownMs: number;
  autoAccept: { chat: boolean; async: boolean };
}

/** ms → seconds as typed ("30", "2.5"). */
const secondsText = (ms: number): string => String(Math.round(ms / 100) / 10);
/** Seconds as typed → ms, or the text itself for the API to refuse at the field. */
const msOf = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Math.round(Number(text) * 1000) : text);

type RoutingSpot = 'strategy' | 'offerTimeoutMs' | 'missedOfferCooldownMs' | 'autoAccept';

export interface TeamRoutingFormProps {
  team: Team;
  routing: TeamRouting;
  onCancel(): void;
  onSaved(r: TeamRouting): void;
}

/** How a team's tickets reach its agents: the strategy, how long an offer stands, the cool-down after a missed one, auto-accept. */
export function TeamRoutingForm({ team, routing, onCancel, onSaved }: TeamRoutingFormProps) {
  const { t } = useI18n();
  const [strategy, setStrategy] = useState<Strategy>(routing.strategy);
  const [offer, setOffer] = useState(secondsText(routing.offerTimeoutMs));
  const [cooldown, setCooldown] = useState(secondsText(routing.missedOfferCooldownMs));
  const [autoAccept, setAutoAccept] = useState(routing.autoAccept);
  const fields = useFieldErrors<RoutingSpot>((s) => `routing-${s}-error`);
  const { busy, submit, showErrors, frame } = useEditor(fields, 'select[name=strategy]');

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    fields.set({});
    await submit(
      async () => onSaved(await put<TeamRouting>(`/api/v1/teams/${team.id}/routing`, { strategy, offerTimeoutMs: msOf(offer), missedOfferCooldownMs: msOf(cooldown), autoAccept })),
      (err) =>
        showErrors(
          err,
          (f) => {
            const head = f.split('.')[0];
            return head === 'strategy' || head === 'offerTimeoutMs' || head === 'missedOfferCooldownMs' || head === 'autoAccept' ? head : null;
          },
          (at) => {
            // The API counts in milliseconds; the form in seconds.
            if (at.offerTimeoutMs) at.offerTimeoutMs = t('teams.offerTimeoutRange');
            if (at.missedOfferCooldownMs) at.missedOfferCooldownMs = t('teams.cooldownRange');
          },
        ),
    );
  };

  return (
    <EditorForm
      {...frame}
      class="admin-form team-routing-form"
      testId="team-routing-form"
      title={t('teams.routingOf', { name: team.name })}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('teams.cancel')}
      saveAction="team-routing-save"
      saveLabel={busy ? t('teams.saving') : t('teams.save')}
    >
      <FieldRow fields={fields} name="strategy" id="routing-strategy" label={t('teams.strategy')} hint={t(`teams.strategyHints.${strategy}`)}>
        <select
          id="routing-strategy"
          name="strategy"
          value={strategy}
          {...fields.aria('strategy', 'routing-strategy-hint')}
          onChange={(e) => {
            setStrategy(e.currentTarget.value as Strategy);
            fields.clear('strategy');
          }}
        >
          {STRATEGIES.map((s) => (
            <option key={s} value={s}>
              {t(`teams.strategies.${s}`)}
            </option>
          ))}
        </select>
      </FieldRow>
      <FieldRow fields={fields} name="offerTimeoutMs" id="routing-offer" label={t('teams.offerTimeout')} hint={t('teams.offerTimeoutHint')}>
        <input
          id="routing-offer"
          type="number"
          name="offerTimeoutMs"
          step="any"
          value={offer}
          {...fields.aria('offerTimeoutMs', 'routing-offer-hint')}
          onInput={(e) => {
            setOffer(e.currentTarget.value);
            fields.clear('offerTimeoutMs');
          }}
        />
      </FieldRow>
      <FieldRow fields={fields} name="missedOfferCooldownMs" id="routing-cooldown" label={t('teams.cooldown')} hint={t('teams.cooldownHint')}>
        <input
          id="routing-cooldown"
          type="number"
          name="missedOfferCooldownMs"
          step="any"
          value={cooldown}
          {...fields.aria('missedOfferCooldownMs', 'routing-cooldown-hint')}
          onInput={(e) => {
            setCooldown(e.currentTarget.value);
            fields.clear('missedOfferCooldownMs');
          }}
        />
      </FieldRow>
      <fieldset class={`field ${fields.errors.autoAccept ? 'invalid' : ''}`}>
        <legend>{t('teams.autoAccept')}</legend>
        {(['chat', 'async'] as const).map((k) => (
          <label key={k} class="check-line">
            <input type="checkbox" name={`autoAccept.${k}`} checked={autoAccept[k]} onChange={(e) => setAutoAccept((a) => ({ ...a, [k]: e.currentTarget.checked }))} />
            <span>{k === 'chat' ? t('teams.autoAcceptChat') : t('teams.autoAcceptAsync')}</span>
          </label>
        ))}
        <span class="field-hint muted small">{t('teams.autoAcceptHint')}</span>
        {fields.message('autoAccept')}
      </fieldset>
    </EditorForm>
  );
}

type DetailSpot = 'name' | 'description';

export interface TeamDetailsFormProps {
  /** null: a new team. */
  team: Team | null;
  onCancel(): void;
  onSaved(team: Team, created: boolean): void;
}

/** A team's name and description: a new team, or a rename. */
export function TeamDetailsForm({ team, onCancel, onSaved }: TeamDetailsFormProps) {
  const { t } = useI18n();
  const [name, setName] = useState(team?.name ?? '');
  const [description, setDescription] = useState(team?.description ?? '');
  const fields = useFieldErrors<DetailSpot>((s) => `team-${s}-error`);
  const { busy, submit, showErrors, frame } = useEditor(fields, 'input[name=name]');

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    let body: Partial<Record<DetailSpot, string>> = { name, description };
    if (team) {
      body = Object.fromEntries(Object.entries(body).filter(([k, v]) => v !== (k === 'name' ? team.name : (team.description ?? ''))));
      if (Object.keys(body).length === 0) return onCancel();
    }
    fields.set({});
    await submit(
      async () => onSaved(team ? await patch<Team>(`/api/v1/teams/${team.id}`, body) : await post<Team>('/api/v1/teams', body), !team),
      (err) => showErrors(err, (f) => (f === 'name' || f === 'description' ? f : null)),
    );
  };

  return (
    <EditorForm
      {...frame}
      class="admin-form team-details-form"
      testId="team-details-form"
      title={team ? t('teams.renaming', { name: team.name }) : t('teams.new')}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('teams.cancel')}
      saveAction="team-details-save"
      saveLabel={busy ? t('teams.saving') : team ? t('teams.save') : t('teams.create')}
    >
      <FieldRow fields={fields} name="name" id="team-name" label={t('teams.teamName')}>
        <input
          id="team-name"
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
      <FieldRow fields={fields} name="description" id="team-description" label={t('teams.description')}>
        <textarea
          id="team-description"
          name="description"
          rows={3}
          value={description}
          {...fields.aria('description')}
          onInput={(e) => {
            setDescription(e.currentTarget.value);
            fields.clear('description');
          }}
        />
      </FieldRow>
    </EditorForm>
  );
}
