import { useState } from 'preact/hooks';
import { del, put } from '../api';
import { useI18n, type Translate } from '../i18n/index';
import { PRIORITIES, TICKET_TYPES, type Priority, type TicketType } from '../types';
import { InlineConfirm, MoveButtons, useRowActions } from './AdminPieces';
import { FieldRow, useFieldErrors, type FieldErrors } from './Form';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';
import { EditorForm, SettingsScreen, SettingsTable, useEditor, useSettings } from './SettingsScreen';

export const TIERS = ['platinum', 'gold', 'silver', 'bronze', 'none'] as const;
type Tier = (typeof TIERS)[number];
const TARGETS = ['firstResponseMinutes', 'nextResponseMinutes', 'resolutionMinutes'] as const;
type Target = (typeof TARGETS)[number];
const ESCALATIONS = ['notifySupervisors', 'raisePriority', 'reassign'] as const;
type Escalation = (typeof ESCALATIONS)[number];

/** One policy as GET / PUT /api/v1/sla/policies have it (targets in minutes, null: no target). */
export interface SlaPolicy {
  id: string;
  match: { types?: TicketType[]; priorities?: Priority[]; tiers?: Tier[] };
  targets: Record<Target, number | null>;
  businessHours: boolean;
  warnRatio: number;
  escalation: Record<Escalation, boolean>;
}
interface PoliciesView {
  policies: SlaPolicy[];
  source: 'default' | 'custom';
}

/** Where the form shows the API's field errors. */
type Spot = 'id' | 'types' | 'priorities' | 'tiers' | Target | 'warnRatio';

/**
 * `policies.2.targets.resolutionMinutes` → resolutionMinutes when policy 2 is the one edited
 * (`index`); errors about other policies: null, except a duplicate of the edited one's id
 * (the API names the later of the two).
 */
function spotOf(field: string, index: number, sent: SlaPolicy[]): Spot | null {
  const [root, i, group, leaf] = field.split('.');
  if (root !== 'policies') return null;
  if (Number(i) !== index) return group === 'id' && leaf === undefined && sent[Number(i)]?.id === sent[index]?.id ? 'id' : null;
  if (group === 'id' || group === 'warnRatio') return group;
  if (group === 'match' && (leaf === 'types' || leaf === 'priorities' || leaf === 'tiers')) return leaf;
  if (group === 'targets' && (TARGETS as readonly string[]).includes(leaf ?? '')) return leaf as Target;
  return null;
}

/** 90 → "1 h 30 min". */
export function minutesText(t: Translate, m: number | null): string {
  if (m === null) return '—';
  if (m < 60) return t('sla.minutes', { n: Math.round(m * 100) / 100 });
  const h = Math.floor(m / 60);
  const rest = Math.round((m - h * 60) * 100) / 100;
  return rest ? `${t('sla.hours', { n: h })} ${t('sla.minutes', { n: rest })}` : t('sla.hours', { n: h });
}

/** "Urgent, High · Platinum, Gold" or "Every ticket". */
function matchText(t: Translate, m: SlaPolicy['match']): string {
  const parts = [
    (m.types ?? []).map((x) => t(`values.type.${x}`)).join(', '),
    (m.priorities ?? []).map((x) => t(`values.priority.${x}`)).join(', '),
    (m.tiers ?? []).map((x) => t(`sla.tiers.${x}`)).join(', '),
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : t('sla.everyTicket');
}

/** Settings → SLA policies: the ordered list (first match applies), edit, add, move, delete, back to the built-in ones. */
export function SlaAdmin() {
  const { t } = useI18n();
  const [source, setSource] = useState<PoliciesView['source'] | null>(null);
  /** editing: 'new', or the index of the policy being edited. */
  const settings = useSettings<SlaPolicy, number | 'new'>('/api/v1/sla/policies', () => undefined, (body) => {
    const v = body as PoliciesView;
    setSource(v.source);
    return v.policies;
  });
  const { items, editing, changed, load } = settings;
  const { confirming, setConfirming, busy, rowError, setRowError, run } = useRowActions(changed, load);

  /** Puts the whole list (the API replaces it); `message` after it took. */
  const replace = (policies: SlaPolicy[], message: string) =>
    run(() => put<PoliciesView>('/api/v1/sla/policies', { policies }), message, { reloadWhen: () => true });
  const reset = () => run(() => del('/api/v1/sla/policies'), t('sla.resetDone'), { reloadWhen: () => false, after: settings.close });
  const move = (list: SlaPolicy[], from: number, to: number) => {
    const next = [...list];
    const [p] = next.splice(from, 1);
    next.splice(to, 0, p!);
    void replace(next, t('sla.moved', { id: p!.id }));
  };

  return (
    <SettingsScreen
      name="sla"
      settings={settings}
      wideEditor
      tools={
        <>
          {source === 'custom' &&
            (confirming === '(reset)' ? (
              <InlineConfirm
                question={t('sla.confirmReset')}
                busy={busy}
                action="sla-confirm-reset"
                confirmLabel={t('sla.reset')}
                cancelLabel={t('sla.cancel')}
                onConfirm={() => void reset()}
                onCancel={() => setConfirming(null)}
              />
            ) : (
              <button type="button" class="btn ghost" data-action="sla-reset" onClick={() => setConfirming('(reset)')}>
                {t('sla.reset')}
              </button>
            ))}
          <button type="button" class="btn primary" data-action="sla-new" onClick={() => settings.edit('new')}>
            <Icon name="plus" /> {t('sla.new')}
          </button>
        </>
      }
      banner={
        source && (
          <p class="muted small" data-testid="sla-source" data-source={source}>
            {source === 'custom' ? t('sla.sourceCustom') : t('sla.sourceDefault')}
          </p>
        )
      }
      problems={rowError !== null && <ProblemMessage error={rowError} onDismiss={() => setRowError(null)} />}
      editor={
        editing !== null &&
        items && (
          <PolicyForm
            key={editing}
            list={items}
            index={editing === 'new' ? null : editing}
            onCancel={settings.close}
            onSaved={(p, created) => {
              settings.close();
              changed(created ? t('sla.created', { id: p.id }) : t('sla.saved', { id: p.id }));
            }}
          />
        )
      }
    >
      {(list) => (
        <SettingsTable
          class="canned-table sla-table"
          testId="sla-table"
          columns={[t('sla.order'), t('sla.id'), t('sla.appliesTo'), t('sla.firstResponseMinutes'), t('sla.nextResponseMinutes'), t('sla.resolutionMinutes'), t('sla.clock')]}
          actionsLabel={t('sla.actions')}
        >
          {list.map((p, i) => (
            <tr key={p.id} data-policy={p.id} class={editing === i ? 'editing' : ''}>
              <td class="small muted">{i + 1}</td>
              <td class="canned-shortcut">{p.id}</td>
              <td class="small" data-cell="match">
                {matchText(t, p.match)}
              </td>
              {TARGETS.map((k) => (
                <td key={k} class="small" data-cell={k}>
                  {minutesText(t, p.targets[k])}
                </td>
              ))}
              <td class="small" data-cell="clock">
                {p.businessHours ? t('sla.businessHoursShort') : t('sla.aroundTheClockShort')}
              </td>
              <td class="row-actions">
                {confirming === p.id ? (
                  <InlineConfirm
                    question={t('sla.confirmDelete', { id: p.id })}
                    busy={busy}
                    action="sla-confirm-delete"
                    confirmLabel={t('sla.delete')}
                    cancelLabel={t('sla.cancel')}
                    onConfirm={() => {
                      if (editing === i) settings.close();
                      void replace(
                        list.filter((_, j) => j !== i),
                        t('sla.deleted', { id: p.id }),
                      );
                    }}
                    onCancel={() => setConfirming(null)}
                  />
                ) : (
                  <>
                    <MoveButtons
                      action="sla"
                      index={i}
                      count={list.length}
                      disabled={busy || editing !== null}
                      upLabel={t('sla.moveUp', { id: p.id })}
                      downLabel={t('sla.moveDown', { id: p.id })}
                      onMove={(from, to) => move(list, from, to)}
                    />
                    <button type="button" class="btn small" data-action="sla-edit" aria-label={t('sla.editOne', { id: p.id })} onClick={() => settings.edit(i)}>
                      {t('sla.edit')}
                    </button>
                    <button
                      type="button"
                      class="btn small ghost"
                      data-action="sla-delete"
                      aria-label={t('sla.deleteOne', { id: p.id })}
                      onClick={() => {
                        setRowError(null);
                        setConfirming(p.id);
                      }}
                    >
                      {t('sla.delete')}
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
  types: TicketType[];
  priorities: Priority[];
  tiers: Tier[];
  targets: Record<Target, string>;
  businessHours: boolean;
  warnRatio: string;
  escalation: Record<Escalation, boolean>;
}

const draftOf = (p: SlaPolicy | null): Draft => ({
  id: p?.id ?? '',
  types: p?.match.types ?? [],
  priorities: p?.match.priorities ?? [],
  tiers: p?.match.tiers ?? [],
  targets: Object.fromEntries(TARGETS.map((k) => [k, p?.targets[k] === null || p?.targets[k] === undefined ? '' : String(p.targets[k])])) as Record<Target, string>,
  businessHours: p?.businessHours ?? true,
  warnRatio: String(p?.warnRatio ?? 0.75),
  escalation: p?.escalation ?? { notifySupervisors: true, raisePriority: false, reassign: false },
});

/** A number field's text: blank → null (no target), a number → it, else as typed (for the API to name). */
const valueOf = (text: string): number | null | string => (text.trim() === '' ? null : Number.isFinite(Number(text)) ? Number(text) : text);

function policyOf(d: Draft): SlaPolicy {
  const match: SlaPolicy['match'] = {};
  if (d.types.length) match.types = d.types;
  if (d.priorities.length) match.priorities = d.priorities;
  if (d.tiers.length) match.tiers = d.tiers;
  return {
    id: d.id.trim(),
    match,
    // Sent as typed when not a number: the API says what is wrong, at the field.
    targets: Object.fromEntries(TARGETS.map((k) => [k, valueOf(d.targets[k])])) as SlaPolicy['targets'],
    businessHours: d.businessHours,
    warnRatio: valueOf(d.warnRatio) as number,
    escalation: d.escalation,
  };
}

/** Checkboxes for one of the match's lists. */
function MatchChecks<V extends string>(p: { fields: FieldErrors<Spot>; name: 'types' | 'priorities' | 'tiers'; legend: string; options: readonly V[]; label(v: V): string; value: V[]; onChange(v: V[]): void }) {
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

interface PolicyFormProps {
  list: SlaPolicy[];
  /** null: a new policy (it goes first, so it applies before the others). */
  index: number | null;
  onCancel(): void;
  onSaved(p: SlaPolicy, created: boolean): void;
}

/** One policy's fields; the API validates the whole list, and its errors about this policy appear at the field. */
function PolicyForm({ list, index, onCancel, onSaved }: PolicyFormProps) {
  const { t } = useI18n();
  const initial = index === null ? null : (list[index] ?? null);
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial));
  const [position, setPosition] = useState<'first' | 'last'>('first');
  const fields = useFieldErrors<Spot>((s) => `sla-${s}-error`);
  const { busy, submit, showErrors, frame } = useEditor(fields, 'input[name=id]');

  const set = (change: (d: Draft) => Draft, spot?: Spot) => {
    setDraft(change);
    if (spot) fields.clear(spot);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const policy = policyOf(draft);
    const at = index ?? (position === 'first' ? 0 : list.length);
    const next = index === null ? [...list.slice(0, at), policy, ...list.slice(at)] : list.map((p, i) => (i === index ? policy : p));
    fields.set({});
    await submit(
      async () => {
        await put<PoliciesView>('/api/v1/sla/policies', { policies: next });
        onSaved(policy, index === null);
      },
      (err) => showErrors(err, (f) => spotOf(f, at, next)),
    );
  };

  return (
    <EditorForm
      {...frame}
      class="admin-form sla-form"
      testId="sla-form"
      title={initial ? t('sla.editing', { id: initial.id }) : t('sla.new')}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('sla.cancel')}
      saveAction="sla-save"
      saveLabel={busy ? t('sla.saving') : initial ? t('sla.save') : t('sla.create')}
    >
      <FieldRow fields={fields} name="id" id="sla-id" label={t('sla.id')} hint={t('sla.idHint')}>
        <input
          id="sla-id"
          type="text"
          name="id"
          autoComplete="off"
          spellcheck={false}
          value={draft.id}
          {...fields.aria('id', 'sla-id-hint')}
          onInput={(e) => {
            const v = e.currentTarget.value;
            set((d) => ({ ...d, id: v }), 'id');
          }}
        />
      </FieldRow>
      <p class="small muted">{t('sla.matchHint')}</p>
      <MatchChecks fields={fields} name="types" legend={t('sla.types')} options={TICKET_TYPES} label={(v) => t(`values.type.${v}`)} value={draft.types} onChange={(v) => set((d) => ({ ...d, types: v }), 'types')} />
      <MatchChecks
        fields={fields}
        name="priorities"
        legend={t('sla.priorities')}
        options={PRIORITIES}
        label={(v) => t(`values.priority.${v}`)}
        value={draft.priorities}
        onChange={(v) => set((d) => ({ ...d, priorities: v }), 'priorities')}
      />
      <MatchChecks fields={fields} name="tiers" legend={t('sla.tiersLabel')} options={TIERS} label={(v) => t(`sla.tiers.${v}`)} value={draft.tiers} onChange={(v) => set((d) => ({ ...d, tiers: v }), 'tiers')} />
      {TARGETS.map((k) => (
        <FieldRow key={k} fields={fields} name={k} id={`sla-${k}`} label={t(`sla.${k}`)}>
          <input
            id={`sla-${k}`}
            type="number"
            name={k}
            min={0}
            step="any"
            placeholder={t('sla.noTarget')}
            value={draft.targets[k]}
            {...fields.aria(k)}
            onInput={(e) => {
              const v = e.currentTarget.value;
              set((d) => ({ ...d, targets: { ...d.targets, [k]: v } }), k);
            }}
          />
        </FieldRow>
      ))}
      <p class="small muted field-hint">{t('sla.targetsHint')}</p>
      <label class="check-line">
        <input type="checkbox" name="businessHours" checked={draft.businessHours} onChange={(e) => set((d) => ({ ...d, businessHours: e.currentTarget.checked }))} />
        <span>{t('sla.businessHours')}</span>
      </label>
      <FieldRow fields={fields} name="warnRatio" id="sla-warn" label={t('sla.warnRatio')} hint={t('sla.warnRatioHint')}>
        <input
          id="sla-warn"
          type="number"
          name="warnRatio"
          step="0.05"
          value={draft.warnRatio}
          {...fields.aria('warnRatio', 'sla-warn-hint')}
          onInput={(e) => {
            const v = e.currentTarget.value;
            set((d) => ({ ...d, warnRatio: v }), 'warnRatio');
          }}
        />
      </FieldRow>
      <fieldset>
        <legend>{t('sla.escalation')}</legend>
        {ESCALATIONS.map((k) => (
          <label key={k} class="check-line">
            <input type="checkbox" name={`escalation.${k}`} checked={draft.escalation[k]} onChange={(e) => set((d) => ({ ...d, escalation: { ...d.escalation, [k]: e.currentTarget.checked } }))} />
            <span>{t(`sla.escalations.${k}`)}</span>
          </label>
        ))}
      </fieldset>
      {index === null && (
        <fieldset>
          <legend>{t('sla.position')}</legend>
          {(['first', 'last'] as const).map((pos) => (
            <label key={pos} class="radio-line">
              <input type="radio" name="position" value={pos} checked={position === pos} onChange={() => setPosition(pos)} />
              <span>{pos === 'first' ? t('sla.positionFirst') : t('sla.positionLast')}</span>
            </label>
          ))}
        </fieldset>
      )}
    </EditorForm>
  );
}
