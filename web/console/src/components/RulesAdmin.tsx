import { useState } from 'preact/hooks';
import { put } from '../api';
import { useI18n, type Translate } from '../i18n/index';
import { CHANNELS, PRIORITIES, TICKET_TYPES, type ChannelId, type Priority, type Team, type TicketType } from '../types';
import { InlineConfirm, MoveButtons, useRowActions, useTeams, wordsOf } from './AdminPieces';
import { FieldRow, useFieldErrors, type FieldErrors } from './Form';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';
import { EditorForm, SettingsScreen, SettingsTable, useEditor, useSettings } from './SettingsScreen';
import { TIERS } from './SlaAdmin';

type Tier = (typeof TIERS)[number];

/** One queue rule (GET / PUT /api/v1/routing/rules): a ticket matching every list given joins `teamId`. */
export interface QueueRule {
  id: string;
  channels?: ChannelId[];
  types?: TicketType[];
  priorities?: Priority[];
  languages?: string[];
  tiers?: Tier[];
  keywords?: string[];
  teamId: string;
  requiredSkills?: string[];
}
interface QueueRules {
  rules: QueueRule[];
  fallback: { teamId: string; requiredSkills?: string[] };
}

const CHECKS = ['channels', 'types', 'priorities', 'tiers'] as const;
const WORDS = ['languages', 'keywords', 'requiredSkills'] as const;
type Spot = 'id' | 'teamId' | (typeof CHECKS)[number] | (typeof WORDS)[number];
const SPOTS: readonly string[] = ['id', 'teamId', ...CHECKS, ...WORDS];

/** "Web chat · Platinum · “refund”, “invoice”" or "Every ticket". */
function whenText(t: Translate, r: QueueRule): string {
  const parts = [
    (r.channels ?? []).map((x) => t(`values.channel.${x}`)).join(', '),
    (r.types ?? []).map((x) => t(`values.type.${x}`)).join(', '),
    (r.priorities ?? []).map((x) => t(`values.priority.${x}`)).join(', '),
    (r.languages ?? []).join(', '),
    (r.tiers ?? []).map((x) => t(`sla.tiers.${x}`)).join(', '),
    (r.keywords ?? []).map((k) => `“${k}”`).join(', '),
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : t('rules.everyTicket');
}

/** Settings → routing rules: which team (and required skills) a new ticket joins; the first matching rule wins, else the fallback. */
export function RulesAdmin() {
  const { t } = useI18n();
  const [fallback, setFallback] = useState<QueueRules['fallback'] | null>(null);
  /** editing: 'new', 'fallback', or the index of the rule being edited. */
  const settings = useSettings<QueueRule, number | 'new' | 'fallback'>('/api/v1/routing/rules', () => undefined, (body) => {
    const v = body as QueueRules;
    setFallback(v.fallback);
    return v.rules;
  });
  const { items, editing, changed, load } = settings;
  const { confirming, setConfirming, busy, rowError, setRowError, run } = useRowActions(changed, load);
  const teams = useTeams(setRowError);
  const teamName = (id: string) => teams?.find((x) => x.id === id)?.name ?? t('rules.unknownTeam');

  /** Puts the whole list (the API replaces it); any refusal reads it again. */
  const replace = async (rules: QueueRule[], message: string) => {
    if (!fallback) return;
    await run(() => put<QueueRules>('/api/v1/routing/rules', { rules, fallback }), message, { reloadWhen: () => true });
  };
  const move = (list: QueueRule[], from: number, to: number) => {
    const next = [...list];
    const [r] = next.splice(from, 1);
    next.splice(to, 0, r!);
    void replace(next, t('rules.moved', { id: r!.id }));
  };

  return (
    <SettingsScreen
      name="rules"
      settings={settings}
      wideEditor
      tools={
        <button type="button" class="btn primary" data-action="rule-new" disabled={!fallback} onClick={() => settings.edit('new')}>
          <Icon name="plus" /> {t('rules.new')}
        </button>
      }
      banner={
        fallback && (
          <div class="card rules-fallback" data-testid="rules-fallback">
            <span>
              {t('rules.fallbackText', { team: teamName(fallback.teamId) })}
              {fallback.requiredSkills?.length ? ` ${t('rules.withSkills', { skills: fallback.requiredSkills.join(', ') })}` : ''}
            </span>
            <button type="button" class="btn small" data-action="rules-fallback-edit" onClick={() => settings.edit('fallback')}>
              {t('rules.edit')}
            </button>
          </div>
        )
      }
      problems={rowError !== null && <ProblemMessage error={rowError} onDismiss={() => setRowError(null)} />}
      editor={
        editing !== null &&
        items &&
        fallback && (
          <RuleForm
            key={editing}
            rules={items}
            fallback={fallback}
            teams={teams}
            editing={editing}
            onCancel={settings.close}
            onSaved={(message) => {
              settings.close();
              changed(message);
            }}
          />
        )
      }
    >
      {(list) => (
        <SettingsTable
          class="canned-table rules-table"
          testId="rules-table"
          columns={[t('sla.order'), t('rules.id'), t('rules.when'), t('rules.team'), t('rules.requiredSkills')]}
          actionsLabel={t('rules.actions')}
        >
          {list.map((r, i) => (
            <tr key={`${i}-${r.id}`} data-rule={r.id} class={editing === i ? 'editing' : ''}>
              <td class="small muted">{i + 1}</td>
              <td class="canned-shortcut">{r.id}</td>
              <td class="small" data-cell="when">
                {whenText(t, r)}
              </td>
              <td class="small" data-cell="team">
                {teamName(r.teamId)}
              </td>
              <td class="small" data-cell="skills">
                {r.requiredSkills?.length ? r.requiredSkills.join(', ') : <span class="muted">—</span>}
              </td>
              <td class="row-actions">
                {confirming === `${i}` ? (
                  <InlineConfirm
                    question={t('rules.confirmDelete', { id: r.id })}
                    busy={busy}
                    action="rule-confirm-delete"
                    confirmLabel={t('rules.delete')}
                    cancelLabel={t('rules.cancel')}
                    onConfirm={() =>
                      void replace(
                        list.filter((_, j) => j !== i),
                        t('rules.deleted', { id: r.id }),
                      )
                    }
                    onCancel={() => setConfirming(null)}
                  />
                ) : (
                  <>
                    <MoveButtons
                      action="rule"
                      index={i}
                      count={list.length}
                      disabled={busy || editing !== null}
                      upLabel={t('rules.moveUp', { id: r.id })}
                      downLabel={t('rules.moveDown', { id: r.id })}
                      onMove={(from, to) => move(list, from, to)}
                    />
                    <button type="button" class="btn small" data-action="rule-edit" aria-label={t('rules.editOne', { id: r.id })} onClick={() => settings.edit(i)}>
                      {t('rules.edit')}
                    </button>
                    <button
                      type="button"
                      class="btn small ghost"
                      data-action="rule-delete"
                      disabled={editing !== null}
                      aria-label={t('rules.deleteOne', { id: r.id })}
                      onClick={() => {
                        setRowError(null);
                        setConfirming(`${i}`);
                      }}
                    >
                      {t('rules.delete')}
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

interface Draft {
  id: string;
  channels: ChannelId[];
  types: TicketType[];
  priorities: Priority[];
  tiers: Tier[];
  languages: string;
  keywords: string;
  teamId: string;
  requiredSkills: string;
}

const draftOf = (r: Partial<QueueRule> | null, teamId: string): Draft => ({
  id: r?.id ?? '',
  channels: r?.channels ?? [],
  types: r?.types ?? [],
  priorities: r?.priorities ?? [],
  tiers: r?.tiers ?? [],
  languages: (r?.languages ?? []).join(', '),
  keywords: (r?.keywords ?? []).join(', '),
  teamId: r?.teamId ?? teamId,
  requiredSkills: (r?.requiredSkills ?? []).join(', '),
});

function ruleOf(d: Draft): QueueRule {
  const r: QueueRule = { id: d.id.trim(), teamId: d.teamId };
  for (const k of CHECKS) if (d[k].length) (r as unknown as Record<string, string[]>)[k] = d[k];
  for (const k of WORDS) {
    const words = wordsOf(d[k]);
    if (words.length) r[k] = words;
  }
  return r;
}

/** Checkboxes for one of a rule's lists. */
function Checks<V extends string>(p: { fields: FieldErrors<Spot>; name: (typeof CHECKS)[number]; legend: string; options: readonly V[]; label(v: V): string; value: V[]; onChange(v: V[]): void }) {
  return (
    <fieldset class={`field ${p.fields.errors[p.name] ? 'invalid' : ''}`} name={p.name} tabIndex={-1} {...p.fields.aria(p.name)}>
      <legend>{p.legend}</legend>
      <div class="check-group">
        {p.options.map((o) => (
          <label key={o} class="check-line">
            <input type="checkbox" name={`${p.name}.${o}`} checked={p.value.includes(o)} onChange={(e) => p.onChange(e.currentTarget.checked ? [...p.value, o] : p.value.filter((x) => x !== o))} />
            <span>{p.label(o)}</span>
          </label>
        ))}
      </div>
      {p.fields.message(p.name)}
    </fieldset>
  );
}

interface RuleFormProps {
  rules: QueueRule[];
  fallback: QueueRules['fallback'];
  teams: Team[] | null;
  /** 'new' (goes first), 'fallback', or the index of the rule edited. */
  editing: number | 'new' | 'fallback';
  onCancel(): void;
  onSaved(message: string): void;
}

/** One rule's conditions and destination, or the fallback's; the API validates the whole, its errors about this one appear at the field. */
function RuleForm({ rules, fallback, teams, editing, onCancel, onSaved }: RuleFormProps) {
  const { t } = useI18n();
  const isFallback = editing === 'fallback';
  const initial = typeof editing === 'number' ? (rules[editing] ?? null) : isFallback ? { ...fallback, id: '' } : null;
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial, fallback.teamId));
  const fields = useFieldErrors<Spot>((s) => `rule-${s}-error`);
  const { busy, submit, showErrors, frame } = useEditor(fields, isFallback ? 'select[name=teamId]' : 'input[name=id]');
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    fields.clear(k);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const rule = ruleOf(draft);
    let body: QueueRules;
    let prefix: string;
    if (isFallback) {
      body = { rules, fallback: { teamId: rule.teamId, requiredSkills: rule.requiredSkills ?? [] } };
      prefix = 'fallback';
    } else {
      const at = editing === 'new' ? 0 : editing;
      body = { rules: editing === 'new' ? [rule, ...rules] : rules.map((r, i) => (i === at ? rule : r)), fallback };
      prefix = `rules.${at}`;
    }
    fields.set({});
    await submit(
      async () => {
        await put<QueueRules>('/api/v1/routing/rules', body);
        onSaved(isFallback ? t('rules.fallbackSaved') : editing === 'new' ? t('rules.created', { id: rule.id }) : t('rules.saved', { id: rule.id }));
      },
      (err) =>
        showErrors(err, (f) => {
          if (f !== prefix && !f.startsWith(`${prefix}.`)) return null;
          const head = f.slice(prefix.length + 1).split('.')[0] ?? '';
          return SPOTS.includes(head) ? (head as Spot) : null;
        }),
    );
  };

  const words = (k: (typeof WORDS)[number], hint: string) => (
    <FieldRow fields={fields} name={k} id={`rule-${k}`} label={t(`rules.${k}`)} hint={hint}>
      <input id={`rule-${k}`} type="text" name={k} autoComplete="off" value={draft[k]} {...fields.aria(k, `rule-${k}-hint`)} onInput={(e) => set(k, e.currentTarget.value)} />
    </FieldRow>
  );

  return (
    <EditorForm
      {...frame}
      class="admin-form rule-form"
      testId="rule-form"
      title={isFallback ? t('rules.fallbackTitle') : initial ? t('rules.editing', { id: initial.id }) : t('rules.new')}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('rules.cancel')}
      saveAction="rule-save"
      saveLabel={busy ? t('rules.saving') : initial ? t('rules.save') : t('rules.create')}
    >
      {!isFallback && (
        <>
          <FieldRow fields={fields} name="id" id="rule-id" label={t('rules.id')}>
            <input id="rule-id" type="text" name="id" autoComplete="off" spellcheck={false} value={draft.id} {...fields.aria('id')} onInput={(e) => set('id', e.currentTarget.value)} />
          </FieldRow>
          <p class="small muted">{t('rules.matchHint')}</p>
          <Checks fields={fields} name="channels" legend={t('rules.channels')} options={CHANNELS} label={(v) => t(`values.channel.${v}`)} value={draft.channels} onChange={(v) => set('channels', v)} />
          <Checks fields={fields} name="types" legend={t('sla.types')} options={TICKET_TYPES} label={(v) => t(`values.type.${v}`)} value={draft.types} onChange={(v) => set('types', v)} />
          <Checks fields={fields} name="priorities" legend={t('sla.priorities')} options={PRIORITIES} label={(v) => t(`values.priority.${v}`)} value={draft.priorities} onChange={(v) => set('priorities', v)} />
          <Checks fields={fields} name="tiers" legend={t('sla.tiersLabel')} options={TIERS} label={(v) => t(`sla.tiers.${v}`)} value={draft.tiers} onChange={(v) => set('tiers', v)} />
          {words('languages', t('users.languagesHint'))}
          {words('keywords', t('rules.keywordsHint'))}
        </>
      )}
      <FieldRow fields={fields} name="teamId" id="rule-team" label={t('rules.team')}>
        <select id="rule-team" name="teamId" value={draft.teamId} {...fields.aria('teamId')} onChange={(e) => set('teamId', e.currentTarget.value)}>
          {!teams?.some((x) => x.id === draft.teamId) && <option value={draft.teamId}>{t('rules.unknownTeam')}</option>}
          {teams?.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
      </FieldRow>
      {words('requiredSkills', t('rules.requiredSkillsHint'))}
    </EditorForm>
  );
}
