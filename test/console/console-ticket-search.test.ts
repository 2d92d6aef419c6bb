import type { Browser, Page } from 'playwright-core';
import { inbound, type TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { until } from '../support/process';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

let hub: TestHub;
let browser: Browser;
let agent: Awaited<ReturnType<typeof createAgent>>;
let tab: { page: Page; guard: PageGuard };
const ids: Record<string, string> = {};
const numbers: Record<string, number> = {};

const box = () => tab.page.locator('input[data-search=tickets]');
const results = () => tab.page.locator('[data-testid=search-results]');
const resultRows = () => results().locator('a.ticket-row');
const inboxRows = () => tab.page.locator('[data-testid=ticket-list] a.ticket-row');
const focusedSearch = () => tab.page.evaluate(() => document.activeElement?.getAttribute('data-search') ?? null);

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-search'));
  agent = await createAgent(hub.url, { email: 'sue.search@test.example', name: 'Sue Search' });
  // Routing gives her nothing: the tickets stay in Unassigned, where she finds them.
  await request(`${hub.url}/api/v1/users/${agent.id}`, { method: 'PATCH', apiKey: agent.adminToken, body: { maxConcurrent: { chat: 0, async: 0 } } });
  const tickets = [
    ['refund', 'Refund for invoice 7781', 'I was charged twice for invoice 7781.', 'olga.refund@example.org', 'Olga Refund'],
    ['courier', 'Courier never came', 'The parcel is still at the depot.', 'pete.parcel@example.org', 'Pete Parcel'],
    ['wrap', 'Gift wrapping', 'Can you wrap it? Also see invoice 7781 from my sister.', 'gina.gift@example.org', 'Gina Gift'],
  ] as const;
  for (const [key, subject, text, address, name] of tickets) {
    ids[key] = (await inbound(hub, { subject, text, from: { address, name, kind: 'email' } })).ticketId;
    const d = await request<{ ticket: { number: number } }>(`${hub.url}/api/v1/tickets/${ids[key]}`, { apiKey: agent.adminToken });
    numbers[key] = d.body.ticket.number;
  }
  tab = await openConsole(browser, hub.url, agent);
  await tab.page.locator('a[data-view=unassigned]').click();
  await until(() => inboxRows().count(), (n) => n === 3, 10_000);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(tab));

describe('the search box over the inbox', () => {
  test('/ focuses it; typing finds tickets by subject and message text, each with number, subject, customer and email', async () => {
    const page = tab.page;
    expect(await inboxRows().count()).toBe(3);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    expect(await focusedSearch()).toBe('tickets');
    // The "/" opened the box; it did not land in it.
    expect(await box().inputValue()).toBe('');

    await page.keyboard.type('invoice 7781');
    await results().locator('[data-testid=search-summary]', { hasText: '2 tickets found' }).waitFor();
    expect(await resultRows().count()).toBe(2);
    // The inbox's own list and its filters are out of the way while searching.
    expect(await page.locator('[data-testid=ticket-list]').count()).toBe(0);
    expect(await page.locator('.inbox .filters').isVisible()).toBe(false);
    const refund = results().locator(`a[data-ticket-id="${ids.refund}"]`);
    expect(await refund.locator('[data-field=number]').innerText()).toBe(`#${numbers.refund}`);
    expect(await refund.locator('[data-field=subject]').innerText()).toBe('Refund for invoice 7781');
    expect(await refund.locator('[data-field=contact]').innerText()).toBe('Olga Refund');
    expect(await refund.locator('[data-field=email]').innerText()).toBe('olga.refund@example.org');
    // Found by a message's text, not its subject.
    expect(await results().locator(`a[data-ticket-id="${ids.wrap}"] [data-field=email]`).innerText()).toBe('gina.gift@example.org');
    expect(await results().locator(`a[data-ticket-id="${ids.courier}"]`).count()).toBe(0);
  });

  test('a ticket number finds that ticket; nothing found says so', async () => {
    await box().fill(`#${numbers.courier}`);
    await results().locator('[data-testid=search-summary]', { hasText: '1 tickets found' }).waitFor();
    expect(await resultRows().first().getAttribute('data-ticket-id')).toBe(ids.courier);
    await box().fill('no such words anywhere');
    await results().locator('[data-testid=search-summary]', { hasText: 'No ticket matches “no such words anywhere”.' }).waitFor();
    expect(await resultRows().count()).toBe(0);
  });

  test('a result opens its ticket; clearing the box brings the inbox back (× and Esc)', async () => {
    const page = tab.page;
    await box().fill('Courier');
    await results().locator(`a[data-ticket-id="${ids.courier}"]`).click();
    await page.locator(`[data-testid=ticket-view][data-ticket-id="${ids.courier}"]`).waitFor();
    expect(await page.locator('[data-testid=ticket-subject]').innerText()).toBe('Courier never came');
    // The results stay while the ticket is open, the row marked.
    expect(await results().locator(`a[data-ticket-id="${ids.courier}"]`).getAttribute('aria-current')).toBe('true');

    await page.locator('button[data-action=search-clear]').click();
    await inboxRows().first().waitFor();
    expect(await inboxRows().count()).toBe(3);
    expect(await results().count()).toBe(0);
    expect(await box().inputValue()).toBe('');
    expect(await page.locator('.inbox .filters').isVisible()).toBe(true);

    await box().fill('Gift');
    await resultRows().first().waitFor();
    await box().press('Escape');
    await inboxRows().first().waitFor();
    expect(await results().count()).toBe(0);
  });

  test('the shortcuts help lists /', async () => {
    const page = tab.page;
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    const help = page.locator('[data-testid=shortcuts]');
    await help.waitFor();
    expect(await help.innerText()).toContain('Search tickets or contacts (outside the reply box)');
    await help.locator('button').click();
  });
});
