import type { Browser, Page } from 'playwright-core';
import { inbound, type TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { until } from '../support/process';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

interface Detail {
  ticket: { id: string; number: number; status: string; mergedInto: string | null };
  messages: Array<{ text: string }>;
}

let hub: TestHub;
let browser: Browser;
let agent: Awaited<ReturnType<typeof createAgent>>;
let tab: { page: Page; guard: PageGuard };
const t: Record<'source' | 'target' | 'closed' | 'stranger', { id: string; number: number }> = {
  source: { id: '', number: 0 },
  target: { id: '', number: 0 },
  closed: { id: '', number: 0 },
  stranger: { id: '', number: 0 },
};

const detail = async (id: string) => (await request<Detail>(`${hub.url}/api/v1/tickets/${id}`, { apiKey: agent.adminToken })).body;
const view = () => tab.page.locator('[data-testid=ticket-view]');
const dialog = () => tab.page.locator('[data-testid=ticket-merge-dialog]');
const own = () => dialog().locator('[data-testid=merge-same-contact] label[data-ticket-id]');

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-tmerge'));
  agent = await createAgent(hub.url, { email: 'mo.merge@test.example', name: 'Mo Merge' });
  await request(`${hub.url}/api/v1/users/${agent.id}`, { method: 'PATCH', apiKey: agent.adminToken, body: { maxConcurrent: { chat: 0, async: 0 } } });
  const rita = { address: 'rita.repeat@example.org', name: 'Rita Repeat', kind: 'email' };
  const make = async (key: keyof typeof t, fields: Record<string, unknown>) => {
    const id = (await inbound(hub, fields)).ticketId;
    t[key] = { id, number: (await detail(id)).ticket.number };
  };
  await make('target', { subject: 'Damaged parcel, order 55', text: 'The box was crushed.', from: rita });
  await make('closed', { subject: 'Old question about order 55', text: 'Where is it?', from: rita });
  await make('source', { subject: 'Order 55 arrived damaged', text: 'Writing again: the vase inside is broken.', from: rita });
  await make('stranger', { subject: 'Order 55 for Tom', text: 'Not Rita.', from: { address: 'tom.other@example.org', name: 'Tom Other', kind: 'email' } });
  const closed = await request(`${hub.url}/api/v1/tickets/${t.closed.id}`, { method: 'PATCH', apiKey: agent.adminToken, body: { status: 'closed' } });
  if (closed.status !== 200) throw new Error(`close: ${closed.status}`);
  tab = await openConsole(browser, hub.url, agent);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(tab));

describe('merging a ticket into another', () => {
  test("the dialog offers the customer's other open tickets first, filtered by number or subject, then other customers' matches", async () => {
    const page = tab.page;
    await page.goto(`${hub.url}/console/unassigned/tickets/${t.source.id}`);
    await view().waitFor();
    await view().locator('button[data-action=ticket-merge]').click();
    await dialog().waitFor();
    expect(await dialog().locator('h2').innerText()).toBe(`Merge #${t.source.number} into another ticket`);
    await until(() => own().count(), (n) => n === 1, 10_000);
    // Not itself, not the closed one.
    expect(await own().first().getAttribute('data-ticket-id')).toBe(t.target.id);
    expect(await own().first().innerText()).toContain('Damaged parcel, order 55');

    await dialog().locator('input[name=ticket-search]').fill(`#${t.source.number + 100}`);
    await dialog().locator('[data-testid=merge-same-contact]', { hasText: 'No other open ticket of this customer matches.' }).waitFor();
    await dialog().locator('input[name=ticket-search]').fill(`#${t.target.number}`);
    await until(() => own().count(), (n) => n === 1, 10_000);
    await dialog().locator('input[name=ticket-search]').fill('order 55');
    const stranger = dialog().locator(`[data-testid=merge-other-contacts] label[data-ticket-id="${t.stranger.id}"]`);
    await stranger.waitFor();
    expect(await stranger.innerText()).toContain('Tom Other');
    expect(await own().count()).toBe(1);

    // Another customer's ticket: the hub refuses, the dialog says why, nothing moved.
    await stranger.click();
    await dialog().locator('button[data-action=ticket-merge-next]').click();
    await dialog().locator('button[data-action=ticket-merge-confirm]').click();
    await dialog().locator('[data-testid=problem]', { hasText: 'different customers' }).waitFor({ timeout: 10_000 });
    expect((await detail(t.source.id)).ticket.mergedInto).toBeNull();
    await dialog().locator('button', { hasText: 'Back' }).click();
  });

  test('confirmed: the source shows as merged with a link to the target, which holds its messages', async () => {
    const page = tab.page;
    await own().first().click();
    await dialog().locator('button[data-action=ticket-merge-next]').click();
    expect(await dialog().locator('[data-testid=ticket-merge-confirm]').innerText()).toContain(`Merge #${t.source.number} into #${t.target.number}?`);
    await dialog().locator('button[data-action=ticket-merge-confirm]').click();
    await dialog().waitFor({ state: 'detached', timeout: 10_000 });

    const banner = view().locator('[data-testid=merged-into]');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.innerText()).toContain(`This ticket was merged into #${t.target.number}`);
    await until(() => view().getAttribute('data-status'), (s) => s === 'closed', 10_000);
    expect(await view().locator('button[data-action=ticket-merge]').count()).toBe(0);
    const stored = await detail(t.source.id);
    expect([stored.ticket.mergedInto, stored.ticket.status]).toEqual([t.target.id, 'closed']);

    await banner.locator('a[data-action=merged-target]').click();
    await page.locator(`[data-testid=ticket-view][data-ticket-id="${t.target.id}"]`).waitFor();
    await page.locator('[data-testid=ticket-view]', { hasText: 'the vase inside is broken' }).waitFor();
    expect((await detail(t.target.id)).messages.map((m) => m.text)).toEqual(expect.arrayContaining(['The box was crushed.', 'Writing again: the vase inside is broken.']));
  });
});
