import type { Browser } from 'playwright-core';
import { io } from 'socket.io-client';
import type { MessageAck, Welcome } from '../../channels/webchat/webchat.protocol';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { startTestHub, type TestHubEnv } from '../support/hub';
import { agentReply, allSent, emitAck, fillPrechat, openChat, openDemo, sendText, TEST_WEBCHAT_SECRET, widget } from './webchat.fixture';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;
const MAX_BYTES = 100_000;

beforeAll(async () => {
  ensureWidgetBuilt();
  [hub, browser] = await Promise.all([
    startTestHub('webchat-untrusted', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET, WEBCHAT_MAX_ATTACHMENT_BYTES: String(MAX_BYTES) }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const PAYLOAD = [
  '<img src=x onerror="alert(1);window.__pwned=1">',
  '<script>alert(2);window.__pwned=2</script>',
  '<svg onload=alert(3)><a href="javascript:alert(4)">click</a>',
  '"><iframe src="javascript:alert(5)"></iframe>',
  "{{constructor.constructor('alert(6)')()}} ${alert(7)}",
].join('\n');

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/** No element the payload could have created exists in the widget, and no script ran. */
async function assertInert(page: import('playwright-core').Page): Promise<void> {
  const found = await page.locator('omnihub-chat').evaluate((host) =>
    Array.from(host.shadowRoot!.querySelectorAll('.log script, .log iframe, .log svg, .log [onerror], .log [onload], .log a[href^="javascript"]')).length,
  );
  expect(found).toBe(0);
  await expect(page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null)).resolves.toBeNull();
}

describe('untrusted content in the chat', () => {
  test('HTML and script payloads are stored as text and shown as text; nothing executes (no dialog)', async () => {
    const { page, context, dialogs, errors } = await newPage(browser);
    const w = widget(page);
    await openDemo(page, hub.url);
    await fillPrechat(page, { name: '<b onmouseover=alert(8)>Eve</b>', topic: 'complaint' });
    await sendText(page, PAYLOAD);
    await allSent(page, 1);

    const [stored] = await hub.models.Message.find({ 'from.name': '<b onmouseover=alert(8)>Eve</b>' }).lean();
    expect(stored!.text).toBe(PAYLOAD);
    expect(stored!.html).toBe('');

    // An agent reply whose text and author name are markup too.
    const ticket = await hub.models.Ticket.findById(stored!.ticket).lean();
    await agentReply(hub, {
      ticketId: ticket!._id.toString(),
      visitorId: stored!.from.address,
      from: { address: 'x@test.example', name: '<img src=y onerror=alert(9)>' },
      text: '<script>alert(10)</script> fixed',
    });
    await w.agentMessages.filter({ hasText: 'fixed' }).waitFor();

    const texts = async () => ({
      mine: await w.customerMessages.locator('.bubble').textContent(),
      reply: await w.agentMessages.locator('.bubble').textContent(),
      author: await w.agentMessages.locator('.who').textContent(),
    });
    const expected = { mine: PAYLOAD, reply: '<script>alert(10)</script> fixed', author: '<img src=y onerror=alert(9)>' };
    await expect(texts()).resolves.toEqual(expected);
    await assertInert(page);

    // The same after a reload, when it all comes back as history.
    await page.reload();
    await openChat(page);
    await w.agentMessages.filter({ hasText: 'fixed' }).waitFor();
    await expect(texts()).resolves.toEqual(expected);
    await assertInert(page);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('attachments: an image and a PDF are stored through the pipeline and shown; a disguised file and an oversized one are refused', async () => {
    const { page, context, dialogs } = await newPage(browser);
    const w = widget(page);
    await openDemo(page, hub.url);
    await fillPrechat(page, { name: 'Pic Sender', topic: 'complaint' });
    const fileInput = page.locator('omnihub-chat .composer input[type=file]');

    await w.textarea.fill('the torn bag:');
    await fileInput.setInputFiles({ name: 'bag.png', mimeType: 'image/png', buffer: PNG });
    await fileInput.setInputFiles({ name: 'receipt.pdf', mimeType: 'application/pdf', buffer: PDF });
    await allSent(page, 2);
    const stored = await hub.models.Message.find({ 'from.name': 'Pic Sender' }).sort({ receivedAt: 1 }).lean();
    expect(stored.map((m) => ({ text: m.text, files: m.attachments.map((a) => [a.name, a.contentType, a.size]) }))).toEqual([
      { text: 'the torn bag:', files: [['bag.png', 'image/png', PNG.length]] },
      { text: '', files: [['receipt.pdf', 'application/pdf', PDF.length]] },
    ]);

    // HTML that claims to be a PNG: the hub looks at the bytes and refuses it.
    await fileInput.setInputFiles({ name: 'cute.png', mimeType: 'image/png', buffer: Buffer.from('<html><script>alert(11)</script></html>') });
    await w.customerMessages.locator('.status', { hasText: 'Not sent: This file type is not accepted.' }).waitFor();
    // Too large: the widget says so before uploading anything.
    await fileInput.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.concat([PNG, Buffer.alloc(MAX_BYTES)]) });
    await page.locator('omnihub-chat .error', { hasText: 'That file is too large' }).waitFor();
    expect(await hub.models.Message.countDocuments({ 'from.name': 'Pic Sender' })).toBe(2);

    // After a reload the image comes from the hub through a signed link, and renders.
    await page.reload();
    await openChat(page);
    const img = w.customerMessages.locator('img[alt="bag.png"]');
    await img.waitFor();
    await page.waitForFunction(() => {
      const el = document.querySelector('omnihub-chat')?.shadowRoot?.querySelector<HTMLImageElement>('img[alt="bag.png"]');
      return el?.complete && el.naturalWidth === 1;
    });
    const src = (await img.getAttribute('src'))!;
    expect(src.startsWith(`${hub.url}/webchat/attachments/`)).toBe(true);
    const ok = await fetch(src);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await ok.arrayBuffer()).equals(PNG)).toBe(true);
    const pdfLink = (await w.customerMessages.locator('a.file', { hasText: 'receipt.pdf' }).getAttribute('href'))!;
    const pdf = await fetch(pdfLink);
    expect(pdf.headers.get('content-disposition')).toMatch(/^attachment;/);
    // A changed link (another file, another type, a later expiry) is refused.
    const url = new URL(src);
    const tampered = [
      src.replace(url.pathname, url.pathname.replace(/.$/, (c) => (c === '0' ? '1' : '0'))),
      src.replace('type=image%2Fpng', 'type=text%2Fhtml'),
      src.replace(/exp=\d+/, `exp=${Date.now() + 10 ** 12}`),
    ];
    for (const t of tampered) expect((await fetch(t)).status).toBe(404);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  test('the socket refuses an oversized attachment and a message without the pre-chat form', async () => {
    const socket = io(`${hub.url}/webchat`, { auth: { channelKey: 'default' }, transports: ['websocket'], forceNew: true });
    await new Promise<Welcome>((resolve) => socket.once('welcome', resolve));
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_BYTES)]).toString('base64');
    const profile = { name: 'Raw Socket', topic: 'question' };
    await expect(emitAck<MessageAck>(socket, 'message', { id: 'raw-00000001', text: 'x', profile, attachments: [{ name: 'a.png', contentType: 'image/png', dataBase64: big }] })).resolves.toEqual({
      ok: false, error: 'attachment_size', retryable: false,
    });
    await expect(emitAck<MessageAck>(socket, 'message', { id: 'raw-00000002', text: 'no form' })).resolves.toEqual({ ok: false, error: 'prechat_required', retryable: false });
    await expect(emitAck<MessageAck>(socket, 'message', { id: 'bad id!', text: 'x', profile })).resolves.toEqual({ ok: false, error: 'invalid', retryable: false });
    expect(await hub.models.Message.countDocuments({ 'from.name': 'Raw Socket' })).toBe(0);
    socket.close();
  });
});
