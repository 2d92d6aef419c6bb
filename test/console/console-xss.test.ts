import type { Browser } from 'playwright-core';
import type { Hub } from '../../src/main';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { createAgent, ensureConsoleBuilt, launchBrowser, newPage, signIn, waitLive } from './console.support';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;

/** Payloads that would run script if the console put customer text or raw HTML on the page. */
const PAYLOADS = [
  `<script>window.__xss = 'script'; alert('script')</script>`,
  `<img src=x onerror="window.__xss='img'; alert('img')">`,
  `<svg onload="window.__xss='svg'"><circle r=5></circle></svg>`,
  `<iframe srcdoc="<script>parent.__xss='iframe'</script>"></iframe>`,
  `<a href="javascript:window.__xss='href';alert(1)" id="jslink">click me</a>`,
  `<div style="background:url(javascript:alert(1))" onmouseover="window.__xss='hover'">hover me</div>`,
  `<details open ontoggle="window.__xss='toggle'"><summary>x</summary></details>`,
  `<body onload="window.__xss='body'">`,
  `"><img src=x onerror=alert(document.cookie)>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="window.__xss='mxss'">`,
  `<form action="javascript:alert(1)"><button>submit</button></form>`,
].join('\n');

beforeAll(async () => {
  await ensureConsoleBuilt();
  hub = await startTestHub('console-xss');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

test('customer HTML and script payloads show as text or sanitized markup in the console; no script runs', async () => {
  const agent = await createAgent(hub.url, { email: 'xss.agent@test.example', name: 'Xavier Agent' });
  const { context, page, guard } = await newPage(browser);
  await signIn(page, hub.url, agent.email, agent.password);
  await waitLive(page);
  await page.locator('a[data-view=mine]').click();

  // A plain-text message made of payloads (with a hostile name and subject too).
  const plain = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: {
      externalId: 'xss-text-1',
      from: { address: 'mallory@example.com', name: `<img src=x onerror="window.__xss='name'">Mallory` },
      subject: `<script>window.__xss='subject'</script>Refund?`,
      text: PAYLOADS,
    },
  });
  expect(plain.status).toBe(201);
  // An HTML email full of the same payloads, with some harmless formatting.
  const html = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: {
      channel: 'api',
      externalId: 'xss-html-1',
      from: { address: 'mallory@example.com', name: 'Mallory' },
      subject: 'Formatted complaint',
      text: '',
      html: `<p>Hello <b>bold</b> and <i>italic</i></p><p>Order 7731 arrived broken.</p>${PAYLOADS}`,
    },
  });
  expect(html.status).toBe(201);

  // The list shows the hostile subject and name as text.
  const plainRow = page.locator(`.ticket-list a[data-ticket-id="${plain.body.ticketId}"]`);
  await plainRow.waitFor({ timeout: 10_000 });
  expect(await plainRow.innerText()).toContain(`<script>window.__xss='subject'</script>Refund?`);
  expect(await plainRow.innerText()).toContain(`<img src=x onerror="window.__xss='name'">Mallory`);

  // The plain-text message: every payload is visible, character for character, as text.
  await plainRow.click();
  const textBody = page.locator('.msg-inbound [data-testid=msg-text]');
  await textBody.waitFor();
  expect(await textBody.innerText()).toBe(PAYLOADS);
  expect(await page.locator('[data-testid=ticket-subject]').innerText()).toBe(`<script>window.__xss='subject'</script>Refund?`);

  // The HTML message: the sanitized markup renders (bold stays bold), nothing active survives.
  await page.locator(`.ticket-list a[data-ticket-id="${html.body.ticketId}"]`).click();
  const htmlBody = page.locator('.msg-inbound [data-testid=msg-html]');
  await htmlBody.waitFor();
  expect(await htmlBody.locator('b').innerText()).toBe('bold');
  expect(await htmlBody.innerText()).toContain('Order 7731 arrived broken.');
  const active = await htmlBody.evaluate((root) => ({
    scripts: root.querySelectorAll('script, iframe, svg, math, form, style, object, embed').length,
    handlers: Array.from(root.querySelectorAll('*')).flatMap((el) => Array.from(el.attributes).map((a) => a.name)).filter((n) => n.startsWith('on') || n === 'style' || n === 'srcdoc'),
    hrefs: Array.from(root.querySelectorAll('a[href]')).map((a) => a.getAttribute('href')),
    imgSrcs: Array.from(root.querySelectorAll('img')).map((i) => i.getAttribute('src')),
  }));
  expect(active.scripts).toBe(0);
  expect(active.handlers).toEqual([]);
  expect(active.hrefs.filter((h) => /^\s*javascript:/i.test(h ?? ''))).toEqual([]);
  expect(active.imgSrcs.filter((s) => s !== null)).toEqual([]);

  // Interact with what is left: hover, click the former javascript: link.
  await htmlBody.getByText('hover me').hover();
  const link = htmlBody.getByText('click me');
  if (await link.count()) await link.click({ noWaitAfter: true });
  await page.waitForTimeout(500);

  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  expect(guard.dialogs).toEqual([]);
  expect(guard.errors).toEqual([]);
  // Still the console, on the same ticket (a javascript: link did not navigate).
  expect(page.url()).toContain(`/tickets/${html.body.ticketId}`);

  // The hub never sends the raw original to the console.
  const detail = await request<{ messages: Array<Record<string, unknown>> }>(`${hub.url}/api/v1/tickets/${html.body.ticketId}`, { apiKey: agent.adminToken });
  expect(detail.body.messages[0]).not.toHaveProperty('rawHtml');
  expect(String(detail.body.messages[0]?.html)).not.toMatch(/onerror|<script|javascript:/i);
  await context.close();
});
