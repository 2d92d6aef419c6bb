import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * The agent attaches files to a reply in the composer: each is uploaded and listed, a file the hub
 * does not take is named with the reason next to the Attach button, and the reply arrives at the
 * customer's mail server with the files intact (and shows them on the message).
 */

let hub: TestHub;
let browser: Browser;
let page: Page;
let guard: PageGuard;
let smtp: TestSmtpServer;

const row = (id: string) => page.locator(`.ticket-list a[data-ticket-id="${id}"]`);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256)), Buffer.from('\n%%EOF\n')]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('pretend-png-body')]);

beforeAll(async () => {
  smtp = await startSmtpServer();
  ({ hub, browser } = await startConsole('console-reply-attachment', { SMTP_URL: smtp.url, EMAIL_FROM: 'Acme Support <support@acme.example>', REPLY_MAX_ATTACHMENT_BYTES: '100000' }));
  const agent = await createAgent(hub.url, { email: 'ari.agent@test.example', name: 'Ari Agent' });
  ({ page, guard } = await openConsole(browser, hub.url, agent));
}, 120_000);
afterAll(async () => {
  await stopConsole(hub, browser);
  await smtp?.close();
});
afterEach(() => expectNoPageTrouble({ guard }));

test('files attached in the composer arrive with the email reply, intact; a refused file is named next to Attach', async () => {
  const sent = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { channel: 'email', externalId: '<ivy-1@customer.example>', from: { address: 'ivy@customer.example', name: 'Ivy Customer' }, subject: 'My invoice', text: 'Please send my invoice.' },
  });
  expect(sent.status).toBe(201);
  const id = sent.body.ticketId;
  await page.locator('a[data-view=mine]').click();
  await row(id).waitFor({ timeout: 10_000 });
  await row(id).click();
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${id}"]`).waitFor();

  const input = page.locator('[data-testid=composer-file-input]');
  // A program is not taken; a file over the limit neither: each is named with why, next to Attach.
  await input.setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ-not-really') });
  const refused = page.locator('[data-testid=composer-files] [data-field-error=attachments]');
  await refused.waitFor({ timeout: 10_000 });
  expect(await refused.innerText()).toMatch(/^setup\.exe cannot be attached: files of type application\/x-msdownload cannot be attached/);
  await input.setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(200_000)]) });
  await page.locator('[data-testid=composer-files] [data-field-error=attachments]', { hasText: 'scan.pdf cannot be attached' }).waitFor({ timeout: 10_000 });
  expect(await refused.innerText()).toMatch(/at most 0\.1 MB/);
  expect(await page.locator('.attach-chip').count()).toBe(0);

  await input.setInputFiles([
    { name: 'invoice-77.pdf', mimeType: 'application/pdf', buffer: PDF },
    { name: 'parcel.png', mimeType: 'image/png', buffer: PNG },
  ]);
  await page.locator('.attach-chip[data-file="invoice-77.pdf"][data-uploaded=true]').waitFor({ timeout: 10_000 });
  await page.locator('.attach-chip[data-file="parcel.png"][data-uploaded=true]').waitFor({ timeout: 10_000 });
  expect(await refused.count()).toBe(0);
  // One more, then taken away again: it is not sent.
  await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('internal scribbles') });
  await page.locator('.attach-chip[data-file="notes.txt"][data-uploaded=true]').waitFor({ timeout: 10_000 });
  await page.locator('.attach-chip[data-file="notes.txt"] button[data-action=remove-file]').click();
  await page.locator('.attach-chip[data-file="notes.txt"]').waitFor({ state: 'detached' });

  const box = page.locator('textarea[data-composer=reply]');
  await box.fill('Your invoice and a photo of the parcel are attached.');
  await box.press('Control+Enter');
  const reply = page.locator('.msg-outbound', { hasText: 'Your invoice and a photo of the parcel are attached.' });
  await reply.locator('[data-delivery=sent]').waitFor({ timeout: 15_000 });
  expect(await page.locator('.attach-chip').count()).toBe(0);
  expect(await reply.locator('.attachments').innerText()).toContain('invoice-77.pdf');

  const mail = await smtp.waitFor('ivy@customer.example');
  expect(mail.mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
    ['invoice-77.pdf', 'application/pdf'],
    ['parcel.png', 'image/png'],
  ]);
  expect(mail.mail.attachments[0]!.content.equals(PDF)).toBe(true);
  expect(mail.mail.attachments[1]!.content.equals(PNG)).toBe(true);
});
