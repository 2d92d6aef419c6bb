import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Types } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { api, createUser, detail, inbound, signInAdmin, teamId, type SignedIn, type TestHub, type TicketSummary } from '../support/desk.fixtures';
import { until } from '../support/process';
import { expectNoPageTrouble, newPage, screenshotDir, signIn, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * The Reports screen: tickets created, answered and resolved at controlled times (their creation
 * moved back through the model); every figure on the screen equals the API's and the value
 * computed here by hand; each chart's canvas is drawn; a table's CSV download equals the table;
 * an agent sees their own figures only.
 */

let sends = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `rep-${++sends}` })));
});

const TZ = 'Asia/Shanghai';
let hub: TestHub;
let browser: Browser;
let admin: SignedIn;
let sup: SignedIn;
let ada: SignedIn;
let bo: SignedIn;
let front: string;
const tabs: Array<{ guard: PageGuard }> = [];
type Ticket = TicketSummary & { resolvedAt: string | null };
const ticketIds: string[] = [];

interface Durations {
  count: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
}
interface Summary {
  from: string;
  to: string;
  volumes: { total: number; byType: Record<string, number> };
  firstResponse: Durations;
  nextResponse: Durations;
  resolution: Durations;
  handleTime: Durations;
  sla: { tracked: number; met: number; compliancePercent: number | null };
  csat: { answers: number; satisfied: number; csatPercent: number | null; averageScore: number | null };
  backlog: { total: number; byAge: Array<{ age: string; count: number }> };
}

const rank = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.max(1, Math.ceil(p * values.length)) - 1] ?? null;
const wholeMinutes = (from: string, to: string) => Math.floor((Date.parse(to) - Date.parse(from)) / 60_000);
const minutesText = (m: number | null) => (m === null ? '—' : `${new Intl.NumberFormat('en', { maximumFractionDigits: 2 }).format(m)} min`);
const percentText = (p: number | null) => (p === null ? '—' : new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 2 }).format(p / 100));
const localDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));

async function ticket(minutesAgo: number, type: string, answeredBy: SignedIn | null, resolve: boolean): Promise<void> {
  const { ticketId } = await inbound(hub, { chosenType: type });
  ticketIds.push(ticketId);
  await hub.models.Ticket.updateOne({ _id: new Types.ObjectId(ticketId) }, { $set: { createdAt: new Date(Date.now() - minutesAgo * 60_000) } }, { timestamps: false, overwriteImmutable: true });
  if (answeredBy) {
    expect((await api(hub, answeredBy.token, 'POST', `/tickets/${ticketId}/replies`, { text: 'On it' })).status).toBe(201);
    await until(() => detail(hub, answeredBy.token, ticketId), (d) => d.ticket.firstResponseAt !== null, 15_000, 25);
  }
  if (resolve) expect((await api(hub, answeredBy!.token, 'PATCH', `/tickets/${ticketId}`, { status: 'resolved', ...(type === 'complaint' ? { cause: 'other' } : {}) })).status).toBe(200);
  else expect((await api(hub, admin.token, 'PATCH', `/tickets/${ticketId}`, { priority: 'high' })).status).toBe(200);
}

const q = `period=7d&tz=${encodeURIComponent(TZ)}`;
const summaryOf = async (token: string) => (await api<Summary>(hub, token, 'GET', `/stats/summary?${q}`)).body;

beforeAll(async () => {
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const { port } = receiver.address() as AddressInfo;
  ({ hub, browser } = await startConsole('con-reports', { DEFAULT_TEAM: 'Front', API_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, API_WEBHOOK_SECRET: 'reports-webhook-secret-0123456789abcdef' }));
  admin = await signInAdmin(hub);
  front = await teamId(hub, admin, 'Front');
  sup = await createUser(hub, admin, 'supervisor', [front], 'Sue Supervisor', { timeZone: TZ });
  ada = await createUser(hub, admin, 'agent', [front], 'Ada Agent');
  bo = await createUser(hub, admin, 'agent', [front], 'Bo Agent', { timeZone: TZ, locale: 'zh-CN' });
  await ticket(10, 'complaint', ada, true);
  await ticket(20, 'care', bo, true);
  await ticket(45, 'care', ada, false);
  await ticket(120, 'suggestion', null, false);
  await ticket(0, 'suggestion', null, false);
  await until(() => summaryOf(sup.token), (s) => s.volumes.total === 5 && s.firstResponse.count === 3 && s.resolution.count === 2 && s.backlog.total === 3, 20_000, 50);
}, 120_000);

afterAll(async () => {
  await stopConsole(hub, browser);
  receiver.close();
});
afterEach(() => expectNoPageTrouble(...tabs));

async function openReports(user: SignedIn, locale = 'en-US'): Promise<Page> {
  const tab = await newPage(browser, { locale });
  tabs.push(tab);
  await signIn(tab.page, hub.url, user.email, user.password);
  await tab.page.locator('a[data-view=reports]').click();
  await tab.page.waitForURL(/\/console\/reports$/);
  await tab.page.locator('[data-testid=reports][data-loading=no] [data-testid=report-figures]').waitFor({ timeout: 15_000 });
  return tab.page;
}

const figure = (page: Page, name: string) => page.locator(`[data-figure=${name}] .report-figure-value`).innerText();
const tableOf = async (page: Page, name: string) =>
  page.locator(`[data-testid=report-table-${name}]`).evaluate((t) => ({
    head: Array.from(t.querySelectorAll('thead th')).map((th) => (th as HTMLElement).innerText),
    rows: Array.from(t.querySelectorAll('tbody tr')).map((tr) => Object.fromEntries(Array.from(tr.querySelectorAll('td')).map((td) => [td.getAttribute('data-cell') ?? '', (td as HTMLElement).innerText]))),
    keys: Array.from(t.querySelectorAll('tbody tr')).map((tr) => tr.getAttribute('data-row')),
  }));

test('a supervisor: every figure equals the API and the hand-computed value; charts are drawn', async () => {
  // Two customers answered the satisfaction question: a 5 and a 3 (CSAT: one of two is 4–5).
  const resolved = (await Promise.all(ticketIds.map(async (id) => (await detail(hub, admin.token, id)).ticket))).filter((t) => t.status === 'resolved');
  for (const [i, score] of [5, 3].entries()) {
    const t = resolved[i]!;
    await hub.models.Ticket.updateOne({ _id: new Types.ObjectId(t.id) }, { $set: { csat: { score, comment: '', at: new Date(), channel: 'api' } } });
    await hub.bus.publish({ type: 'csat.answered', ticketId: t.id, score, channel: 'api', ticketType: t.type as 'complaint', teamId: null, agentId: null, at: new Date().toISOString() });
  }
  await until(() => summaryOf(sup.token), (x) => x.csat.answers === 2, 20_000, 50);
  const page = await openReports(sup);
  const tickets = (await Promise.all(ticketIds.map(async (id) => (await detail(hub, admin.token, id)).ticket))) as Ticket[];
  const frt = tickets.filter((t) => t.firstResponseAt).map((t) => wholeMinutes(t.createdAt, t.firstResponseAt!));
  const res = tickets.filter((t) => t.status === 'resolved').map((t) => wholeMinutes(t.createdAt, t.resolvedAt!));
  expect(frt.sort((a, b) => a - b)).toEqual([10, 20, 45]);
  expect(res.sort((a, b) => a - b)).toEqual([10, 20]);
  const tracked = tickets.filter((t) => t.status === 'resolved' && (t.sla.firstResponseDueAt || t.sla.resolutionDueAt));
  const met = tracked.filter((t) => (!t.sla.firstResponseDueAt || Date.parse(t.firstResponseAt!) <= Date.parse(t.sla.firstResponseDueAt)) && (!t.sla.resolutionDueAt || Date.parse(t.resolvedAt!) <= Date.parse(t.sla.resolutionDueAt)));
  const slaByHand = tracked.length ? Math.round((met.length / tracked.length) * 10_000) / 100 : null;
  const s = await summaryOf(sup.token);

  expect(await page.locator('[data-testid=reports-scope]').innerText()).toContain(TZ);
  const expected: Record<string, [string, string]> = {
    total: ['5', String(s.volumes.total)],
    frtMedian: [minutesText(rank(frt, 0.5)), minutesText(s.firstResponse.medianMinutes)],
    frtP90: [minutesText(rank(frt, 0.9)), minutesText(s.firstResponse.p90Minutes)],
    resMedian: [minutesText(rank(res, 0.5)), minutesText(s.resolution.medianMinutes)],
    resP90: [minutesText(rank(res, 0.9)), minutesText(s.resolution.p90Minutes)],
    // Nobody wrote again after an answer.
    nrtMedian: ['—', minutesText(s.nextResponse.medianMinutes)],
    sla: [percentText(slaByHand), percentText(s.sla.compliancePercent)],
    csat: [percentText(50), percentText(s.csat.csatPercent)],
    backlog: ['3', String(s.backlog.total)],
    htMedian: [minutesText(s.handleTime.medianMinutes), minutesText(s.handleTime.medianMinutes)],
  };
  for (const [name, [byHand, fromApi]] of Object.entries(expected)) {
    const shown = await figure(page, name);
    expect({ name, shown }).toEqual({ name, shown: byHand });
    expect({ name, shown }).toEqual({ name, shown: fromApi });
  }
  expect(s.handleTime.count).toBe(2);

  // Backlog by age: 45 min and just now under an hour, 2 h in 1–4 h.
  const backlog = await tableOf(page, 'backlog');
  expect(backlog.keys).toEqual(['under_1h', '1h_4h', '4h_24h', '1d_3d', 'over_3d']);
  expect(backlog.rows.map((r) => r.count)).toEqual(['2', '1', '0', '0', '0']);

  // Types per local day (7 days in the zone); today's row holds what was created today there.
  const types = await tableOf(page, 'types');
  expect(types.keys).toHaveLength(7);
  expect(types.keys.at(-1)).toBe(localDate(Date.now()));
  for (const type of ['complaint', 'suggestion', 'care']) {
    const byDay = types.keys.map((day) => String(tickets.filter((t) => t.type === type && localDate(Date.parse(t.createdAt)) === day).length));
    expect(types.rows.map((r) => r[type])).toEqual(byDay);
  }
  const channels = await tableOf(page, 'channels');
  expect(channels.rows.map((r) => r.total)).toEqual(types.rows.map((r) => r.total));
  expect(channels.head).toEqual(['Period', 'API', 'Total']);

  // Per agent: Ada answered 10 and 45 min, resolved one (10); Bo answered and resolved at 20.
  const agents = await tableOf(page, 'agents');
  const row = (name: string) => agents.rows.find((r) => r.name === name);
  expect(row('Ada Agent')).toMatchObject({ handled: '1', frtMedian: '10', frtP90: '45', resMedian: '10', nrtMedian: '—' });
  expect(row('Bo Agent')).toMatchObject({ handled: '1', frtMedian: '20', resMedian: '20' });
  const teams = await tableOf(page, 'teams');
  expect(teams.rows).toEqual([expect.objectContaining({ name: 'Front', created: '5', handled: '2', frtMedian: '20', resMedian: '10', sla: percentText(slaByHand) })]);

  // Each chart's canvas has been drawn on.
  for (const chart of ['channels', 'types', 'response-times', 'backlog']) {
    const painted = await page.locator(`canvas[data-chart="${chart}"]`).evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return { width: c.width, height: c.height, n };
    });
    expect(painted.width).toBeGreaterThan(100);
    expect(painted.height).toBeGreaterThan(100);
    expect(painted.n).toBeGreaterThan(500);
  }
  await page.screenshot({ path: path.join(screenshotDir(), 'console-reports.png'), fullPage: true });
});

test('the CSV download of a table equals the table; the file is named after the table and the period', async () => {
  const page = await openReports(sup);
  for (const name of ['agents', 'types', 'teams', 'backlog']) {
    const table = await tableOf(page, name);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`button[data-export="${name}"]`).click()]);
    expect(download.suggestedFilename()).toBe(`${name}_${localDate(Date.now() - 6 * 86_400_000)}_${localDate(Date.now())}.csv`);
    const csv = parse(readFileSync((await download.path())!, 'utf8'), { bom: true }) as string[][];
    expect(csv[0]).toEqual(table.head);
    expect(csv).toHaveLength(table.rows.length + 1);
    const columns = await page.locator(`[data-testid=report-table-${name}] thead th`).evaluateAll((ths) => ths.map((th) => th.getAttribute('data-col') ?? ''));
    csv.slice(1).forEach((line, i) => {
      columns.forEach((col, j) => {
        const shown = table.rows[i]![col]!;
        const value = line[j]!;
        // Numbers are plain in the file, by locale on the screen; days are ISO dates in the file.
        if (col === 'period') expect(value).toBe(table.keys[i]);
        else if (col === 'sla') expect(value === '' ? '—' : percentText(Number(value))).toBe(shown);
        else if (/^-?\d+(\.\d+)?$/.test(value)) expect(new Intl.NumberFormat('en', { maximumFractionDigits: 2 }).format(Number(value))).toBe(shown);
        else if (value === '') expect(shown).toBe('—');
        else expect(value).toBe(shown);
      });
    });
  }
  // The SLA column: the percentage number.
  const teamsCsv = await Promise.all([page.waitForEvent('download'), page.locator('button[data-export="teams"]').click()]);
  const rows = parse(readFileSync((await teamsCsv[0].path())!, 'utf8'), { bom: true }) as string[][];
  const s = await summaryOf(sup.token);
  expect(rows[1]!.at(-1)).toBe(s.sla.compliancePercent === null ? '' : String(s.sla.compliancePercent));
});

test('an agent sees only their own figures (and no team table); the screen speaks zh-CN', async () => {
  const page = await openReports(bo, 'zh-CN');
  expect(await page.locator('h1').innerText()).toBe('报表');
  const own = await summaryOf(bo.token);
  expect(own.volumes.total).toBe(1);
  expect(await figure(page, 'total')).toBe('1');
  expect(await figure(page, 'frtMedian')).toBe(`${new Intl.NumberFormat('zh-CN').format(20)} 分钟`);
  const agents = await tableOf(page, 'agents');
  expect(agents.rows.map((r) => r.name)).toEqual(['Bo Agent']);
  expect(await page.locator('[data-testid=report-table-teams]').count()).toBe(0);
  // The API refuses another agent's or a team's figures.
  expect((await api(hub, bo.token, 'GET', `/stats/agents?${q}&agent=${ada.id}`)).status).toBe(403);
  expect((await api(hub, bo.token, 'GET', `/stats/teams?${q}&team=${new Types.ObjectId().toString()}`)).status).toBe(403);
});
