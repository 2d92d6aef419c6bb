import type { Browser, Page } from 'playwright-core';
import { inbound, type TestHub } from '../support/desk.fixtures';
import { until } from '../support/process';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * Duplicate suggestions in the console: an agent marks a suggestion as a duplicate of another
 * (picked by number), sees the original named on it and the duplicate listed on the original,
 * then unlinks it and it is gone from the list.
 */

jest.setTimeout(180_000);

let hub: TestHub;
let browser: Browser;
let page: Page;
let guard: PageGuard;

beforeAll(async () => {
  ({ hub, browser } = await startConsole('console-suggestion-duplicates'));
  const agent = await createAgent(hub.url, { email: 'sue.suggest@test.example', name: 'Sue Suggest' });
  ({ page, guard } = await openConsole(browser, hub.url, agent));
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble({ guard }));

const idea = (from: string, name: string, text: string) => inbound(hub, { from: { address: from, name }, subject: 'Night mode', text, chosenType: 'suggestion' });

async function open(ticketId: string): Promise<void> {
  await page.goto(`${hub.url}/console/mine/tickets/${ticketId}`);
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${ticketId}"] [data-testid=suggestion-links]`).waitFor();
}

test('link a suggestion to its original by number, see it on both, unlink it', async () => {
  const original = await idea('olga.idea@example.org', 'Olga', 'Please add a night mode.');
  const dup = await idea('pete.idea@example.org', 'Pete', 'A dark theme for the evening would be nice.');
  const number = async (id: string) => (await hub.models.Ticket.findById(id).lean())!.number;
  const [originalNo, dupNo] = [await number(original.ticketId), await number(dup.ticketId)];

  await open(dup.ticketId);
  await page.locator('button[data-action=suggestion-link]').click();
  const dialog = page.locator('[data-testid=suggestion-link-dialog]');
  await dialog.locator('input[type=search]').fill(`#${originalNo}`);
  const row = dialog.locator(`label[data-ticket-id="${original.ticketId}"]`);
  await row.click();
  // The suggestion itself is never offered as its own original.
  expect(await dialog.locator(`label[data-ticket-id="${dup.ticketId}"]`).count()).toBe(0);
  await dialog.locator('button[data-action=suggestion-link-confirm]').click();
  await dialog.waitFor({ state: 'detached' });

  const named = page.locator('[data-testid=suggestion-original]');
  await named.locator(`a[data-ticket-id="${original.ticketId}"]`).waitFor();
  expect(await named.innerText()).toContain(`Duplicate of #${originalNo} Night mode`);
  const stored = await hub.models.Ticket.findById(dup.ticketId).lean();
  expect(stored?.suggestion?.duplicateOf?.toString()).toBe(original.ticketId);

  // The original lists it, with its customer; a click opens it.
  await named.locator(`a[data-ticket-id="${original.ticketId}"]`).click();
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${original.ticketId}"]`).waitFor();
  const list = page.locator('[data-testid=suggestion-duplicates]');
  await list.waitFor();
  expect(await list.innerText()).toContain('Linked duplicates: 1');
  expect(await list.locator(`a[data-ticket-id="${dup.ticketId}"]`).innerText()).toBe(`#${dupNo} Night mode`);
  expect(await list.innerText()).toContain('Pete');

  // Unlinked on the duplicate: no longer named there, gone from the original's list.
  await open(dup.ticketId);
  await page.locator('button[data-action=suggestion-unlink]').click();
  await page.locator('button[data-action=suggestion-link]').waitFor();
  await until(() => hub.models.Ticket.findById(dup.ticketId).lean(), (t) => !t?.suggestion?.duplicateOf, 10_000);
  await open(original.ticketId);
  expect(await page.locator('[data-testid=suggestion-duplicates]').count()).toBe(0);
  expect(await page.locator('button[data-action=suggestion-link]').count()).toBe(1);
});
