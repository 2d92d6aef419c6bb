import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inbound as inboundTicket, type TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { until } from '../support/process';
import {
  apiLogin,
  createAgent,
  createTeamUser,
  ensureTeam,
  expectNoPageTrouble,
  markDocument,
  openConsole,
  sameDocument,
  screenshotDir,
  setPresence,
  startConsole,
  stepAway,
  stopConsole,
  untilRouting,
  type PageGuard,
} from './console.support';

interface Detail {
  ticket: { id: string; number: number; status: string; assignee: { id: string; name: string } | null; team: { id: string; name: string } | null };
  timeline: Array<{ action: string; from: string | null; to: string | null; detail: string; actor: { kind: string; id: string | null; name: string } }>;
}
interface Tab {
  page: Page;
  guard: PageGuard;
}

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let supportId: string;
let billingId: string;
let ana: Awaited<ReturnType<typeof createAgent>>;
let ben: Awaited<ReturnType<typeof createTeamUser>>;
let anaTab: Tab;
let benTab: Tab;
let samTab: Tab;
const tabs: Tab[] = [];

/** A customer's message: a new ticket in Support. */
const inbound = async (subject: string, text: string) => (await inboundTicket(hub, { subject, text })).ticketId;
const detail = async (id: string) => (await request<Detail>(`${hub.url}/api/v1/tickets/${id}`, { apiKey: adminToken })).body;
/** The ticket's detail once routing (or a transfer) gave it to `userId`. */
const heldBy = (id: string, userId: string) => until(() => detail(id), (d) => d.ticket.assignee?.id === userId, 15_000);
const row = (page: Page, id: string) => page.locator(`.ticket-list a[data-ticket-id="${id}"]`);
const transferButton = (page: Page) => page.locator('[data-testid=ticket-view] button[data-action=transfer]');

async function openTab(user: { email: string; password: string }): Promise<Tab> {
  const tab = await openConsole(browser, hub.url, user);
  tabs.push(tab);
  return tab;
}

/** Opens the ticket from its row in the list shown. */
async function openRow(page: Page, id: string): Promise<void> {
  await row(page, id).click();
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${id}"]`).waitFor();
}

/** Opens the ticket from the list of `view`. */
async function openTicket(page: Page, view: 'mine' | 'all', id: string): Promise<void> {
  await page.locator(`a[data-view=${view}]`).click();
  await row(page, id).waitFor({ timeout: 10_000 });
  await openRow(page, id);
}

/** The ticket comes into Mine of this console without a reload, and is opened there. */
async function receivedInMine(page: Page, id: string): Promise<void> {
  await page.locator('a[data-view=mine]').click();
  await row(page, id).waitFor({ timeout: 15_000 });
  expect(await sameDocument(page)).toBe('yes');
  await openRow(page, id);
}

/** The open ticket's transfer dialog. */
async function openTransfer(page: Page) {
  await transferButton(page).click();
  const dialog = page.locator('[data-testid=transfer-dialog]');
  await dialog.waitFor();
  return dialog;
}

/** After a transfer: the console says where the ticket went and is back at the list of `view`, without it. */
async function handedOver(page: Page, id: string, notice: string | RegExp, view: 'mine' | 'all'): Promise<void> {
  await page.locator('[data-testid=notice]', { hasText: notice }).waitFor({ timeout: 10_000 });
  await page.waitForURL(new RegExp(`/console/${view}$`));
  await row(page, id).waitFor({ state: 'detached', timeout: 10_000 });
}

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-transfer'));
  ana = await createAgent(hub.url, { email: 'ana.transfer@test.example', name: 'Ana Agent' });
  adminToken = ana.adminToken;
  supportId = ana.teamId;
  billingId = await ensureTeam(hub.url, adminToken, 'Billing');
  ben = await createTeamUser(hub.url, adminToken, { email: 'ben.billing@test.example', name: 'Ben Billing', teams: [billingId] });
  // Both consoles open: both online (Ana in Support, Ben in Billing).
  anaTab = await openTab(ana);
  benTab = await openTab(ben);
  await untilRouting(hub.url, await apiLogin(hub.url, ana.email, ana.password), 'online');
  await untilRouting(hub.url, ben.token, 'online');
  await markDocument(benTab.page);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(...tabs));

describe('transferring a ticket from the console', () => {
  test("an agent hands a ticket to another team with a note; the colleague there gets it in Mine live and reads the note as text", async () => {
    const id = await inbound('Refund for invoice 7781', 'Please refund invoice 7781, I was charged twice.');
    // Routing gives it to Ana, the only one online in Support.
    await heldBy(id, ana.id);

    const page = anaTab.page;
    await openTicket(page, 'mine', id);
    const transfer = transferButton(page);
    const dialog = await openTransfer(page);
    expect(await dialog.getAttribute('role')).toBe('dialog');
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    // Agents choose between a colleague and a team, like supervisors.
    await dialog.locator(`[data-testid=transfer-agents] label[data-agent-id="${ben.id}"]`).waitFor();
    expect(await dialog.locator('input[name=transfer-mode]').count()).toBe(2);

    // Keyboard: focus starts inside, Tab and Shift+Tab stay inside, Esc closes and focus returns.
    const focusInside = () => dialog.evaluate((d) => d.contains(document.activeElement));
    await until(focusInside, (v) => v, 5000);
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect([key, await focusInside()]).toEqual([key, true]);
    }
    // The console's shortcuts wait while the dialog is open (? would open the shortcuts help).
    await dialog.locator('button', { hasText: 'Cancel' }).focus();
    await page.keyboard.press('?');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid=shortcuts]').count()).toBe(0);
    await until(() => transfer.evaluate((b) => b === document.activeElement), (v) => v, 5000);
    expect(page.url()).toMatch(new RegExp(`/tickets/${id}$`));

    // Again, from the keyboard: Enter on the focused button opens it.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    const submit = dialog.locator('button[data-action=transfer-submit]');
    expect(await submit.isDisabled()).toBe(true);
    await dialog.locator('label', { has: page.locator('input[data-mode=team]') }).click();
    await dialog.locator(`[data-testid=transfer-teams] label[data-team-id="${billingId}"]`).waitFor();
    expect(await dialog.locator(`label[data-team-id="${supportId}"]`).innerText()).toContain('Current team');
    await dialog.locator(`label[data-team-id="${billingId}"]`).click();
    const note = 'Charged twice for invoice 7781; card ends 4242. <b>not bold</b> <img src=x onerror=alert(1)>';
    await dialog.locator('textarea[name=note]').fill(note);
    await submit.click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });

    // Ana is back at her list, told where the ticket went, and it has left her Mine.
    await handedOver(page, id, /Ticket #\d+ was transferred to Billing/, 'mine');

    // The hub: Ben (Billing, online) owns it now; the timeline records the handover with the note.
    const d = await heldBy(id, ben.id);
    expect(d.ticket.team?.id).toBe(billingId);
    const transfers = d.timeline.filter((e) => e.action === 'transfer');
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({ from: ana.id, to: billingId, detail: note, actor: { kind: 'user', id: ana.id, name: 'Ana Agent' } });

    // Ben's console shows it in Mine without a reload; he opens it and reads Ana's note, as text.
    const bp = benTab.page;
    await receivedInMine(bp, id);
    const handover = bp.locator('[data-testid=handover-note]');
    await handover.waitFor();
    expect(await handover.innerText()).toContain('Handover note from Ana Agent');
    expect(await handover.locator('.handover-text').innerText()).toBe(note);
    expect(await handover.locator('b, img').count()).toBe(0);
    const entry = bp.locator('[data-testid=timeline] li[data-action=transfer]');
    await entry.waitFor();
    const text = await entry.innerText();
    for (const part of ['Transferred', 'Ana Agent', 'Billing', note]) expect([part, text.includes(part)]).toEqual([part, true]);
    expect(await bp.locator('[data-testid=assignee]').innerText()).toBe('Ben Billing');
    await bp.screenshot({ path: path.join(screenshotDir(), 'console-transfer-received.png') });
  });

  test('an agent picks a colleague shown online with their load and hands the ticket straight to them; the colleague has it in Mine, the timeline names both', async () => {
    // Flo is in Support but has not signed in: offline.
    const flo = await createTeamUser(hub.url, adminToken, { email: 'flo.offline@test.example', name: 'Flo Offline', teams: [supportId] });
    const id = await inbound('Wrong size delivered', 'I ordered a size M jacket and got an XL.');
    await heldBy(id, ana.id);

    const page = anaTab.page;
    await openTicket(page, 'mine', id);
    const dialog = await openTransfer(page);
    const agents = dialog.locator('[data-testid=transfer-agents]');
    const person = (id: string) => agents.locator(`label[data-agent-id="${id}"]`);
    await person(ben.id).waitFor({ timeout: 10_000 });

    // Everybody's real status and load (Ben holds the ticket of the first test), online first.
    expect(await person(ben.id).getAttribute('data-presence')).toBe('online');
    expect(await person(ben.id).innerText()).toMatch(/Online · 1\/10 async tickets/);
    expect(await person(ben.id).innerText()).toContain('Billing');
    expect(await dialog.innerText()).not.toContain('Status unknown');
    expect(await person(flo.id).getAttribute('data-presence')).toBe('offline');
    expect(await person(flo.id).innerText()).toContain('Offline');
    const order = await agents.locator('label[data-agent-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-presence') ?? ''));
    const rank: Record<string, number> = { online: 0, away: 1, offline: 2 };
    expect(order.map((p) => rank[p])).toEqual([...order.map((p) => rank[p])].sort((a, b) => (a ?? 9) - (b ?? 9)));
    // Ana holds it: listed, not pickable. Only colleagues who are online can take it from an agent.
    expect(await person(ana.id).innerText()).toContain('Has this ticket now');
    expect(await person(ana.id).locator('input').isDisabled()).toBe(true);
    expect(await dialog.innerText()).toContain('You can hand it to a colleague who is online');
    expect(await person(flo.id).locator('input').isDisabled()).toBe(true);
    // Flo comes online while the dialog is open: the list follows (it is asked again while open), and she can be picked.
    await setPresence(hub.url, flo.token, 'online');
    await agents.locator(`label[data-agent-id="${flo.id}"][data-presence=online]`).waitFor({ timeout: 20_000 });
    expect(await person(flo.id).locator('input').isDisabled()).toBe(false);
    // Her dot turns green too (Chromium once kept the old colour when only the class changed).
    expect(await person(flo.id).locator('.dot').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(50, 213, 131)');
    // She is gone again before the next tests (nobody else in Support takes new work).
    await setPresence(hub.url, flo.token, 'offline');
    await page.screenshot({ path: path.join(screenshotDir(), 'console-transfer-agent-dialog.png') });

    await person(ben.id).click();
    await dialog.locator('textarea[name=note]').fill('Needs an exchange to size M; the label is already sent.');
    await dialog.locator('button[data-action=transfer-submit]').click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });

    // The ticket left Ana's hands (and her sight): she is back at Mine, told where it went.
    await handedOver(page, id, /Ticket #\d+ was transferred to Ben Billing/, 'mine');
    const d = await heldBy(id, ben.id);
    expect(d.timeline.filter((e) => e.action === 'transfer')).toEqual([expect.objectContaining({ from: ana.id, to: ben.id })]);

    // Ben's console: in Mine without a reload; the timeline says who handed it to whom, by name.
    const bp = benTab.page;
    await receivedInMine(bp, id);
    await bp.locator('[data-testid=handover-note]', { hasText: 'Needs an exchange to size M' }).waitFor();
    const entry = bp.locator('[data-testid=timeline] li[data-action=transfer]');
    await entry.waitFor();
    expect(await entry.locator('.tl-from').innerText()).toBe('Ana Agent');
    expect(await entry.locator('.tl-to').innerText()).toBe('Ben Billing');
  });

  test('a supervisor picks a colleague (presence shown, online first) and hands the ticket straight to them', async () => {
    const sam = await createAgent(hub.url, { email: 'sam.transfer@test.example', name: 'Sam Supervisor', role: 'supervisor' });
    samTab = await openTab(sam);
    const page = samTab.page;
    // Sam supervises; routing leaves him out while he is away.
    await stepAway(page, hub.url, await apiLogin(hub.url, sam.email, sam.password));

    const id = await inbound('Change my delivery slot', 'Can the courier come on Friday instead?');
    await heldBy(id, ana.id);

    // Colleagues' presence changes while Sam's console is open: Dan comes online, Eve steps away.
    const dan = await createTeamUser(hub.url, adminToken, { email: 'dan.online@test.example', name: 'Dan Online', teams: [supportId] });
    const eve = await createTeamUser(hub.url, adminToken, { email: 'eve.away@test.example', name: 'Eve Away', teams: [supportId] });
    await setPresence(hub.url, dan.token, 'online');
    await setPresence(hub.url, eve.token, 'away');

    await openTicket(page, 'all', id);
    const dialog = await openTransfer(page);
    const agents = dialog.locator('[data-testid=transfer-agents]');
    await agents.locator(`label[data-agent-id="${dan.id}"][data-presence=online]`).waitFor({ timeout: 10_000 });
    await agents.locator(`label[data-agent-id="${eve.id}"][data-presence=away]`).waitFor({ timeout: 10_000 });
    expect(await agents.locator(`label[data-agent-id="${dan.id}"]`).innerText()).toContain('Online');
    expect(await agents.locator(`label[data-agent-id="${eve.id}"]`).innerText()).toContain('Away');
    // Online first, then away, offline last: routing's status of everyone, also of those the console has not heard about.
    const rank: Record<string, number> = { online: 0, away: 1, offline: 2 };
    const order = await agents.locator('label[data-agent-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-presence') ?? ''));
    expect(order.map((p) => rank[p])).toEqual([...order.map((p) => rank[p])].sort((a, b) => (a ?? 9) - (b ?? 9)));
    expect(order.length).toBeGreaterThanOrEqual(5);
    expect(order).not.toContain('unknown');
    expect(await agents.locator(`label[data-agent-id="${dan.id}"]`).innerText()).toMatch(/Online · 0\/10 async tickets/);
    // Ana holds it: she is listed but cannot be picked.
    const anaRow = agents.locator(`label[data-agent-id="${ana.id}"]`);
    expect(await anaRow.innerText()).toContain('Has this ticket now');
    expect(await anaRow.locator('input').isDisabled()).toBe(true);

    await page.screenshot({ path: path.join(screenshotDir(), 'console-transfer-dialog.png') });
    // The filter narrows the list by name.
    await dialog.locator('input[type=search]').fill('dan');
    await until(() => agents.locator('label[data-agent-id]').count(), (n) => n === 1, 5000);
    await agents.locator(`label[data-agent-id="${dan.id}"]`).click();
    await dialog.locator('textarea[name=note]').fill('Customer prefers Friday; the courier portal is down until noon.');
    await dialog.locator('button[data-action=transfer-submit]').click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });

    // Sam still sees the ticket (his team): it stays open, now with Dan.
    await page.locator('[data-testid=notice]', { hasText: 'was transferred to Dan Online' }).waitFor({ timeout: 10_000 });
    expect(page.url()).toMatch(new RegExp(`/tickets/${id}$`));
    await until(() => page.locator('select[data-control=assignee]').inputValue(), (v) => v === dan.id, 10_000);
    const entry = page.locator('[data-testid=timeline] li[data-action=transfer]');
    await entry.waitFor({ timeout: 10_000 });
    const text = await entry.innerText();
    for (const part of ['Ana Agent', 'Dan Online', 'Sam Supervisor', 'the courier portal is down']) expect([part, text.includes(part)]).toEqual([part, true]);

    const d = await detail(id);
    expect(d.ticket.assignee?.id).toBe(dan.id);
    expect(d.timeline.filter((e) => e.action === 'transfer')).toEqual([
      expect.objectContaining({ from: ana.id, to: dan.id, actor: expect.objectContaining({ name: 'Sam Supervisor' }) }),
    ]);

    // Dan, an agent, signs in: the ticket is in his Mine, and his timeline names Ana too (she is neither him nor the one who moved it).
    const danTab = await openConsole(browser, hub.url, dan);
    await row(danTab.page, id).waitFor({ timeout: 10_000 });
    await openRow(danTab.page, id);
    const danEntry = danTab.page.locator('[data-testid=timeline] li[data-action=transfer]');
    await danEntry.waitFor({ timeout: 10_000 });
    await danEntry.locator('.tl-from', { hasText: 'Ana Agent' }).waitFor({ timeout: 10_000 });
    expect(await danEntry.locator('.tl-to').innerText()).toBe('Dan Online');
    expect(await danEntry.innerText()).toContain('Sam Supervisor');
    await stepAway(danTab.page, hub.url, dan.token);
    expect(danTab.guard.errors).toEqual([]);
    await danTab.context.close();
    // Dan is done with this ticket for the next test: nobody in Support takes new work.
    await setPresence(hub.url, dan.token, 'away');
    await setPresence(hub.url, eve.token, 'offline');
  });

  test("a refused transfer shows the hub's problem in the dialog; moving the ticket out of the supervisor's teams closes it", async () => {
    const page = samTab.page;
    // Nobody in Support is online: a new ticket waits in the queue.
    await stepAway(anaTab.page, hub.url, await apiLogin(hub.url, ana.email, ana.password));
    const id = await inbound('Gift wrapping', 'Can you gift-wrap my order?');
    const position = await until(
      async () => (await request<{ state: string; position: number }>(`${hub.url}/api/v1/tickets/${id}/queue-position`, { apiKey: adminToken })).body,
      (p) => p.state === 'queued',
      10_000,
    );
    expect(position.position).toBe(1);

    await openTicket(page, 'all', id);
    await page.locator('[data-testid=queue-info]', { hasText: 'Position 1 of 1 in the queue' }).waitFor({ timeout: 10_000 });

    const dialog = await openTransfer(page);
    await dialog.locator(`label[data-agent-id="${ben.id}"]`).click();
    await dialog.locator('button[data-action=transfer-submit]').click();
    // Nobody holds a queued ticket, so there is nothing to hand from one agent to another: 409.
    const problem = dialog.locator('[data-testid=problem]');
    await problem.waitFor({ timeout: 10_000 });
    expect(await problem.innerText()).toMatch(/Conflict[\s\S]*The transfer did not happen: not held/);
    await page.screenshot({ path: path.join(screenshotDir(), 'console-transfer-refused.png') });
    expect((await detail(id)).ticket.assignee).toBeNull();
    expect(await dialog.isVisible()).toBe(true);

    // To a team instead: Billing, where Ben is online and gets it.
    await dialog.locator('label', { has: page.locator('input[data-mode=team]') }).click();
    await dialog.locator(`label[data-team-id="${billingId}"]`).click();
    await dialog.locator('button[data-action=transfer-submit]').click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    // Sam supervises Support only: the ticket is out of his sight, so the console goes back to the list.
    await handedOver(page, id, 'was transferred to Billing', 'all');
    await until(() => detail(id), (d) => d.ticket.assignee?.id === ben.id && d.ticket.team?.id === billingId, 15_000);
    await row(benTab.page, id).waitFor({ timeout: 15_000 });
  });
});
