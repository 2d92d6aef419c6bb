import type { Browser, Page } from 'playwright-core';
import { inbound, type TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { until } from '../support/process';
import { apiLogin, createAgent, createTeamUser, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

interface ContactJson {
  id: string;
  name: string;
  identities: Array<{ kind: string; value: string }>;
  tags: string[];
  tier: string | null;
  mergedInto: string | null;
}

let hub: TestHub;
let browser: Browser;
let agent: Awaited<ReturnType<typeof createAgent>>;
let adminToken: string;
let tab: { page: Page; guard: PageGuard };
/** Mia's tickets: one by email, one through the API with the same address. */
const mia: { email: string; api: string; contactId: string } = { email: '', api: '', contactId: '' };

const contactOf = async (id: string) => (await request<{ contact: ContactJson; tickets: Array<{ id: string }> }>(`${hub.url}/api/v1/contacts/${id}`, { apiKey: adminToken })).body;
const ticketContact = async (ticketId: string) =>
  (await request<{ contact: ContactJson }>(`${hub.url}/api/v1/tickets/${ticketId}`, { apiKey: adminToken })).body.contact;
const directory = () => tab.page.locator('[data-testid=contacts-directory]');
const rows = () => directory().locator('[data-testid=contacts-table] tbody tr');
const contactPage = () => tab.page.locator('[data-testid=contact-page]');

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-contacts'));
  agent = await createAgent(hub.url, { email: 'dora.directory@test.example', name: 'Dora Directory' });
  adminToken = agent.adminToken;
  // Routing gives her nothing: every ticket stays unassigned in her team, so she sees them all.
  await request(`${hub.url}/api/v1/users/${agent.id}`, { method: 'PATCH', apiKey: adminToken, body: { maxConcurrent: { chat: 0, async: 0 } } });
  for (let i = 1; i <= 22; i += 1) {
    const n = String(i).padStart(2, '0');
    await inbound(hub, { subject: `Question ${n}`, from: { address: `dir-${n}@example.org`, name: `Dir Customer ${n}`, kind: 'email' } });
  }
  mia.email = (await inbound(hub, { channel: 'email', subject: 'Broken kettle', text: 'My kettle leaks.', from: { address: 'mia.multi@example.org', name: 'Mia Multi' } })).ticketId;
  mia.api = (await inbound(hub, { subject: 'Kettle replacement status', text: 'Any news?', from: { address: 'mia.multi@example.org', name: 'Mia Multi', kind: 'email' } })).ticketId;
  mia.contactId = (await ticketContact(mia.email)).id;
  tab = await openConsole(browser, hub.url, agent);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(tab));

describe('the contacts directory', () => {
  test('a view next to the inbox: the first page of contacts, newest first, then the next pages by cursor', async () => {
    const page = tab.page;
    await page.locator('a[data-view=contacts]').click();
    await page.waitForURL(/\/console\/contacts$/);
    await rows().first().waitFor();
    expect(await rows().count()).toBe(20);
    expect(await rows().first().locator('td').first().innerText()).toBe('Mia Multi');
    expect(await rows().first().locator('[data-cell=identities]').innerText()).toBe('mia.multi@example.org');
    await directory().locator('button[data-action=contacts-more]').click();
    await until(() => rows().count(), (n) => n === 23, 10_000);
    const names = await rows().locator('td:first-child').allInnerTexts();
    expect(new Set(names).size).toBe(23);
    expect(names).toContain('Dir Customer 01');
    // Nothing after the last page.
    expect(await directory().locator('button[data-action=contacts-more]').count()).toBe(0);
  });

  test('search by name or address: / focuses the box, the list narrows to the matches', async () => {
    const page = tab.page;
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-search') ?? null)).toBe('contacts');
    await page.keyboard.type('dir-1');
    // dir-10 … dir-19
    await until(() => rows().count(), (n) => n === 10, 10_000);
    expect(await rows().first().locator('[data-cell=identities]').innerText()).toMatch(/^dir-1\d@example\.org$/);
    await directory().locator('input[data-search=contacts]').fill('kettle person');
    await directory().locator('[data-testid=contacts-empty]', { hasText: 'No contact matches “kettle person”.' }).waitFor();
    await directory().locator('input[data-search=contacts]').fill('MIA.multi');
    await until(() => rows().count(), (n) => n === 1, 10_000);
  });

  test('a contact: their identities and their tickets across channels; a ticket opens from there', async () => {
    const page = tab.page;
    await rows().first().locator('a[data-action=contact-open]').click();
    await page.waitForURL(new RegExp(`/console/contacts/${mia.contactId}$`));
    await contactPage().waitFor();
    expect(await contactPage().locator('[data-testid=contact-name]').innerText()).toBe('Mia Multi');
    expect(await contactPage().locator('[data-testid=contact-identities] li').allInnerTexts()).toEqual(['Email mia.multi@example.org']);
    const tickets = contactPage().locator('[data-testid=contact-tickets] li');
    await until(() => tickets.count(), (n) => n === 2, 10_000);
    const email = contactPage().locator(`[data-testid=contact-tickets] li[data-ticket-id="${mia.email}"]`);
    expect(await email.innerText()).toContain('Broken kettle');
    expect(await email.locator('.badge').first().innerText()).toContain('Email');
    expect(await contactPage().locator(`[data-testid=contact-tickets] li[data-ticket-id="${mia.api}"] .badge`).first().innerText()).toContain('API');

    await email.locator('a[data-action=ticket-open]').click();
    await page.locator(`[data-testid=ticket-view][data-ticket-id="${mia.email}"]`).waitFor();
    expect(await page.locator('[data-testid=ticket-subject]').innerText()).toBe('Broken kettle');
    // Back in the inbox's layout: the nav's Contacts is no longer the current view.
    expect(await page.locator('a[data-view=contacts]').getAttribute('aria-current')).toBeNull();
    await page.goBack();
    await contactPage().waitFor();
  });
});

describe('editing a contact', () => {
  const form = () => contactPage().locator('[data-testid=contact-form]');

  test('a name too long and a tag too long: the API’s errors stand next to those fields; nothing changes', async () => {
    const page = tab.page;
    await page.goto(`${hub.url}/console/contacts/${mia.contactId}`);
    await contactPage().waitFor();
    await contactPage().locator('button[data-action=contact-edit]').click();
    await form().waitFor();
    expect(await form().getByLabel('Name').inputValue()).toBe('Mia Multi');
    await form().getByLabel('Name').fill('M'.repeat(201));
    await form().getByLabel('Tags').fill(`kettle, ${'x'.repeat(60)}`);
    await form().locator('button[data-action=contact-save]').click();

    const nameError = form().locator('[data-field-error=name]');
    await nameError.waitFor({ timeout: 10_000 });
    expect(await nameError.innerText()).toContain('200');
    expect(await form().locator('[data-field-error=tags]').innerText()).toContain('50');
    expect(await form().locator('[data-field-error=tier]').count()).toBe(0);
    expect(await form().getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    // Focus on the first field at fault.
    await until(() => page.evaluate(() => document.activeElement?.getAttribute('name') ?? null), (n) => n === 'name', 5000);
    const stored = (await contactOf(mia.contactId)).contact;
    expect([stored.name, stored.tags]).toEqual(['Mia Multi', []]);
    // Fixing a field takes its error away.
    await form().getByLabel('Name').fill('Mia Multiple');
    expect(await nameError.count()).toBe(0);
    expect(await form().locator('[data-field-error=tags]').count()).toBe(1);
  });

  test('name and tags are saved and shown; an agent sees the tier override but may not change it (supervisors and admins do)', async () => {
    const page = tab.page;
    expect(await form().getByLabel('Value tier').isDisabled()).toBe(true);
    expect(await form().innerText()).toContain('Only supervisors and admins may override the tier.');
    await form().getByLabel('Tags').fill('vip, kettle, vip');
    await form().locator('button[data-action=contact-save]').click();
    await contactPage().locator('[data-testid=contact-notice]', { hasText: 'Saved.' }).waitFor({ timeout: 10_000 });
    expect(await form().count()).toBe(0);
    expect(await contactPage().locator('[data-testid=contact-name]').innerText()).toBe('Mia Multiple');
    expect(await contactPage().locator('[data-testid=contact-tags] .tag').allInnerTexts()).toEqual(['vip', 'kettle']);
    expect((await contactOf(mia.contactId)).contact.tier).toBeNull();

    // An admin sets the override: the agent sees it, and saving her edit keeps it.
    expect((await request(`${hub.url}/api/v1/contacts/${mia.contactId}`, { method: 'PATCH', apiKey: adminToken, body: { tier: 'gold' } })).status).toBe(200);
    await page.reload();
    await contactPage().locator('[data-testid=contact-tier]', { hasText: 'Gold' }).waitFor({ timeout: 10_000 });
    await contactPage().locator('button[data-action=contact-edit]').click();
    expect(await form().getByLabel('Value tier').inputValue()).toBe('gold');
    expect(await form().getByLabel('Value tier').isDisabled()).toBe(true);
    await form().getByLabel('Tags').fill('vip, kettle, warranty');
    await form().locator('button[data-action=contact-save]').click();
    await form().waitFor({ state: 'detached', timeout: 10_000 });
    const stored = (await contactOf(mia.contactId)).contact;
    expect([stored.name, stored.tags, stored.tier]).toEqual(['Mia Multiple', ['vip', 'kettle', 'warranty'], 'gold']);
  });
});

describe('merging two profiles of one customer (supervisors and admins)', () => {
  let phoneTicket: string;
  let phoneContact: string;
  let sup: { page: Page; guard: PageGuard };
  beforeAll(async () => {
    phoneTicket = (await inbound(hub, { channel: 'sms', text: 'Kettle still leaking, any update?', from: { address: '+49 151 1234 5678', name: 'Mia M.' } })).ticketId;
    phoneContact = (await ticketContact(phoneTicket)).id;
    const supervisor = await createTeamUser(hub.url, adminToken, { email: 'sam.sup@test.example', name: 'Sam Supervisor', teams: [agent.teamId], role: 'supervisor' });
    sup = await openConsole(browser, hub.url, supervisor);
  });
  afterEach(() => expectNoPageTrouble(sup));

  test('an agent has no merge button, and the API refuses the agent (403)', async () => {
    await tab.page.goto(`${hub.url}/console/contacts/${mia.contactId}`);
    await contactPage().locator('button[data-action=contact-edit]').waitFor();
    expect(await contactPage().locator('button[data-action=contact-merge]').count()).toBe(0);
    const agentToken = await apiLogin(hub.url, agent.email, agent.password);
    const res = await request(`${hub.url}/api/v1/contacts/${mia.contactId}/merge`, { apiKey: agentToken, body: { sourceContactId: phoneContact } });
    expect(res.status).toBe(403);
    expect((await contactOf(phoneContact)).contact.mergedInto).toBeNull();
  });

  test('a supervisor picks the other profile by search, confirms, and the contact shows both identities and all tickets', async () => {
    const page = sup.page;
    await page.goto(`${hub.url}/console/contacts/${mia.contactId}`);
    const pageOf = page.locator('[data-testid=contact-page]');
    await pageOf.locator('button[data-action=contact-merge]').click();
    const dialog = page.locator('[data-testid=contact-merge-dialog]');
    await dialog.waitFor();
    expect(await dialog.locator('h2').innerText()).toBe('Merge another profile into Mia Multiple');
    await dialog.locator('input[name=contact-search]').fill('Mia');
    const candidate = dialog.locator(`[data-testid=contact-merge-candidates] label[data-contact-id="${phoneContact}"]`);
    await candidate.waitFor();
    // The contact itself is not offered.
    expect(await dialog.locator(`label[data-contact-id="${mia.contactId}"]`).count()).toBe(0);
    expect(await candidate.innerText()).toContain('+4915112345678');
    await candidate.click();
    await dialog.locator('button[data-action=contact-merge-next]').click();
    expect(await dialog.locator('[data-testid=contact-merge-confirm]').innerText()).toContain('Merge Mia M. into Mia Multiple?');
    // Nothing happens before the confirmation.
    expect((await contactOf(phoneContact)).contact.mergedInto).toBeNull();
    await dialog.locator('button[data-action=contact-merge-confirm]').click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });

    await pageOf.locator('[data-testid=contact-notice]', { hasText: 'Merged Mia M. into this contact.' }).waitFor();
    const identities = pageOf.locator('[data-testid=contact-identities] li');
    await until(() => identities.count(), (n) => n === 2, 10_000);
    expect(await identities.allInnerTexts()).toEqual(['Email mia.multi@example.org', 'Phone +4915112345678']);
    const tickets = pageOf.locator('[data-testid=contact-tickets] li');
    await until(() => tickets.count(), (n) => n === 3, 10_000);
    expect(await pageOf.locator(`[data-testid=contact-tickets] li[data-ticket-id="${phoneTicket}"]`).innerText()).toContain('SMS');
    expect((await contactOf(phoneContact)).contact.mergedInto).toBe(mia.contactId);
    // The merged-away profile is no longer in the directory.
    await page.goto(`${hub.url}/console/contacts`);
    await page.locator('[data-testid=contacts-directory] input[data-search=contacts]').fill('Mia');
    await until(() => page.locator('[data-testid=contacts-table] tbody tr').count(), (n) => n === 1, 10_000);
    expect(await page.locator('[data-testid=contacts-table] tbody tr').getAttribute('data-contact-id')).toBe(mia.contactId);
  });
});
