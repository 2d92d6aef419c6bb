import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { faxFixtures, genericHeaders } from '../support/fax-fake';
import { request } from '../support/hub';
import { until } from '../support/process';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * A received fax in the console: the page strip (one thumbnail per page), a page opened in the
 * viewer (next/previous, arrow keys, Esc), the recognised text with its "check against the
 * pages" marker, the original downloadable; a fax whose OCR failed says why.
 */

jest.setTimeout(180_000);

const SECRET = 'console-fax-viewer-secret-8b1e';
const PAGE_1 = ['Order 4471 arrived broken.'];
const PAGE_2 = ['Please call me back today.'];

let hub: TestHub;
let browser: Browser;
let page: Page;
let guard: PageGuard;
let agentToken = '';
let inboundUrl = '';
let cappedUrl = '';

async function faxInstance(adminToken: string, name: string, team: string, settings: Record<string, unknown>): Promise<string> {
  const res = await request<{ id: string }>(`${hub.url}/api/v1/channels`, {
    apiKey: adminToken,
    body: { kind: 'fax', name, team, settings: { provider: 'generic', ...settings }, secrets: { signingSecret: SECRET } },
  });
  expect(res.status).toBe(201);
  return `${hub.url}/channels/fax/${res.body.id}/inbound`;
}
let tiff: Buffer;

beforeAll(async () => {
  ({ tiff } = await faxFixtures([PAGE_1, PAGE_2]));
  ({ hub, browser } = await startConsole('console-fax-viewer'));
  const agent = await createAgent(hub.url, { email: 'fay.fax@test.example', name: 'Fay Fax' });
  agentToken = agent.adminToken;
  inboundUrl = await faxInstance(agent.adminToken, 'Fax desk', agent.teamId, {});
  cappedUrl = await faxInstance(agent.adminToken, 'Fax desk (1 page read)', agent.teamId, { maxPages: 1 });
  ({ page, guard } = await openConsole(browser, hub.url, agent));
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble({ guard }));

async function receive(faxId: string, file: Buffer, url = inboundUrl): Promise<string> {
  const body = JSON.stringify({ faxId, from: '+4930111222', media: { contentBase64: file.toString('base64'), contentType: 'image/tiff' } });
  expect((await request(url, { rawBody: body, headers: genericHeaders(body, SECRET), apiKey: null })).status).toBe(200);
  const m = await until(() => hub.models.Message.findOne({ channel: 'fax', externalId: faxId }).lean(), (x) => x?.ticket != null, 60_000);
  const ticketId = m!.ticket!.toString();
  await page.goto(`${hub.url}/console/mine/tickets/${ticketId}`);
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${ticketId}"]`).waitFor();
  return ticketId;
}

test('a 2-page fax: two thumbnails, page 2 in the viewer, the OCR text with its marker, the original downloads', async () => {
  await receive('view-1', tiff);
  const fax = page.locator('[data-testid=fax-pages]');
  await fax.waitFor({ timeout: 15_000 });
  expect(await fax.locator('button[data-action=fax-page]').count()).toBe(2);
  expect(await fax.locator('[data-testid=fax-ocr-mark]').innerText()).toContain('Text recognised automatically — check against the pages');
  expect(await fax.locator('[data-testid=fax-ocr-text]').innerText()).toContain('Please call me back today.');

  await fax.locator('button[data-action=fax-page][data-page="2"]').click();
  const viewer = page.locator('[data-testid=fax-viewer]');
  await viewer.waitFor();
  expect(await viewer.locator('[data-testid=fax-viewer-title]').innerText()).toBe('Page 2 of 2');
  const img = viewer.locator('[data-testid=fax-viewer-image]');
  await until(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), (w) => w > 0, 10_000);
  await page.keyboard.press('ArrowLeft');
  await viewer.locator('[data-testid=fax-viewer-title]', { hasText: 'Page 1 of 2' }).waitFor();
  await viewer.locator('button[data-action=fax-next]').click();
  await viewer.locator('[data-testid=fax-viewer-title]', { hasText: 'Page 2 of 2' }).waitFor();
  await viewer.locator('button[data-action=fax-zoom]').click();
  expect(await viewer.locator('.fax-viewer-page.actual').count()).toBe(1);
  await page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached' });

  const original = fax.locator('[data-testid=fax-original]');
  expect(await original.innerText()).toContain('fax-view-1.tif');
  const href = await original.getAttribute('href');
  const res = await fetch(`${hub.url}${href ?? ''}`, { headers: { authorization: `Bearer ${agentToken}` } });
  expect(Buffer.from(await res.arrayBuffer()).equals(tiff)).toBe(true);
});

test('a fax whose OCR failed shows the reason as a warning, and the original', async () => {
  const corrupt = Buffer.concat([Buffer.from('II*\0\x08\0\0\0', 'latin1'), Buffer.alloc(600, 0xff)]);
  await receive('view-bad', corrupt);
  const fax = page.locator('[data-testid=fax-pages]');
  await fax.waitFor({ timeout: 15_000 });
  expect(await fax.locator('[data-testid=fax-ocr-failed]').innerText()).toMatch(/^OCR failed: .+/);
  expect(await fax.locator('button[data-action=fax-page]').count()).toBe(0);
  expect(await fax.locator('[data-testid=fax-original]').innerText()).toContain('fax-view-bad.tif');
});

test('a fax over the page cap says how many of its pages were read; only those are shown', async () => {
  await receive('view-capped', tiff, cappedUrl);
  const fax = page.locator('[data-testid=fax-pages]');
  await fax.waitFor({ timeout: 15_000 });
  expect(await fax.locator('[data-testid=fax-capped]').innerText()).toBe('Only the first 1 of 2 pages were read.');
  expect(await fax.locator('button[data-action=fax-page]').count()).toBe(1);
  expect(await fax.locator('[data-testid=fax-ocr-text]').innerText()).toContain('Order 4471 arrived broken.');
  expect(await fax.locator('[data-testid=fax-ocr-text]').innerText()).not.toContain('Please call me back today.');
});
