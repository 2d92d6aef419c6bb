import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { startDovecot, type TestDovecot } from '../support/dovecot';
import { request } from '../support/hub';
import { until } from '../support/process';
import {
  createAgent,
  ensureTeam,
  expectNoPageTrouble,
  expectNoSettingsScreen,
  expectRefusedAtFields,
  openSettingsScreen,
  screenshotDir,
  startAdminConsole,
  stopConsole,
  type PageGuard,
} from './console.support';

interface InstanceJson {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  settings: { address: string; displayName?: string; autoAcknowledge?: { enabled: boolean }; imap: { host: string; port: number; secure: boolean; user: string; folder: string }; smtp?: { host: string; port: number } | null };
  secrets: Record<string, { set: boolean }>;
  team: string | null;
  defaultType: string | null;
}

const ADDRESS = 'complaints@shop.example';
let hub: TestHub;
let browser: Browser;
let dovecot: TestDovecot;
let adminToken: string;
let agent: Awaited<ReturnType<typeof createAgent>>;
let billingId: string;
let admin: { context: BrowserContext; page: Page; guard: PageGuard };

const mailboxes = async () => (await request<{ items: InstanceJson[] }>(`${hub.url}/api/v1/channels`, { apiKey: adminToken })).body.items;
const screen = () => admin.page.locator('[data-testid=email-admin]');
const form = () => admin.page.locator('[data-testid=mailbox-form]');
const row = (name: string) => admin.page.locator(`[data-testid=mailboxes-table] tr[data-name="${name}"]`);
const notice = (text: string) => admin.page.locator('[data-testid=email-notice]', { hasText: text }).waitFor({ timeout: 10_000 });

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(ADDRESS, 'the-right-password');
  ({ hub, browser, agent, admin } = await startAdminConsole('con-email', { email: 'eve.email@test.example', name: 'Eve Agent' }));
  adminToken = agent.adminToken;
  billingId = await ensureTeam(hub.url, adminToken, 'Billing');
}, 120_000);
afterAll(async () => {
  await stopConsole(hub, browser);
  await dovecot?.stop();
});
afterEach(() => expectNoPageTrouble(admin));

describe('support mailboxes in Settings → Email', () => {
  test('agents have no email settings screen', async () => {
    await expectNoSettingsScreen(browser, hub.url, agent, 'email');
  });

  test('an address that is not one is refused next to its field, and no mailbox is made', async () => {
    await openSettingsScreen(admin.page, 'email');
    await screen().locator('text=No mailboxes yet.').waitFor();
    await admin.page.locator('button[data-action=mailbox-new]').click();
    await form().waitFor();
    await form().getByLabel('Name', { exact: true }).fill('Complaints');
    await form().getByLabel('Address', { exact: true }).fill('complaints-at-shop');
    await form().locator('#mailbox-imap-host').fill(dovecot.host);
    await form().locator('#mailbox-imap-user').fill(ADDRESS);
    await form().locator('button[data-action=mailbox-save]').click();
    const error = form().locator('[data-field-error="settings.address"]');
    await error.waitFor({ timeout: 10_000 });
    expect(await form().getByLabel('Address', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await form().getByLabel('Address', { exact: true }).getAttribute('aria-describedby')).toContain('mailbox-address-error');
    // The message stands in the address's own field row.
    expect(await form().locator('.field.invalid', { has: admin.page.locator('#mailbox-address') }).locator('[data-field-error]').count()).toBe(1);
    await expectRefusedAtFields(form(), 'settings.address');
    expect(await mailboxes()).toEqual([]);
  });

  test('an admin creates a mailbox with a wrong password: it shows unhealthy with the server’s reason, and the password is never shown', async () => {
    const f = form();
    await f.getByLabel('Address', { exact: true }).fill(ADDRESS);
    await f.getByLabel('Display name').fill('Shop Complaints');
    await f.locator('#mailbox-imap-port').fill(String(dovecot.imapPort));
    await f.getByLabel(/TLS from the start \(port 993\)/).uncheck();
    await f.locator('#mailbox-imapPassword').fill('a-wrong-password');
    await f.locator('#mailbox-team').selectOption({ label: 'Billing' });
    await f.getByLabel('Ticket type').selectOption('complaint');
    await f.getByLabel('Acknowledge new tickets automatically').check();
    await f.locator('button[data-action=mailbox-save]').click();
    await notice('Created the mailbox Complaints.');

    const [made] = await mailboxes();
    expect(made).toMatchObject({
      kind: 'email',
      name: 'Complaints',
      enabled: true,
      team: billingId,
      defaultType: 'complaint',
      settings: { address: ADDRESS, displayName: 'Shop Complaints', imap: { host: dovecot.host, port: dovecot.imapPort, secure: false, user: ADDRESS, folder: 'INBOX' } },
      secrets: { imapPassword: { set: true } },
    });
    expect(made?.settings.smtp ?? null).toBeNull();
    expect(made?.settings.autoAcknowledge?.enabled).toBe(true);
    expect(await row('Complaints').locator('[data-cell=address]').innerText()).toBe(ADDRESS);
    expect(await row('Complaints').locator('[data-cell=team]').innerText()).toBe('Billing');
    expect(await row('Complaints').locator('[data-cell=type]').innerText()).toBe('Complaint');

    // The list reads the health again by itself.
    const health = row('Complaints').locator('[data-cell=health][data-ok=false]');
    await health.waitFor({ timeout: 30_000 });
    expect(await health.innerText()).toMatch(/^Unhealthy: IMAP login refused.*AUTHENTICATIONFAILED/);
    expect(await row('Complaints').locator('[data-cell=last-sync]').innerText()).toBe('Never');
    await admin.page.screenshot({ path: path.join(screenshotDir(), 'console-email-admin.png') });

    await row('Complaints').locator('button[data-action=mailbox-edit]').click();
    await form().waitFor();
    expect(await form().locator('#mailbox-imapPassword').inputValue()).toBe('');
    await form().locator('text=Set. Leave empty to keep it.').first().waitFor();
    expect(await admin.page.content()).not.toContain('a-wrong-password');
  });

  test('the admin corrects the password: the mailbox turns healthy with a last sync, and its mail becomes tickets', async () => {
    await form().locator('#mailbox-imapPassword').fill('the-right-password');
    await form().getByLabel('Display name').fill('Complaints Desk');
    await form().locator('button[data-action=mailbox-save]').click();
    await notice('Saved Complaints.');
    const [saved] = await mailboxes();
    expect(saved?.settings.displayName).toBe('Complaints Desk');
    expect(saved?.team).toBe(billingId);
    // The acknowledgement stays on.
    expect(saved?.settings.autoAcknowledge?.enabled).toBe(true);

    await row('Complaints').locator('[data-cell=health][data-ok=true]').waitFor({ timeout: 30_000 });
    expect(await row('Complaints').locator('[data-cell=health]').innerText()).toBe('Healthy');
    expect(await row('Complaints').locator('[data-cell=last-sync]').innerText()).not.toBe('Never');

    await dovecot.append(
      ADDRESS,
      ['From: buyer@example.org', `To: ${ADDRESS}`, 'Subject: Broken lid', 'Message-ID: <lid-1@example.org>', 'Content-Type: text/plain; charset=utf-8', '', 'The lid arrived broken.', ''].join('\r\n'),
    );
    const ticket = await until(() => hub.models.Ticket.findOne({ origin: 'email:<lid-1@example.org>' }).lean(), (t) => t !== null, 30_000);
    expect(ticket).toMatchObject({ type: 'complaint' });
    // It opens in the mailbox's team (routing may then hand it to an online agent's team, which its timeline says).
    // A move's timeline entry may land just after the ticket's new team: read both until they agree.
    const opened = await until(
      async () => {
        const [now, moves] = await Promise.all([
          hub.models.Ticket.findById(ticket!._id).lean(),
          hub.models.TicketEvent.find({ ticket: ticket!._id, action: 'team' }).sort({ at: 1 }).lean(),
        ]);
        return { team: now?.team?.toString(), moves };
      },
      (r) => r.moves.length > 0 || r.team === billingId,
      10_000,
    );
    expect(opened.moves[0]?.from ?? opened.team).toBe(billingId);
  });

  test('turning the mailbox off and on, in Chinese, then deleting it', async () => {
    const page = admin.page;
    await row('Complaints').locator('button[data-action=mailbox-toggle]').click();
    await notice('Turned Complaints off.');
    expect(await row('Complaints').locator('[data-cell=state]').innerText()).toBe('Off');
    expect((await mailboxes())[0]?.enabled).toBe(false);

    await page.locator('[data-testid=lang-switch]').selectOption('zh-CN');
    await screen().locator('h1', { hasText: '邮件' }).waitFor();
    expect(await row('Complaints').locator('[data-cell=state]').innerText()).toBe('已停用');
    await row('Complaints').locator('button[data-action=mailbox-toggle]').click();
    await page.locator('[data-testid=email-notice]', { hasText: '已启用 Complaints。' }).waitFor({ timeout: 10_000 });
    await row('Complaints').locator('[data-cell=health][data-ok=true]').waitFor({ timeout: 30_000 });
    expect(await row('Complaints').locator('[data-cell=health]').innerText()).toBe('正常');
    await page.screenshot({ path: path.join(screenshotDir(), 'console-email-admin-zh.png') });
    await page.locator('[data-testid=lang-switch]').selectOption('en');

    await row('Complaints').locator('button[data-action=mailbox-delete]').click();
    await row('Complaints').locator('button[data-action=mailbox-confirm-delete]').click();
    await notice('Deleted Complaints.');
    await row('Complaints').waitFor({ state: 'detached' });
    expect(await mailboxes()).toEqual([]);
  });
});
