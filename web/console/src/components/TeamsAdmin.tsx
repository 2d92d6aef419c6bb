import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, patch } from '../api';
import { useI18n, type Translate } from '../i18n/index';
import { WEEKDAYS, type BusinessHours, type Team, type Weekday } from '../types';
import { ProblemMessage } from './ProblemMessage';

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
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri'] as const) hours[d] = [{ open: '09:00', close: '18:00' }];
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

/** Settings → teams: each team's business hours for its SLA clocks (admins; the API decides). */
export function TeamsAdmin({ onChanged }: TeamsAdminProps) {
  const { t } = useI18n();
  const [items, setItems] = useState<Team[] | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [editing, setEditing] = useState<Team | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await get<{ items: Team[] }>('/api/v1/teams');
      setItems(r.items);
      setListError(null);
    } catch (err) {
      setListError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section class="settings" aria-labelledby="teams-admin-title" data-testid="teams-admin">
      <header class="settings-head">
        <div>
          <h1 id="teams-admin-title">{t('teams.title')}</h1>
          <p class="muted small">{t('teams.intro')}</p>
        </div>
      </header>

      {notice && (
        <div class="notice info" role="status" data-testid="teams-notice">
          <span>{notice}</span>
          <button type="button" class="icon-btn" aria-label={t('teams.dismiss')} onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}

      <div class={`settings-body ${editing ? 'with-editor wide-editor' : ''}`}>
        <div class="settings-list">
          {listError !== null && <ProblemMessage error={listError} />}
          {items === null && listError === null && <p class="muted">{t('app.loading')}</p>}
          {items !== null && items.length === 0 && <p class="muted list-empty">{t('teams.empty')}</p>}
          {items !== null && items.length > 0 && (
            <table class="canned-table teams-table" data-testid="teams-table">
              <thead>
                <tr>
                  <th scope="col">{t('teams.name')}</th>
                  <th scope="col">{t('teams.timeZone')}</th>
                  <th scope="col">{t('teams.hours')}</th>
                  <th scope="col">{t('teams.holidays')}</th>
                  <th scope="col">
                    <span class="sr-only">{t('teams.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((team) => {
                  const bh = team.businessHours ?? null;
                  return (
                    <tr key={team.id} data-team-id={team.id} data-calendar={bh ? 'true' : 'false'} class={editing?.id === team.id ? 'editing' : ''}>
                      <td>
                        <div class="team-name">{team.name}</div>
                        {team.description && <div class="muted small">{team.description}</div>}
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
                      <td class="row-actions">
                        <button
                          type="button"
                          class="btn small"
                          data-action="team-edit"
                          aria-label={t('teams.editOne', { name: team.name })}
                          onClick={() => {
                            setNotice(null);
                            setEditing(team);
                          }}
                        >
                          {t('teams.edit')}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </div>

        {editing && (
          <TeamHoursForm
            key={editing.id}
            team={editing}
            onCancel={() => setEditing(null)}
            onSaved={(team) => {
              setEditing(null);
              setNotice(t('teams.saved', { name: team.name }));
              void load();
              onChanged();
            }}
          />
        )}
      </div>
    </section>
  );
}

interface TeamHoursFormProps {
  team: Team;
  onCancel(): void;
  onSaved(team: Team): void;
}

/** Where the form shows an API field error: 'timeZone', 'hours', 'hours.mon', 'hours.mon.2', 'holidays', 'holidays.1'. */
type Spot = string;

/** One team's calendar; the API validates, and its field errors appear next to the field at fault. */
function TeamHoursForm({ team, onCancel, onSaved }: TeamHoursFormProps) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(() => draftOf(team.businessHours));
  const [errors, setErrors] = useState<Record<Spot, string>>({});
  /** Which side of an interval the API named ('hours.mon.0' → open / close / both). */
  const [sides, setSides] = useState<Record<Spot, 'open' | 'close' | 'both'>>({});
  const [shownAt, setShownAt] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    form.current?.querySelector<HTMLInputElement>('input[name=hours-mode]:checked')?.focus();
  }, []);

  const clear = (...spots: Spot[]) =>
    setErrors((e) => {
      if (!spots.some((s) => e[s])) return e;
      const next = { ...e };
      for (const s of spots) delete next[s];
      return next;
    });
  const update = (change: (d: Draft) => Draft, ...spots: Spot[]) => {
    setDraft(change);
    clear(...spots);
  };
  const setInterval_ = (day: Weekday, row: number, side: 'open' | 'close', value: string) =>
    update((d) => ({ ...d, hours: { ...d.hours, [day]: d.hours[day].map((iv, i) => (i === row ? { ...iv, [side]: value } : iv)) } }), `hours.${day}.${row}`, `hours.${day}`, 'hours');
  // Rows after a removed one move up: their errors no longer point at the right row, so they go.
  const dropErrors = (prefix: string) =>
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== prefix && !k.startsWith(`${prefix}.`))));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const { businessHours, intervalRows, holidayRows } = bodyOf(draft);
    setBusy(true);
    setError(null);
    setErrors({});
    setSides({});
    try {
      const saved = await patch<Team>(`/api/v1/teams/${team.id}`, { businessHours });
      onSaved(saved);
    } catch (err) {
      setError(err);
      if (err instanceof ApiError) {
        const at: Record<Spot, string> = {};
        const side: Record<Spot, 'open' | 'close' | 'both'> = {};
        const mapped: string[] = [];
        for (const fe of err.errors) {
          const parts = fe.field.split('.');
          if (parts[0] !== 'businessHours') continue;
          let spot: Spot | null = null;
          const [, group, a, b, c] = parts;
          if (group === 'timeZone') spot = 'timeZone';
          else if (group === 'hours' && a === undefined) spot = 'hours';
          else if (group === 'hours' && (WEEKDAYS as readonly string[]).includes(a ?? '')) {
            const day = a as Weekday;
            const row = b === undefined ? undefined : intervalRows[day][Number(b)];
            if (b === undefined) spot = `hours.${day}`;
            else if (row !== undefined) {
              spot = `hours.${day}.${row}`;
              const s = c === '0' ? 'open' : c === '1' ? 'close' : 'both';
              side[spot] = side[spot] && side[spot] !== s ? 'both' : s;
            }
          } else if (group === 'holidays') {
            const row = a === undefined ? undefined : holidayRows[Number(a)];
            spot = a === undefined ? 'holidays' : row !== undefined ? `holidays.${row}` : null;
          }
          if (!spot) continue;
          at[spot] ??= fe.message;
          mapped.push(fe.field);
        }
        setErrors(at);
        setSides(side);
        setShownAt(mapped);
        if (mapped.length > 0) requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid=true]')?.focus());
      }
      setBusy(false);
    }
  };

  const errorId = (spot: Spot) => `team-error-${spot.replace(/\./g, '-')}`;
  const fieldError = (spot: Spot) =>
    errors[spot] ? (
      <span class="field-error" id={errorId(spot)} data-field-error={spot}>
        {errors[spot]}
      </span>
    ) : null;
  const invalidSide = (spot: Spot, s: 'open' | 'close') => Boolean(errors[spot]) && (sides[spot] ?? 'both') !== (s === 'open' ? 'close' : 'open');
  const calendar = draft.mode === 'calendar';

  return (
    <form
      ref={form}
      class="card canned-form team-form"
      data-testid="team-form"
      noValidate
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      <h3>{t('teams.editing', { name: team.name })}</h3>

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
          <div class={`field ${errors.timeZone ? 'invalid' : ''}`}>
            <label for="team-timezone">{t('teams.timeZone')}</label>
            <input
              id="team-timezone"
              type="text"
              name="timeZone"
              list="team-timezones"
              autoComplete="off"
              spellcheck={false}
              maxLength={64}
              value={draft.timeZone}
              aria-invalid={errors.timeZone ? true : undefined}
              aria-describedby={[errors.timeZone ? errorId('timeZone') : '', 'team-timezone-hint'].filter(Boolean).join(' ')}
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
            <span class="field-hint muted small" id="team-timezone-hint">
              {t('teams.timeZoneHint')}
            </span>
            {fieldError('timeZone')}
          </div>

          <fieldset class={`week ${errors.hours ? 'invalid' : ''}`} aria-describedby="team-hours-hint">
            <legend>{t('teams.hours')}</legend>
            <span class="field-hint muted small" id="team-hours-hint">
              {t('teams.hoursHint')}
            </span>
            {fieldError('hours')}
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
                      const described = errors[spot] ? errorId(spot) : undefined;
                      return (
                        <div key={row} class={`interval ${errors[spot] ? 'invalid' : ''}`} data-interval={row}>
                          <span class="interval-times">
                            <input
                              type="text"
                              class="time-input"
                              name={`${day}.${row}.open`}
                              inputMode="numeric"
                              placeholder="09:00"
                              maxLength={5}
                              autoComplete="off"
                              value={iv.open}
                              aria-label={t('teams.opens', { day: dayName, n: row + 1 })}
                              aria-invalid={invalidSide(spot, 'open') ? true : undefined}
                              aria-describedby={described}
                              onInput={(e) => setInterval_(day, row, 'open', e.currentTarget.value)}
                            />
                            <span aria-hidden="true">–</span>
                            <input
                              type="text"
                              class="time-input"
                              name={`${day}.${row}.close`}
                              inputMode="numeric"
                              placeholder="18:00"
                              maxLength={5}
                              autoComplete="off"
                              value={iv.close}
                              aria-label={t('teams.closes', { day: dayName, n: row + 1 })}
                              aria-invalid={invalidSide(spot, 'close') ? true : undefined}
                              aria-describedby={described}
                              onInput={(e) => setInterval_(day, row, 'close', e.currentTarget.value)}
                            />
                            <button
                              type="button"
                              class="icon-btn"
                              data-action="remove-interval"
                              aria-label={t('teams.removeInterval', { day: dayName, n: row + 1 })}
                              onClick={() => {
                                setDraft((d) => ({ ...d, hours: { ...d.hours, [day]: d.hours[day].filter((_, i) => i !== row) } }));
                                dropErrors(`hours.${day}`);
                              }}
                            >
                              ×
                            </button>
                          </span>
                          {fieldError(spot)}
                        </div>
                      );
                    })}
                    {fieldError(`hours.${day}`)}
                  </div>
                  <button
                    type="button"
                    class="btn small ghost"
                    data-action="add-interval"
                    aria-label={t('teams.addIntervalTo', { day: dayName })}
                    onClick={() => {
                      const last = rows[rows.length - 1];
                      // After the day's last interval, or office hours on an empty day.
                      const next = last ? { open: last.close, close: '' } : { open: '09:00', close: '18:00' };
                      update((d) => ({ ...d, hours: { ...d.hours, [day]: [...d.hours[day], next] } }), 'hours');
                    }}
                  >
                    + {t('teams.addInterval')}
                  </button>
                </div>
              );
            })}
          </fieldset>

          <fieldset class={`holidays ${errors.holidays ? 'invalid' : ''}`} aria-describedby="team-holidays-hint">
            <legend>{t('teams.holidays')}</legend>
            <span class="field-hint muted small" id="team-holidays-hint">
              {t('teams.holidaysHint')}
            </span>
            {fieldError('holidays')}
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
                      aria-invalid={errors[spot] ? true : undefined}
                      aria-describedby={errors[spot] ? errorId(spot) : undefined}
                      onInput={(e) => {
                        const v = e.currentTarget.value;
                        update((d) => ({ ...d, holidays: d.holidays.map((x, i) => (i === row ? v : x)) }), spot, 'holidays');
                      }}
                    />
                    <button
                      type="button"
                      class="icon-btn"
                      data-action="remove-holiday"
                      aria-label={t('teams.removeHoliday', { n: row + 1 })}
                      onClick={() => {
                        setDraft((d) => ({ ...d, holidays: d.holidays.filter((_, i) => i !== row) }));
                        dropErrors('holidays');
                      }}
                    >
                      ×
                    </button>
                  </span>
                  {fieldError(spot)}
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
          </fieldset>
        </>
      )}

      <ProblemMessage error={error} onDismiss={() => setError(null)} shownAtFields={shownAt} />
      <div class="dialog-actions">
        <button type="button" class="btn ghost" onClick={onCancel}>
          {t('teams.cancel')}
        </button>
        <button type="submit" class="btn primary" disabled={busy} data-action="team-save">
          {busy ? t('teams.saving') : t('teams.save')}
        </button>
      </div>
    </form>
  );
}
