import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset } from 'chart.js';
import { stringify } from 'csv-stringify/browser/esm/sync';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, query } from '../api';
import { useI18n, type Lang, type MsgKey, type Translate } from '../i18n/index';
import type { User } from '../types';
import { ProblemMessage } from './ProblemMessage';

// Only what the charts below draw (keeps the bundle small; an unregistered controller would throw).
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

const PERIODS = ['today', '7d', '30d', 'custom'] as const;
type Period = (typeof PERIODS)[number];
const TYPES = ['complaint', 'suggestion', 'care'] as const;
const AGES = ['under_1h', '1h_4h', '4h_24h', '1d_3d', 'over_3d'] as const;

interface Durations {
  count: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
  averageMinutes: number | null;
}
interface Sla {
  tracked: number;
  met: number;
  compliancePercent: number | null;
}
interface Summary {
  from: string;
  to: string;
  volumes: { total: number; byChannel: Record<string, number>; byType: Record<string, number> };
  firstResponse: Durations;
  nextResponse: Durations;
  resolution: Durations;
  handleTime: Durations;
  sla: Sla;
  csat: { answers: number; satisfied: number; csatPercent: number | null; averageScore: number | null };
  backlog: { total: number; byAge: Array<{ age: string; count: number }> };
}
interface Series {
  interval: 'hour' | 'day';
  points: Array<{ start: string; label: string; total: number; byChannel: Record<string, number>; byType: Record<string, number>; firstResponse: Durations; resolution: Durations }>;
}
interface AgentRow {
  agentId: string;
  name: string;
  handled: number;
  firstResponse: Durations;
  nextResponse: Durations;
  resolution: Durations;
  handleTime: Durations;
}
interface TeamRow {
  teamId: string;
  name: string;
  created: number;
  handled: number;
  firstResponse: Durations;
  nextResponse: Durations;
  resolution: Durations;
  handleTime: Durations;
  sla: Sla;
}
interface Report {
  summary: Summary;
  series: Series;
  agents: AgentRow[];
  teams: TeamRow[] | null;
}

/** One cell: what the table shows (by locale) and what the CSV holds (plain number or text; '' for none). */
interface Cell {
  text: string;
  raw: string | number;
}
export interface ReportTable {
  name: string;
  title: string;
  columns: Array<{ key: string; label: string }>;
  rows: Array<{ key: string; cells: Record<string, Cell> }>;
}

const browserZone = (): string => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};

/** The local date (YYYY-MM-DD) of an instant in `tz`. */
const localDate = (ms: number, tz: string): string => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));

function formatters(lang: Lang, tz: string) {
  const int = new Intl.NumberFormat(lang);
  const dec = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 2 });
  const day = new Intl.DateTimeFormat(lang, { timeZone: tz, dateStyle: 'medium' });
  const hour = new Intl.DateTimeFormat(lang, { timeZone: tz, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return {
    count: (n: number): Cell => ({ text: int.format(n), raw: n }),
    minutes: (m: number | null): Cell => (m === null ? { text: '—', raw: '' } : { text: dec.format(m), raw: m }),
    percent: (p: number | null): Cell => (p === null ? { text: '—', raw: '' } : { text: pct.format(p / 100), raw: p }),
    slot: (start: string, label: string, interval: 'hour' | 'day'): Cell => ({ text: (interval === 'day' ? day : hour).format(new Date(start)), raw: label }),
    text: (s: string): Cell => ({ text: s, raw: s }),
  };
}

function buildTables(r: Report, t: Translate, lang: Lang, tz: string): Record<string, ReportTable> {
  const f = formatters(lang, tz);
  const min = (key: MsgKey) => `${t(key)} (${t('reports.minutesUnit')})`;
  const periodCol = { key: 'period', label: t('reports.col.period') };
  const channels = [...new Set([...Object.keys(r.summary.volumes.byChannel), ...r.series.points.flatMap((p) => Object.keys(p.byChannel))])].sort();
  const channelName = (c: string) => (['api', 'webchat', 'email', 'sms', 'voice', 'fax'].includes(c) ? t(`values.channel.${c}` as MsgKey) : c);
  const rowsOf = <T,>(items: T[], key: (x: T) => string, cells: (x: T) => Record<string, Cell>) => items.map((x) => ({ key: key(x), cells: cells(x) }));
  const tables: Record<string, ReportTable> = {
    channels: {
      name: 'channels',
      title: t('reports.byChannel'),
      columns: [periodCol, ...channels.map((c) => ({ key: c, label: channelName(c) })), { key: 'total', label: t('reports.col.total') }],
      rows: rowsOf(r.series.points, (p) => p.label, (p) => ({ period: f.slot(p.start, p.label, r.series.interval), ...Object.fromEntries(channels.map((c) => [c, f.count(p.byChannel[c] ?? 0)])), total: f.count(p.total) })),
    },
    types: {
      name: 'types',
      title: t('reports.byType'),
      columns: [periodCol, ...TYPES.map((ty) => ({ key: ty, label: t(`values.type.${ty}`) })), { key: 'total', label: t('reports.col.total') }],
      rows: rowsOf(r.series.points, (p) => p.label, (p) => ({ period: f.slot(p.start, p.label, r.series.interval), ...Object.fromEntries(TYPES.map((ty) => [ty, f.count(p.byType[ty] ?? 0)])), total: f.count(p.total) })),
    },
    times: {
      name: 'response-times',
      title: t('reports.responseTimes'),
      columns: [periodCol, { key: 'frtMedian', label: min('reports.col.frtMedian') }, { key: 'frtP90', label: min('reports.col.frtP90') }, { key: 'resMedian', label: min('reports.col.resMedian') }, { key: 'resP90', label: min('reports.col.resP90') }],
      rows: rowsOf(r.series.points, (p) => p.label, (p) => ({
        period: f.slot(p.start, p.label, r.series.interval),
        frtMedian: f.minutes(p.firstResponse.medianMinutes),
        frtP90: f.minutes(p.firstResponse.p90Minutes),
        resMedian: f.minutes(p.resolution.medianMinutes),
        resP90: f.minutes(p.resolution.p90Minutes),
      })),
    },
    backlog: {
      name: 'backlog',
      title: t('reports.backlog'),
      columns: [{ key: 'age', label: t('reports.col.age') }, { key: 'count', label: t('reports.col.tickets') }],
      rows: rowsOf(r.summary.backlog.byAge, (a) => a.age, (a) => ({ age: f.text(AGES.includes(a.age as never) ? t(`reports.age.${a.age}` as MsgKey) : a.age), count: f.count(a.count) })),
    },
    agents: {
      name: 'agents',
      title: t('reports.perAgent'),
      columns: [
        { key: 'name', label: t('reports.col.agent') },
        { key: 'handled', label: t('reports.col.handled') },
        { key: 'frtMedian', label: min('reports.col.frtMedian') },
        { key: 'frtP90', label: min('reports.col.frtP90') },
        { key: 'nrtMedian', label: min('reports.col.nrtMedian') },
        { key: 'resMedian', label: min('reports.col.resMedian') },
        { key: 'htMedian', label: min('reports.col.htMedian') },
      ],
      rows: rowsOf(r.agents, (a) => a.agentId, (a) => ({
        name: f.text(a.name),
        handled: f.count(a.handled),
        frtMedian: f.minutes(a.firstResponse.medianMinutes),
        frtP90: f.minutes(a.firstResponse.p90Minutes),
        nrtMedian: f.minutes(a.nextResponse.medianMinutes),
        resMedian: f.minutes(a.resolution.medianMinutes),
        htMedian: f.minutes(a.handleTime.medianMinutes),
      })),
    },
  };
  if (r.teams) {
    tables.teams = {
      name: 'teams',
      title: t('reports.perTeam'),
      columns: [
        { key: 'name', label: t('reports.col.team') },
        { key: 'created', label: t('reports.col.created') },
        { key: 'handled', label: t('reports.col.handled') },
        { key: 'frtMedian', label: min('reports.col.frtMedian') },
        { key: 'nrtMedian', label: min('reports.col.nrtMedian') },
        { key: 'resMedian', label: min('reports.col.resMedian') },
        { key: 'htMedian', label: min('reports.col.htMedian') },
        { key: 'sla', label: t('reports.col.sla') },
      ],
      rows: rowsOf(r.teams, (x) => x.teamId || 'none', (x) => ({
        name: f.text(x.name || t('reports.noTeam')),
        created: f.count(x.created),
        handled: f.count(x.handled),
        frtMedian: f.minutes(x.firstResponse.medianMinutes),
        nrtMedian: f.minutes(x.nextResponse.medianMinutes),
        resMedian: f.minutes(x.resolution.medianMinutes),
        htMedian: f.minutes(x.handleTime.medianMinutes),
        sla: f.percent(x.sla.compliancePercent),
      })),
    };
  }
  return tables;
}

/** The table as CSV: its column headings, then each row's plain values. */
export const tableCsv = (table: ReportTable): string =>
  stringify([table.columns.map((c) => c.label), ...table.rows.map((r) => table.columns.map((c) => r.cells[c.key]?.raw ?? ''))], { bom: true });

function download(name: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function DataTable({ table, fileSuffix }: { table: ReportTable; fileSuffix: string }) {
  const { t } = useI18n();
  return (
    <div class="report-table-box">
      <button type="button" class="btn small" data-export={table.name} onClick={() => download(`${table.name}_${fileSuffix}.csv`, tableCsv(table))}>
        {t('reports.exportCsv')}
      </button>
      <div class="report-table-scroll">
        <table class="report-table" data-testid={`report-table-${table.name}`}>
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th key={c.key} scope="col" data-col={c.key}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <tr key={r.key} data-row={r.key}>
                {table.columns.map((c) => (
                  <td key={c.key} data-cell={c.key}>
                    {r.cells[c.key]?.text ?? ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777'];

function ChartBox({ name, kind, labels, datasets, stacked = false }: { name: string; kind: 'bar' | 'line'; labels: string[]; datasets: Array<{ label: string; data: Array<number | null> }>; stacked?: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const sets = datasets.map((d, i) => ({ ...d, backgroundColor: PALETTE[i % PALETTE.length], borderColor: PALETTE[i % PALETTE.length], spanGaps: true }));
    const chart = new Chart(canvas.current, {
      type: kind,
      data: { labels, datasets: sets as Array<ChartDataset<'bar' | 'line', Array<number | null>>> },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked }, y: { stacked, beginAtZero: true } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => chart.destroy();
  }, [kind, stacked, JSON.stringify(labels), JSON.stringify(datasets)]);
  return (
    <div class="report-chart">
      <canvas ref={canvas} data-chart={name} role="img" aria-label={datasets.map((d) => d.label).join(', ')} />
    </div>
  );
}

function Figure({ name, label, value }: { name: string; label: string; value: string }) {
  return (
    <div class="report-figure" data-figure={name}>
      <div class="report-figure-label">{label}</div>
      <div class="report-figure-value">{value}</div>
    </div>
  );
}

/**
 * Reports for a period in the user's time zone: headline figures, volumes by channel and type
 * over time, response times, backlog by age, per agent and per team, each table with its chart
 * and a CSV export. Agents get their own figures only (the API scopes them).
 */
export function ReportsScreen({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const tz = user.timeZone || browserZone();
  const today = localDate(Date.now(), tz);
  const [period, setPeriod] = useState<Period>('7d');
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [applied, setApplied] = useState<{ from: string; to: string }>({ from: today, to: today });
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const supervisor = user.role !== 'agent';

  useEffect(() => {
    let live = true;
    const base = { period, tz, ...(period === 'custom' ? applied : {}) };
    const days = period === 'custom' ? (Date.parse(applied.to) - Date.parse(applied.from)) / 86_400_000 + 1 : 0;
    const interval = period === 'today' || (period === 'custom' && days <= 2) ? 'hour' : 'day';
    setLoading(true);
    Promise.all([
      get<Summary>(`/api/v1/stats/summary${query(base)}`),
      get<Series>(`/api/v1/stats/series${query({ ...base, interval })}`),
      get<{ items: AgentRow[] }>(`/api/v1/stats/agents${query(base)}`),
      supervisor ? get<{ items: TeamRow[] }>(`/api/v1/stats/teams${query(base)}`) : Promise.resolve(null),
    ])
      .then(([summary, series, agents, teams]) => {
        if (!live) return;
        setReport({ summary, series, agents: agents.items, teams: teams?.items ?? null });
        setError(null);
      })
      .catch((err: unknown) => live && setError(err))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [period, tz, applied.from, applied.to, supervisor]);

  const tables = report ? buildTables(report, t, lang, tz) : null;
  const f = formatters(lang, tz);
  const fileSuffix = report ? `${localDate(Date.parse(report.summary.from), tz)}_${localDate(Date.parse(report.summary.to) - 1, tz)}` : '';
  const mins = (m: number | null) => (m === null ? '—' : `${f.minutes(m).text} ${t('reports.minutesUnit')}`);
  const points = report?.series.points ?? [];
  const slotLabels = points.map((p) => f.slot(p.start, p.label, report!.series.interval).text);

  return (
    <section class="settings reports" data-testid="reports" data-loading={loading ? 'yes' : 'no'} aria-busy={loading}>
      <div class="settings-head">
        <div>
          <h1>{t('reports.title')}</h1>
          <p class="hint" data-testid="reports-scope">
            {supervisor ? t('reports.scopeTeams') : t('reports.scopeOwn')} · {t('reports.timeZone', { tz })}
          </p>
        </div>
        <div class="report-periods" role="group" aria-label={t('reports.period')}>
          {PERIODS.map((p) => (
            <button key={p} type="button" class={`btn small ${period === p ? 'primary' : ''}`} aria-pressed={period === p} data-period={p} onClick={() => setPeriod(p)}>
              {t(`reports.periods.${p}`)}
            </button>
          ))}
        </div>
      </div>
      {period === 'custom' && (
        <form
          class="report-custom"
          data-testid="report-custom"
          onSubmit={(e) => {
            e.preventDefault();
            if (from && to && from <= to) setApplied({ from, to });
          }}
        >
          <label>
            {t('reports.from')} <input type="date" name="from" value={from} max={to} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            {t('reports.to')} <input type="date" name="to" value={to} min={from} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" class="btn small primary">
            {t('reports.apply')}
          </button>
        </form>
      )}
      <ProblemMessage error={error} />
      {report && tables && (
        <>
          <div class="report-figures" data-testid="report-figures">
            <Figure name="total" label={t('reports.fig.total')} value={f.count(report.summary.volumes.total).text} />
            <Figure name="frtMedian" label={t('reports.fig.frtMedian')} value={mins(report.summary.firstResponse.medianMinutes)} />
            <Figure name="frtP90" label={t('reports.fig.frtP90')} value={mins(report.summary.firstResponse.p90Minutes)} />
            <Figure name="nrtMedian" label={t('reports.fig.nrtMedian')} value={mins(report.summary.nextResponse.medianMinutes)} />
            <Figure name="resMedian" label={t('reports.fig.resMedian')} value={mins(report.summary.resolution.medianMinutes)} />
            <Figure name="resP90" label={t('reports.fig.resP90')} value={mins(report.summary.resolution.p90Minutes)} />
            <Figure name="htMedian" label={t('reports.fig.htMedian')} value={mins(report.summary.handleTime.medianMinutes)} />
            <Figure name="sla" label={t('reports.fig.sla')} value={f.percent(report.summary.sla.compliancePercent).text} />
            <Figure name="csat" label={t('reports.fig.csat', { count: report.summary.csat.answers })} value={f.percent(report.summary.csat.csatPercent).text} />
            <Figure name="backlog" label={t('reports.fig.backlog')} value={f.count(report.summary.backlog.total).text} />
          </div>

          <section class="report-block" data-block="channels">
            <h2>{tables.channels!.title}</h2>
            <div class="report-row">
              <ChartBox
                name="channels"
                kind="bar"
                stacked
                labels={slotLabels}
                datasets={tables.channels!.columns.slice(1, -1).map((c) => ({ label: c.label, data: points.map((p) => p.byChannel[c.key] ?? 0) }))}
              />
              <DataTable table={tables.channels!} fileSuffix={fileSuffix} />
            </div>
          </section>

          <section class="report-block" data-block="types">
            <h2>{tables.types!.title}</h2>
            <div class="report-row">
              <ChartBox name="types" kind="bar" stacked labels={slotLabels} datasets={TYPES.map((ty) => ({ label: t(`values.type.${ty}`), data: points.map((p) => p.byType[ty] ?? 0) }))} />
              <DataTable table={tables.types!} fileSuffix={fileSuffix} />
            </div>
          </section>

          <section class="report-block" data-block="response-times">
            <h2>{tables.times!.title}</h2>
            <div class="report-row">
              <ChartBox
                name="response-times"
                kind="line"
                labels={slotLabels}
                datasets={[
                  { label: t('reports.col.frtMedian'), data: points.map((p) => p.firstResponse.medianMinutes) },
                  { label: t('reports.col.frtP90'), data: points.map((p) => p.firstResponse.p90Minutes) },
                  { label: t('reports.col.resMedian'), data: points.map((p) => p.resolution.medianMinutes) },
                  { label: t('reports.col.resP90'), data: points.map((p) => p.resolution.p90Minutes) },
                ]}
              />
              <DataTable table={tables.times!} fileSuffix={fileSuffix} />
            </div>
          </section>

          <section class="report-block" data-block="backlog">
            <h2>{tables.backlog!.title}</h2>
            <div class="report-row">
              <ChartBox name="backlog" kind="bar" labels={tables.backlog!.rows.map((r) => r.cells.age!.text)} datasets={[{ label: t('reports.col.tickets'), data: report.summary.backlog.byAge.map((a) => a.count) }]} />
              <DataTable table={tables.backlog!} fileSuffix={fileSuffix} />
            </div>
          </section>

          <section class="report-block" data-block="agents">
            <h2>{tables.agents!.title}</h2>
            <DataTable table={tables.agents!} fileSuffix={fileSuffix} />
          </section>

          {tables.teams && (
            <section class="report-block" data-block="teams">
              <h2>{tables.teams.title}</h2>
              <DataTable table={tables.teams} fileSuffix={fileSuffix} />
            </section>
          )}
        </>
      )}
    </section>
  );
}
