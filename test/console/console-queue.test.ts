import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { until } from '../support/process';
import {
  apiLogin,
  createAgent,
  expectNoPageTrouble,
  markDocument,
  openConsole,
  sameDocument,
  screenshotDir,
  startConsole,
  stepAway,
  stopConsole,
  type PageGuard,
} from './console.support';

interface QueuePosition {
  state: string;
  position: number;
  queueLength: number;
  expectedWaitMs: number | null;
}

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let quinn: Awaited<ReturnType<typeof createAgent>>;
let page: Page;
let guard: PageGuard;

const position = async (id: string) => (await request<QueuePosition>(`${hub.url}/api/v1/tickets/${id}/queue-position`, { apiKey: adminToken })).body;
const row = (id: string) => page.locator(`.ticket-list a[data-ticket-id="${id}"]`);

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-queue'));
  quinn = await createAgent(hub.url, { email: 'quinn.queue@test.example', name: 'Quinn Queue' });
  adminToken = quinn.adminToken;
  ({ page, guard } = await openConsole(browser, hub.url, quinn));
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble({ guard }));

test('a waiting ticket shows its place in the queue, moves up live when the one ahead leaves, and the info goes once an agent has it', async () => {
  // Quinn is away: nobody in Support takes work, so new tickets wait in the queue.
  await stepAway(page, hub.url, await apiLogin(hub.url, quinn.email, quinn.password));

  const ids: string[] = [];
  for (const n of [1, 2, 3]) {
    const res = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
      body: { externalId: `queue-${n}`, from: { address: `waiting${n}@example.com`, name: `Waiting Customer ${n}` }, subject: `Account question ${n}`, text: 'How do I change the email address on my account?' },
    });
    expect(res.status).toBe(201);
    ids.push(res.body.ticketId);
    // Queued one after the other, so the queue's order is the order they came in.
    await until(() => position(res.body.ticketId), (p) => p.state === 'queued', 10_000);
  }
  const [first, second, third] = ids as [string, string, string];
  expect(await position(second)).toMatchObject({ state: 'queued', position: 2, queueLength: 3, expectedWaitMs: null });

  await page.locator('a[data-view=unassigned]').click();
  await row(second).waitFor({ timeout: 10_000 });
  await row(second).click();
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${second}"]`).waitFor();
  const info = page.locator('[data-testid=queue-info]');
  await info.waitFor({ timeout: 10_000 });
  expect(await info.getAttribute('data-position')).toBe('2');
  const text = await info.innerText();
  expect(text).toContain('Position 2 of 3 in the queue');
  expect(text).toContain('(Support)');
  // Nobody who could take it is online, so there is no wait to promise.
  expect(text).toContain('No agent who can take it is online right now');
  await page.screenshot({ path: path.join(screenshotDir(), 'console-queue.png') });
  await markDocument(page);

  // The ticket ahead is resolved: the team's routing event moves this one up, without a reload,
  // well before the 15 s poll would have.
  const resolved = await request(`${hub.url}/api/v1/tickets/${first}`, { method: 'PATCH', apiKey: adminToken, body: { status: 'resolved' } });
  expect(resolved.status).toBe(200);
  await page.locator('[data-testid=queue-info][data-position="1"]', { hasText: 'Position 1 of 2 in the queue' }).waitFor({ timeout: 8000 });
  expect(await position(second)).toMatchObject({ position: 1, queueLength: 2 });
  expect(await sameDocument(page)).toBe('yes');

  // In Chinese too.
  await page.locator('[data-testid=lang-switch]').selectOption('zh-CN');
  await page.locator('[data-testid=queue-info]', { hasText: '排队第 1 位，共 2 位' }).waitFor();
  expect(await info.innerText()).toContain('目前没有可接待的客服在线');
  await page.locator('[data-testid=lang-switch]').selectOption('en');

  // Quinn comes online: routing hands her the queue; the ticket is hers and the queue info goes.
  await page.locator('.presence-btn.presence-online').click();
  await page.locator('[data-testid=assignee]', { hasText: 'Quinn Queue' }).waitFor({ timeout: 15_000 });
  await info.waitFor({ state: 'detached', timeout: 10_000 });
  await until(() => position(third), (p) => p.state === 'assigned', 10_000);
});
