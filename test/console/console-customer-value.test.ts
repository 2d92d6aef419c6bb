import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { until } from '../support/process';
import { createAgent, expectNoPageTrouble, newPage, signIn, startConsole, stopConsole, waitLive, type PageGuard } from './console.support';

/**
 * Customer value in the console: a supervisor imports orders from a CSV (the preview shows the
 * first rows and every bad row before anything is recorded), and the customer panel of a ticket
 * shows the tier (computed, or set by hand against the computed one), the stage with why and the
 * orders summary, in English and in Chinese.
 */
let hub: TestHub;
let browser: Browser;
let sup: Awaited<ReturnType<typeof createAgent>>;
let tab: { page: Page; guard: PageGuard };
const DAY = 86_400_000;
const ago = (d: number) => new Date(Date.now() - d * DAY).toISOString();

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-value'));
  sup = await createAgent(hub.url, { email: 'sue.value@test.example', name: 'Sue Value', role: 'supervisor' });
  tab = await newPage(browser);
  await signIn(tab.page, hub.url, sup.email, sup.password);
  await waitLive(tab.page);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(tab));

test('the CSV import previews the first rows and the bad ones, and records only on confirm', async () => {
  const page = tab.page;
  await page.locator('a[data-view=contacts]').click();
  const tools = page.locator('[data-testid=orders-import]');
  await tools.waitFor();
  const csv = [
    'order_id,email,name,amount,currency,ordered_at',
    `V-1,ada.value@example.org,Ada Value,100,CNY,${ago(70)}`,
    `V-2,ada.value@example.org,Ada Value,200,CNY,${ago(40)}`,
    `V-3,ada.value@example.org,Ada Value,abc,CNY,${ago(20)}`,
    `V-4,ada.value@example.org,Ada Value,300,CNY,${ago(10)}`,
    `V-5,not-an-email,Bob,10,CNY,${ago(5)}`,
    `V-6,bo.value@example.org,Bo Value,10,CNY,${ago(130)}`,
    `V-7,bo.value@example.org,Bo Value,20,CNY,${ago(100)}`,
  ].join('\n');
  await tools.locator('[data-testid=orders-file]').setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await tools.locator('button[data-action=orders-check]').click();
  const summary = tools.locator('[data-testid=orders-check-summary]');
  await summary.waitFor();
  expect(await summary.innerText()).toBe('7 row(s): 5 valid, 2 with errors, 0 already imported.');
  const previewRows = tools.locator('[data-testid=orders-preview-table] tbody tr');
  expect(await previewRows.count()).toBe(7);
  expect(await previewRows.nth(0).innerText()).toContain('ada.value@example.org');
  expect(await tools.locator('[data-testid=orders-preview-table] tr.row-error').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row')))).toEqual(['3', '5']);
  expect(await tools.locator('[data-testid=orders-preview-table] tr[data-row="3"] td.cell-error').innerText()).toBe('abc');
  const errors = tools.locator('[data-testid=orders-errors] tbody tr');
  expect(await errors.evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-row'), r.getAttribute('data-field')]))).toEqual([
    ['3', 'amount'],
    ['5', 'email'],
  ]);
  // Nothing recorded by the check.
  expect(await hub.models.Ticket.db.collection('orders').countDocuments()).toBe(0);

  const confirm = tools.locator('button[data-action=orders-confirm]');
  expect(await confirm.innerText()).toBe('Import 5 order(s)');
  await confirm.click();
  const done = tools.locator('[data-testid=orders-import-done]');
  await done.waitFor();
  expect(await done.innerText()).toBe('Imported 5 order(s); 0 already there; 2 row(s) with errors left out.');
  expect(await hub.models.Ticket.db.collection('orders').countDocuments()).toBe(5);
});

test("the customer panel shows the tier (computed, then set by hand), the stage with why and the orders summary, in English and Chinese", async () => {
  const job = await request<{ jobId: string }>(`${hub.url}/api/v1/value/recompute`, { apiKey: sup.adminToken, body: {} });
  await until(() => request<{ state: string }>(`${hub.url}/api/v1/value/jobs/${job.body.jobId}`, { apiKey: sup.adminToken }), (r) => r.body.state === 'completed', 30_000);
  const { ticketId } = (
    await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, { body: { externalId: 'value-panel-1', from: { address: 'ada.value@example.org', name: 'Ada Value', kind: 'email' }, subject: 'Order question', text: 'Where is my order?' } })
  ).body;

  const page = tab.page;
  await page.goto(`${hub.url}/console/all/tickets/${ticketId}`);
  const card = page.locator('[data-testid=customer-value]');
  await card.waitFor({ timeout: 15_000 });
  // Ada: 3 orders, the most recent and the most spent of the two customers → R 3 · F 3 · M 3 → gold.
  expect(await card.locator('[data-testid=value-tier]').innerText()).toBe('Gold computed');
  expect(await card.locator('[data-testid=value-rfm]').innerText()).toBe('R 3 · F 3 · M 3');
  expect(await card.locator('[data-testid=value-stage]').innerText()).toBe('Forming');
  expect(await card.locator('[data-testid=value-why]').innerText()).toBe('Why: Forming: 3 orders, the first 70 day(s) ago (stable from 4 orders over 180 days).');
  expect(await card.locator('[data-testid=value-orders-summary]').innerText()).toMatch(/^3 order\(s\), CN¥600\.00 in total$/);
  expect(await card.locator('[data-testid=value-last-order]').innerText()).not.toBe('');

  // A person sets the tier by hand: the panel says so, with the computed one beside it.
  const contactId = (await request<{ contact: { id: string } }>(`${hub.url}/api/v1/tickets/${ticketId}`, { apiKey: sup.adminToken })).body.contact.id;
  expect((await request(`${hub.url}/api/v1/contacts/${contactId}`, { method: 'PATCH', apiKey: sup.adminToken, body: { tier: 'platinum' } })).status).toBe(200);
  await page.reload();
  await card.locator('[data-testid=value-tier][data-source=override]').waitFor({ timeout: 15_000 });
  expect(await card.locator('[data-testid=value-tier]').innerText()).toBe('Platinum set by hand (computed: Gold)');

  // The same panel in Chinese.
  await request(`${hub.url}/api/v1/users/${sup.id}`, { method: 'PATCH', apiKey: sup.adminToken, body: { locale: 'zh-CN' } });
  const zh = await newPage(browser, { locale: 'zh-CN' });
  try {
    await signIn(zh.page, hub.url, sup.email, sup.password);
    await zh.page.goto(`${hub.url}/console/all/tickets/${ticketId}`);
    const zhCard = zh.page.locator('[data-testid=customer-value]');
    await zhCard.locator('[data-testid=value-why]').waitFor({ timeout: 15_000 });
    expect(await zhCard.locator('h3').innerText()).toBe('客户价值');
    expect(await zhCard.locator('[data-testid=value-stage]').innerText()).toBe('形成期');
    expect(await zhCard.locator('[data-testid=value-why]').innerText()).toBe('原因: 形成期：3 单，首单在 70 天前（满 4 单且超过 180 天即为稳定期）。');
    expect(await zhCard.locator('[data-testid=value-orders-summary]').innerText()).toContain('3 单，合计');
    expectNoPageTrouble(zh);
  } finally {
    await zh.context.close();
  }
});

test('supervisors see the segments (sizes adding up to the base, best first) and export a segment as CSV', async () => {
  const page = tab.page;
  await page.goto(`${hub.url}/console/contacts`);
  const card = page.locator('[data-testid=segments]');
  await card.locator('[data-testid=segments-k]').fill('2');
  await card.locator('button[data-action=segments-compute]').click();
  const rows = card.locator('[data-testid=segments-table] tbody tr');
  await until(() => rows.count(), (n) => n === 2, 10_000);
  const sizes = (await rows.locator('[data-cell=size]').allInnerTexts()).map(Number);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(2);
  const href = await rows.first().locator('a').getAttribute('href');
  expect(href).toBe('/api/v1/value/segments/0/members.csv');
  // The export, with the console's own session: the best segment is Ada's.
  const csv = await page.evaluate(async (url) => (await fetch(url, { credentials: 'same-origin' })).text(), href!);
  const lines = csv.trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('ada.value@example.org');
});
