import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { del, get, patch } from '../api';
import { duration } from '../format';
import { useI18n, type Translate } from '../i18n/index';
import { WEEKDAYS, type BusinessHours, type Team, type Weekday } from '../types';
import { FieldRow, useFieldErrors, type FieldErrors } from './Form';
import { Icon } from './Icon';
import { ProblemMessage } from './ProblemMessage';
import { EditorForm, SettingsScreen, SettingsTable, useEditor, useSettings } from './SettingsScreen';
import { TeamDetailsForm, TeamRoutingForm, type TeamRouting } from './TeamRouting';
import { InlineConfirm, useRowActions } from './AdminPieces';
import { TeamDeleteProblem } from './TeamDelete';
import { TeamAlertsForm } from './TeamFloorAlerts';

/** Suggestions for the time zone field; any IANA zone the hub knows is accepted. */
const COMMON_ZONES = [
  'UTC',
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'Europe/Madrid',
  'Europe/Moscow',
  'Africa/Johannesburg',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Toronto',
  'America/Mexico_City',
  'America/Sao_Paulo',
];

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

interface Interval {
  open: string;
  close: string;
}
/** Where a new calendar or an empty day starts; the time fields' placeholders. */
const OFFICE_HOURS: Interval = { open: '09:00', close: '18:00' };
interface Draft {
  /** 'none': no calendar, the SLA clocks run around the clock (sent as null). */
  mode: 'calendar' | 'none';
  timeZone: string;
  hours: Record<Weekday, Interval[]>;
  holidays: string[];
}

const emptyWeek = (): Record<Weekday, Interval[]> => Object.fromEntries(WEEKDAYS.map((d) => [d, [] as Interval[]])) as Record<Weekday, Interval[]>;

function draftOf(bh: BusinessHours | null | undefined): Draft {
  if (!bh) {
    // A starting point for a team that has none yet: office hours on weekdays, where the admin is.
    const hours = emptyWeek();
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri'] as const) hours[d] = [{ ...OFFICE_HOURS }];
    return { mode: 'none', timeZone: browserZone(), hours, holidays: [] };
  }
  const hours = emptyWeek();
  for (const d of WEEKDAYS) hours[d] = (bh.hours[d] ?? []).map(([open, close]) => ({ open, close }));
  return { mode: 'calendar', timeZone: bh.timeZone, hours, holidays: [...bh.holidays] };
}

/**
 * The request body, and where each item sent sits in the form (blank rows are left out, so the
 * API's `businessHours.hours.mon.1` may be the form's third row).
 */
function bodyOf(d: Draft): { businessHours: BusinessHours | null; intervalRows: Record<Weekday, number[]>; holidayRows: number[] } {
  const intervalRows = Object.fromEntries(WEEKDAYS.map((day) => [day, [] as number[]])) as Record<Weekday, number[]>;
  if (d.mode === 'none') return { businessHours: null, intervalRows, holidayRows: [] };
  const hours: BusinessHours['hours'] = {};
  for (const day of WEEKDAYS) {
    const sent: Array<[string, string]> = [];
    d.hours[day].forEach((iv, row) => {
      if (!iv.open.trim() && !iv.close.trim()) return;
      sent.push([iv.open.trim(), iv.close.trim()]);
      intervalRows[day].push(row);
    });
    if (sent.length > 0) hours[day] = sent;
  }
  const holidays: string[] = [];
  const holidayRows: number[] = [];
  d.holidays.forEach((h, row) => {
    if (!h.trim()) return;
    holidays.push(h.trim());
    holidayRows.push(row);
  });
  return { businessHours: { timeZone: d.timeZone.trim(), hours, holidays }, intervalRows, holidayRows };
}

/** "Mon–Fri 09:00–18:00; Sat 10:00–14:00": consecutive days with the same hours together. */
function hoursSummary(t: Translate, bh: BusinessHours): string {
  const key = (d: Weekday) => (bh.hours[d] ?? []).map(([o, c]) => `${o}–${c}`).join(', ');
  const groups: Array<{ from: Weekday; to: Weekday; hours: string }> = [];
  for (const d of WEEKDAYS) {
    const h = key(d);
    const last = groups[groups.length - 1];
    if (last && last.hours === h && WEEKDAYS.indexOf(last.to) === WEEKDAYS.indexOf(d) - 1) last.to = d;
    else groups.push({ from: d, to: d, hours: h });
  }
  return groups
    .filter((g) => g.hours)
    .map((g) => `${t(`teams.days.${g.from}`)}${g.to !== g.from ? `–${t(`teams.days.${g.to}`)}` : ''} ${g.hours}`)
    .join('; ');
}

export interface TeamsAdminProps {
  /** Called after a change, so the rest of the console has the current teams. */
  onChanged(): void;
}

/** What the editor is open on: a team's business hours, its routing, its name (or a new team). */
type Editing = { kind: 'hours'; team: Team } | { kind: 'alerts'; team: Team } | { kind: 'routing'; team: Team; routing: TeamRouting } | { kind: 'details'; team: Team | null };

/** Settings → teams: create and rename teams; each team's business hours for its SLA clocks and its routing (admins; the API decides). */
export function TeamsAdmin({ onChanged }: TeamsAdminProps) {
  const { t, lang } = useI18n();
  const settings = useSettings<Team, Editing>('/api/v1/teams', onChanged);
  const { editing, items } = settings;
  const [routing, setRouting] = useState<Record<string, TeamRouting>>({});
  const [routingError, setRoutingError] = useState<unknown>(null);
  const removal = useRowActions(settings.changed, settings.load);
  const [failedDelete, setFailedDelete] = useState<Team | null>(null);

  // Each team's routing settings, for the list and its editor.
  useEffect(() => {
    if (!items) return;
    let live = true;
    Promise.all(items.map((team) => get<TeamRouting>(`/api/v1/teams/${team.id}/routing`)))
      .then((list) => {
        if (live) setRouting(Object.fromEntries(list.map((r, i) => [items[i]!.id, r])));
      })
      .catch((err: unknown) => live && setRoutingError(err));
    return () => {
      live = false;
    };
  }, [items]);

  const editingId = editing?.team?.id ?? null;
  const editor = (() => {
    if (!editing) return null;
    if (editing.kind === 'details')
      return (
        <TeamDetailsForm
          key={`details-${editing.team?.id ?? 'new'}`}
          team={editing.team}
          onCancel={settings.close}
          onSaved={(team, created) => {
            settings.close();
            settings.changed(created ? t('teams.created', { name: team.name }) : t('teams.renamed', { name: team.name }));
          }}
        />
      );
    if (editing.kind === 'routing')
      return (
        <TeamRoutingForm
          key={`routing-${editing.team.id}`}
          team={editing.team}
          routing={editing.routing}
          onCancel={settings.close}
          onSaved={() => {
            settings.close();
            settings.changed(t('teams.routingSaved', { name: editing.team.name }));
          }}
        />
      );
    if (editing.kind === 'alerts')
      return (
        <TeamAlertsForm
          key={`alerts-${editing.team.id}`}
          team={editing.team}
          onCancel={settings.close}
          onSaved={(team) => {
            settings.close();
            settings.changed(t('floor.teamAlertsSaved', { name: team.name }));
          }}
        />
      );
    return (
      <TeamHoursForm
        key={`hours-${editing.team.id}`}
        team={editing.team}
        onCancel={settings.close}
        onSaved={(team) => {
          settings.close();
          settings.changed(t('teams.saved', { name: team.name }));
        }}
      />
    );
  })();

  return (
    <SettingsScreen
      name="teams"
      settings={settings}
      wideEditor
      tools={
        <button type="button" class="btn primary" data-action="team-new" onClick={() => settings.edit({ kind: 'details', team: null })}>
          <Icon name="plus" /> {t('teams.new')}
        </button>
      }
      problems={
        <>
          {routingError !== null && <ProblemMessage error={routingError} onDismiss={() => setRoutingError(null)} />}
          {removal.rowError !== null && failedDelete && <TeamDeleteProblem error={removal.rowError} teamName={failedDelete.name} onDismiss={() => removal.setRowError(null)} />}
        </>
      }
      editor={editor}
    >
      {(items) => (
        <SettingsTable
          class="canned-table teams-table"
          testId="teams-table"
          columns={[t('teams.name'), t('teams.timeZone'), t('teams.hours'), t('teams.holidays'), t('teams.routing')]}
          actionsLabel={t('teams.actions')}
        >
          {items.map((team) => {
            const bh = team.businessHours ?? null;
            const r = routing[team.id];
            return (
              <tr key={team.id} data-team-id={team.id} data-calendar={bh ? 'true' : 'false'} class={editingId === team.id ? 'editing' : ''}>
                <td>
                  <div class="team-name">{team.name}</div>
                  {team.description && <div class="muted small">{team.description}</div>}
                  {team.floorAlerts && (
                    <div class="muted small" data-cell="alerts">
                      {t('floor.teamAlerts')}:{' '}
                      {t('floor.alertsSummary', {
                        waiting: team.floorAlerts.maxWaiting ?? '—',
                        wait: team.floorAlerts.maxWaitSeconds === null ? '—' : duration(team.floorAlerts.maxWaitSeconds * 1000, lang),
                      })}
                    </div>
                  )}
                </td>
                <td class="small" data-cell="zone">
                  {bh ? bh.timeZone : '—'}
                </td>
                <td class="small" data-cell="hours">
                  {bh ? hoursSummary(t, bh) : <span class="muted">{t('teams.aroundTheClock')}</span>}
                </td>
                <td class="small" data-cell="holidays">
                  {bh && bh.holidays.length > 0 ? (
                    <>
                      {bh.holidays.slice(0, 3).join(', ')}
                      {bh.holidays.length > 3 && <span class="muted"> {t('teams.moreHolidays', { count: bh.holidays.length - 3 })}</span>}
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td class="small" data-cell="routing">
                  {r ? (
                    <>
                      <div>{t(`teams.strategies.${r.strategy}`)}</div>
                      <div class="muted">{t('teams.routingSummary', { offer: r.offerTimeoutMs / 1000, cooldown: r.missedOfferCooldownMs / 1000 })}</div>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td class="row-actions">
                  <button type="button" class="btn small" data-action="team-edit" aria-label={t('teams.editOne', { name: team.name })} onClick={() => settings.edit({ kind: 'hours', team })}>
                    {t('teams.edit')}
                  </button>
                  <button
                    type="button"
                    class="btn small"
                    data-action="team-routing"
                    aria-label={t('teams.routingOne', { name: team.name })}
                    disabled={!r}
                    onClick={() => r && settings.edit({ kind: 'routing', team, routing: r })}
                  >
                    {t('teams.routingEdit')}
                  </button>
                  <button type="button" class="btn small" data-action="team-alerts" aria-label={t('floor.teamAlertsOne', { name: team.name })} onClick={() => settings.edit({ kind: 'alerts', team })}>
                    {t('floor.teamAlerts')}
                  </button>
                  <button type="button" class="btn small ghost" data-action="team-rename" aria-label={t('teams.renameOne', { name: team.name })} onClick={() => settings.edit({ kind: 'details', team })}>
                    {t('teams.rename')}
                  </button>
                  {removal.confirming === team.id ? (
                    <InlineConfirm
                      question={t('teamDelete.confirm', { name: team.name })}
                      busy={removal.busy}
                      action="team-confirm-delete"
                      confirmLabel={t('teamDelete.delete')}
                      cancelLabel={t('teamDelete.cancel')}
                      onConfirm={() => {
                        setFailedDelete(team);
                        // Refused or not, the question is answered: what to move first shows above the table.
                        void removal.run(() => del(`/api/v1/teams/${team.id}`), t('teamDelete.deleted', { name: team.name })).then(() => removal.setConfirming(null));
                      }}
                      onCancel={() => removal.setConfirming(null)}
                    />
                  ) : (
                    <button
                      type="button"
                      class="btn small ghost"
                      data-action="team-delete"
                      aria-label={t('teamDelete.deleteOne', { name: team.name })}
                      onClick={() => {
                        removal.setRowError(null);
                        removal.setConfirming(team.id);
                      }}
                    >
                      {t('teamDelete.delete')}
                    </button>
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

interface TeamHoursFormProps {
  team: Team;
  onCancel(): void;
  onSaved(team: Team): void;
}

/** Where the form shows an API field error: 'timeZone', 'hours', 'hours.mon', 'hours.mon.2', 'holidays', 'holidays.1'. */
type Spot = string;

type Side = 'open' | 'close';

/** The × that takes a row of the form away. */
function RemoveButton({ action, label, onClick }: { action: string; label: string; onClick(): void }) {
  return (
    <button type="button" class="icon-btn" data-action={action} aria-label={label} onClick={onClick}>
      ×
    </button>
  );
}

/** Rows of one kind (the week's intervals, the holidays) under a legend and hint, with the API's errors about them all. */
function RowGroup(p: { fields: FieldErrors<Spot>; name: 'hours' | 'holidays'; class: string; legend: string; hint: string; children: ComponentChildren }) {
  return (
    <fieldset class={`${p.class} ${p.fields.errors[p.name] ? 'invalid' : ''}`} aria-describedby={`team-${p.name}-hint`}>
      <legend>{p.legend}</legend>
      <span class="field-hint muted small" id={`team-${p.name}-hint`}>
        {p.hint}
      </span>
      {p.fields.message(p.name)}
      {p.children}
    </fieldset>
  );
}

/** One team's calendar; the API validates, and its field errors appear next to the field at fault. */
function TeamHoursForm({ team, onCancel, onSaved }: TeamHoursFormProps) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(() => draftOf(team.businessHours));
  const fields = useFieldErrors<Spot>((spot) => `team-error-${spot.replace(/\./g, '-')}`);
  const { errors } = fields;
  /** Which side of an interval the API named ('hours.mon.0' → open / close / both). */
  const [sides, setSides] = useState<Record<Spot, Side | 'both'>>({});
  const { busy, submit, showErrors, form, frame } = useEditor(fields, 'input[name=hours-mode]:checked');

  const update = (change: (d: Draft) => Draft, ...spots: Spot[]) => {
    setDraft(change);
    fields.clear(...spots);
  };
  const setInterval_ = (day: Weekday, row: number, side: Side, value: string) =>
    update((d) => ({ ...d, hours: { ...d.hours, [day]: d.hours[day].map((iv, i) => (i === row ? { ...iv, [side]: value } : iv)) } }), `hours.${day}.${row}`, `hours.${day}`, 'hours');
  // Rows after a removed one move up: their errors no longer point at the right row, so they go.
  const remove = (change: (d: Draft) => Draft, prefix: Spot) => {
    setDraft(change);
    fields.drop(prefix);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const { businessHours, intervalRows, holidayRows } = bodyOf(draft);
    fields.set({});
    setSides({});
    await submit(
      async () => onSaved(await patch<Team>(`/api/v1/teams/${team.id}`, { businessHours })),
      (err) => {
        const side: Record<Spot, Side | 'both'> = {};
        showErrors(
          err,
          (field) => {
              const parts = field.split('.');
              if (parts[0] !== 'businessHours') return null;
              const [, group, a, b, c] = parts;
              if (group === 'timeZone') return 'timeZone';
              if (group === 'hours' && a === undefined) return 'hours';
              if (group === 'hours' && (WEEKDAYS as readonly string[]).includes(a ?? '')) {
                const day = a as Weekday;
                if (b === undefined) return `hours.${day}`;
                const row = intervalRows[day][Number(b)];
                if (row === undefined) return null;
                const spot = `hours.${day}.${row}`;
                const s = c === '0' ? 'open' : c === '1' ? 'close' : 'both';
                side[spot] = side[spot] && side[spot] !== s ? 'both' : s;
                return spot;
              }
              if (group === 'holidays') {
                const row = a === undefined ? undefined : holidayRows[Number(a)];
                return a === undefined ? 'holidays' : row !== undefined ? `holidays.${row}` : null;
              }
              return null;
          },
          () => setSides(side),
        );
      },
    );
  };

  const invalidSide = (spot: Spot, s: Side) => Boolean(errors[spot]) && (sides[spot] ?? 'both') !== (s === 'open' ? 'close' : 'open');
  const calendar = draft.mode === 'calendar';

  return (
    <EditorForm
      {...frame}
      class="team-form"
      testId="team-form"
      title={t('teams.editing', { name: team.name })}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('teams.cancel')}
      saveAction="team-save"
      saveLabel={busy ? t('teams.saving') : t('teams.save')}
    >
      <fieldset class="hours-mode">
        <legend>{t('teams.modeLabel')}</legend>
        {(['calendar', 'none'] as const).map((m) => (
          <label key={m} class="radio-line">
            <input type="radio" name="hours-mode" value={m} data-mode={m} checked={draft.mode === m} onChange={() => update((d) => ({ ...d, mode: m }))} />
            <span>{m === 'calendar' ? t('teams.withCalendar') : t('teams.aroundTheClock')}</span>
          </label>
        ))}
        {!calendar && <p class="muted small field-hint">{t('teams.aroundTheClockHint')}</p>}
      </fieldset>

      {calendar && (
        <>
          <FieldRow fields={fields} name="timeZone" id="team-timezone" label={t('teams.timeZone')} hint={t('teams.timeZoneHint')}>
            <input
              id="team-timezone"
              type="text"
              name="timeZone"
              list="team-timezones"
              autoComplete="off"
              spellcheck={false}
              maxLength={64}
              value={draft.timeZone}
              {...fields.aria('timeZone', 'team-timezone-hint')}
              onInput={(e) => {
                const v = e.currentTarget.value;
                update((d) => ({ ...d, timeZone: v }), 'timeZone');
              }}
            />
            <datalist id="team-timezones">
              {[...new Set([...COMMON_ZONES, browserZone()])].map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </FieldRow>

          <RowGroup fields={fields} name="hours" class="week" legend={t('teams.hours')} hint={t('teams.hoursHint')}>
            {WEEKDAYS.map((day) => {
              const dayName = t(`teams.daysLong.${day}`);
              const rows = draft.hours[day];
              return (
                <div key={day} class="day-row" data-day={day}>
                  <span class="day-name">{dayName}</span>
                  <div class="day-intervals">
                    {rows.length === 0 && <span class="muted small day-closed">{t('teams.closed')}</span>}
                    {rows.map((iv, row) => {
                      const spot = `hours.${day}.${row}`;
                      const time = (side: Side) => (
                        <input
                          type="text"
                          class="time-input"
                          name={`${day}.${row}.${side}`}
                          inputMode="numeric"
                          placeholder={OFFICE_HOURS[side]}
                          maxLength={5}
                          autoComplete="off"
                          value={iv[side]}
                          aria-label={t(side === 'open' ? 'teams.opens' : 'teams.closes', { day: dayName, n: row + 1 })}
                          {...fields.aria(spot)}
                          aria-invalid={invalidSide(spot, side) ? true : undefined}
                          onInput={(e) => setInterval_(day, row, side, e.currentTarget.value)}
                        />
                      );
                      return (
                        <div key={row} class={`interval ${errors[spot] ? 'invalid' : ''}`} data-interval={row}>
                          <span class="interval-times">
                            {time('open')}
                            <span aria-hidden="true">–</span>
                            {time('close')}
                            <RemoveButton
                              action="remove-interval"
                              label={t('teams.removeInterval', { day: dayName, n: row + 1 })}
                              onClick={() => remove((d) => ({ ...d, hours: { ...d.hours, [day]: d.hours[day].filter((_, i) => i !== row) } }), `hours.${day}`)}
                            />
                          </span>
                          {fields.message(spot)}
                        </div>
                      );
                    })}
                    {fields.message(`hours.${day}`)}
                  </div>
                  <button
                    type="button"
                    class="btn small ghost"
                    data-action="add-interval"
                    aria-label={t('teams.addIntervalTo', { day: dayName })}
                    onClick={() => {
                      const last = rows[rows.length - 1];
                      // After the day's last interval, or office hours on an empty day.
                      const next = last ? { open: last.close, close: '' } : { ...OFFICE_HOURS };
                      update((d) => ({ ...d, hours: { ...d.hours, [day]: [...d.hours[day], next] } }), 'hours');
                    }}
                  >
                    + {t('teams.addInterval')}
                  </button>
                </div>
              );
            })}
          </RowGroup>

          <RowGroup fields={fields} name="holidays" class="holidays" legend={t('teams.holidays')} hint={t('teams.holidaysHint')}>
            {draft.holidays.length === 0 && <span class="muted small">{t('teams.noHolidays')}</span>}
            {draft.holidays.map((h, row) => {
              const spot = `holidays.${row}`;
              return (
                <div key={row} class={`holiday ${errors[spot] ? 'invalid' : ''}`} data-holiday={row}>
                  <span class="interval-times">
                    <input
                      type="date"
                      name={`holiday.${row}`}
                      value={h}
                      aria-label={t('teams.holiday', { n: row + 1 })}
                      {...fields.aria(spot)}
                      onInput={(e) => {
                        const v = e.currentTarget.value;
                        update((d) => ({ ...d, holidays: d.holidays.map((x, i) => (i === row ? v : x)) }), spot, 'holidays');
                      }}
                    />
                    <RemoveButton
                      action="remove-holiday"
                      label={t('teams.removeHoliday', { n: row + 1 })}
                      onClick={() => remove((d) => ({ ...d, holidays: d.holidays.filter((_, i) => i !== row) }), 'holidays')}
                    />
                  </span>
                  {fields.message(spot)}
                </div>
              );
            })}
            <button
              type="button"
              class="btn small ghost add-holiday"
              data-action="add-holiday"
              onClick={() => {
                update((d) => ({ ...d, holidays: [...d.holidays, ''] }));
                requestAnimationFrame(() => {
                  const dates = form.current?.querySelectorAll<HTMLInputElement>('.holiday input[type=date]');
                  dates?.[dates.length - 1]?.focus();
                });
              }}
            >
              + {t('teams.addHoliday')}
            </button>
          </RowGroup>
        </>
      )}
    </EditorForm>
  );
}
