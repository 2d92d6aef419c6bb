import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { inbound, type TestHub } from '../support/desk.fixtures';
import { request, TEST_ADMIN } from '../support/hub';
import { until } from '../support/process';
import { createTeamUser, ensureTeam, expectNoPageTrouble, newPage, screenshotDir, signIn, startConsole, stopConsole, waitLive, type PageGuard } from './console.support';

/** The customer data and names on these screens (everything else an agent reads is the console's own words). */
const DATA = ['wang.lei@example.cn', 'wang.lei.2@example.cn', 'li.mei@example.cn', 'nobody-like-this', 'DEFAULT_TEAM', 'Support', 'Administrator'];

/** English words left in `text` once the data (customers, the searched text, team and people's names, the DEFAULT_TEAM setting) and API are taken out. */
function englishWords(text: string): string[] {
  let rest = text;
  for (const d of DATA) rest = rest.split(d).join(' ');
  return (rest.match(/[A-Za-z]{2,}/g) ?? []).filter((w) => w !== 'API');
}
/** What the agent reads in `l`: its text, and the placeholders and labels of its fields. */
async function reads(l: Locator): Promise<string> {
  const attrs = await l.evaluate((el) =>
    Array.from(el.querySelectorAll('input, select, button')).flatMap((x) => [x.getAttribute('placeholder') ?? '', x.getAttribute('aria-label') ?? '']).join(' '),
  );
  return `${await l.innerText()} ${attrs}`;
}
async function expectChinese(l: Locator): Promise<void> {
  const text = await reads(l);
  expect([text, englishWords(text)]).toEqual([text, []]);
}

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let supportId: string;
let tab: { page: Page; guard: PageGuard };
const shot = (name: string) => tab.page.screenshot({ path: path.join(screenshotDir(), `console-zh-${name}.png`) });

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-agent-zh'));
  const adminLogin = await request<{ token: string }>(`${hub.url}/api/v1/auth/login`, { body: TEST_ADMIN, apiKey: null });
  adminToken = adminLogin.body.token;
  supportId = await ensureTeam(hub.url, adminToken, 'Support');
  const sup = await createTeamUser(hub.url, adminToken, { email: 'zhao.lin@test.example', name: '赵琳', teams: [supportId], role: 'supervisor' });
  await request(`${hub.url}/api/v1/users/${sup.id}`, { method: 'PATCH', apiKey: adminToken, body: { maxConcurrent: { chat: 0, async: 0 }, locale: 'zh-CN' } });
  await inbound(hub, { subject: '发票重复扣款', text: '同一张发票扣了两次款。', from: { address: 'wang.lei@example.cn', name: '王磊', kind: 'email' } });
  await inbound(hub, { subject: '发票问题补充', text: '补充一下发票的情况。', from: { address: 'wang.lei@example.cn', name: '王磊', kind: 'email' } });
  await inbound(hub, { subject: '换货进度', text: '换货到哪一步了？', from: { address: 'wang.lei.2@example.cn', name: '王磊', kind: 'email' } });
  await inbound(hub, { subject: '快递延误', text: '快递一周没到。', from: { address: 'li.mei@example.cn', name: '李梅', kind: 'email' } });
  tab = await newPage(browser, { locale: 'zh-CN' });
  await signIn(tab.page, hub.url, sup.email, sup.password);
  await waitLive(tab.page);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(tab));

describe('the agent screens in zh-CN have no English outside customer data', () => {
  test('search box and results, bulk bar and its result', async () => {
    const page = tab.page;
    await page.locator('a[data-view=unassigned]').click();
    await until(() => page.locator('[data-testid=ticket-list] a.ticket-row').count(), (n) => n === 4, 10_000);
    const inbox = page.locator('section.inbox');
    await page.locator('input[data-select]').first().click();
    await page.locator('input[data-select]').nth(1).click();
    await page.locator('[data-testid=bulk-count]', { hasText: '已选 2 个' }).waitFor();
    await expectChinese(inbox);
    await page.locator('select[data-bulk=status]').selectOption('pending');
    await page.locator('[data-testid=bulk-result]', { hasText: '已更新 2 个。' }).waitFor({ timeout: 10_000 });
    await expectChinese(page.locator('[data-testid=bulk-bar]'));

    await page.locator('input[data-search=tickets]').fill('发票');
    await page.locator('[data-testid=search-summary]', { hasText: '找到 2 个工单' }).waitFor({ timeout: 10_000 });
    await expectChinese(inbox);
    await shot('search');
    await page.locator('button[data-action=search-clear]').click();
  });

  test('ticket merge dialog', async () => {
    const page = tab.page;
    await page.locator('[data-testid=ticket-list] a.ticket-row', { hasText: '发票问题补充' }).click();
    await page.locator('[data-testid=ticket-view]').waitFor();
    await expectChinese(page.locator('[data-testid=ticket-view] .ticket-controls'));
    await page.locator('button[data-action=ticket-merge]').click();
    const dialog = page.locator('[data-testid=ticket-merge-dialog]');
    await dialog.locator('[data-testid=merge-same-contact] label[data-ticket-id]').first().waitFor({ timeout: 10_000 });
    await expectChinese(dialog);
    await dialog.locator('[data-testid=merge-same-contact] label[data-ticket-id]').first().click();
    await dialog.locator('button[data-action=ticket-merge-next]').click();
    await expectChinese(dialog);
    await dialog.locator('button[data-action=ticket-merge-confirm]').click();
    await page.locator('[data-testid=merged-into]').waitFor({ timeout: 10_000 });
    await expectChinese(page.locator('[data-testid=merged-into]'));
    await expectChinese(page.locator('[data-testid=merge-notice]'));
  });

  test('contacts directory, a contact, its edit form with a field error, the merge dialog', async () => {
    const page = tab.page;
    await page.locator('a[data-view=contacts]').click();
    const directory = page.locator('[data-testid=contacts-directory]');
    await until(() => directory.locator('tbody tr').count(), (n) => n === 3, 10_000);
    await expectChinese(directory);
    await directory.locator('input[data-search=contacts]').fill('nobody-like-this');
    await directory.locator('[data-testid=contacts-empty]').waitFor();
    await expectChinese(directory.locator('[data-testid=contacts-empty]'));
    await directory.locator('input[data-search=contacts]').fill('wang.lei@');
    await until(() => directory.locator('tbody tr').count(), (n) => n === 1, 10_000);
    await directory.locator('a[data-action=contact-open]').click();
    const contact = page.locator('[data-testid=contact-page]');
    await contact.locator('[data-testid=contact-tickets] li').first().waitFor();
    await expectChinese(contact);

    await contact.locator('button[data-action=contact-edit]').click();
    const form = contact.locator('[data-testid=contact-form]');
    await form.locator('input[name=name]').fill('王'.repeat(201));
    await form.locator('button[data-action=contact-save]').click();
    await form.locator('[data-field-error=name]').waitFor({ timeout: 10_000 });
    expect(await form.locator('[data-field-error=name]').innerText()).toBe('过长或过大。');
    await expectChinese(form);
    await shot('contact-edit');
    await form.locator('button', { hasText: '取消' }).click();

    await contact.locator('button[data-action=contact-merge]').click();
    const merge = page.locator('[data-testid=contact-merge-dialog]');
    await merge.locator('input[name=contact-search]').fill('王磊');
    await merge.locator('[data-testid=contact-merge-candidates] label').first().waitFor({ timeout: 10_000 });
    await expectChinese(merge);
    await merge.locator('[data-testid=contact-merge-candidates] label').first().click();
    await merge.locator('button[data-action=contact-merge-next]').click();
    await expectChinese(merge);
    await merge.locator('button[data-action=contact-merge-confirm]').click();
    await contact.locator('[data-testid=contact-notice]').waitFor({ timeout: 10_000 });
    await until(() => contact.locator('[data-testid=contact-identities] li').count(), (n) => n === 2, 10_000);
    await expectChinese(contact);
    await shot('contact');
  });

  test('Settings → Teams: why a team cannot be deleted', async () => {
    const { context, page, guard } = await newPage(browser, { locale: 'zh-CN' });
    // The admin's account speaks English: they picked 中文 with the language switch before.
    await context.addInitScript(() => localStorage.setItem('omnihub.console.lang', 'zh-CN'));
    await signIn(page, hub.url, TEST_ADMIN.email, TEST_ADMIN.password);
    await page.goto(`${hub.url}/console/settings/teams`);
    const row = page.locator(`[data-testid=teams-table] tr[data-team-id="${supportId}"]`);
    await row.locator('button[data-action=team-delete]').click();
    await row.locator('button[data-action=team-confirm-delete]').click();
    const refusal = page.locator('[data-testid=team-in-use]');
    await refusal.waitFor({ timeout: 10_000 });
    const text = await refusal.innerText();
    expect([text, englishWords(text)]).toEqual([text, []]);
    expect(await refusal.innerText()).toContain('这是新工单的默认团队');
    expect(guard.errors).toEqual([]);
    await context.close();
  });
});
