/**
 * Fax replies through a Telnyx fax number (channel instance) against the local fax provider
 * stand-in: an agent's Chinese reply on a fax ticket reaches the provider as a PDF it fetches
 * from the hub, whose text (pdftotext, and OCR of the rendered page) is the reply with the
 * ticket number; the signed status callbacks move the reply sent → sending → delivered as the
 * agent sees it, duplicates and late ones change nothing; a busy line is dialled again with
 * backoff and then delivered, or failed once the dials are used up (a Retry starts them afresh); a forged callback is
 * refused and changes nothing; a wrong API key fails the reply with the reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderFaxReply } from '../../../channels/fax/fax.reply-pdf';
import { api, createUser, detail, signInAdmin, teamId, type MessageDto, type SignedIn, type TestHub } from '../../support/desk.fixtures';
import { startFakeFaxProvider, telnyxFaxReceived, telnyxHeaders, telnyxKeys, type FakeFaxProvider, type SentFax } from '../../support/fax-fake';
import { request, startTestHub } from '../../support/hub';
import { until } from '../../support/process';

jest.setTimeout(240_000);

const NUMBER = '+861088880000';
const LETTERHEAD = '华东电器有限公司 East China Appliances Ltd.\n上海市浦东新区世纪大道 100 号';
const REPLY = '您好，我们已经收到您的传真，非常抱歉订单4471的商品有损坏。我们会在三个工作日内为您全额退款。';

let provider: FakeFaxProvider;
let hub: TestHub;
let admin: SignedIn;
let agent: SignedIn;
let instanceId = '';
let customerFax: Buffer;
const dir = mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? tmpdir(), 'fax-reply-'));

let seq = 0;
const customer = () => `+8621${String(Date.now() % 10_000_000).padStart(7, '0')}${(seq += 1) % 10}`;

/** A customer's fax on the number → its ticket (read by OCR like any fax). */
async function faxTicket(): Promise<{ ticketId: string; number: number; from: string }> {
  const from = customer();
  const faxId = `in-${from.slice(1)}`;
  const body = telnyxFaxReceived(faxId, from, provider.serve(`${faxId}.pdf`, customerFax));
  const res = await request(`${hub.url}/channels/fax/${instanceId}/inbound`, { rawBody: body, headers: telnyxHeaders(body, provider.outbound.keys.privateKey), apiKey: null });
  expect(res.status).toBe(200);
  const m = await until(() => hub.models.Message.findOne({ channel: 'fax', externalId: faxId }).lean(), (x) => x?.ticket != null);
  const d = await detail(hub, agent.token, m!.ticket!.toString());
  expect(d.canReply).toBe(true);
  return { ticketId: d.ticket.id, number: d.ticket.number, from };
}

async function reply(ticketId: string, text: string): Promise<string> {
  const r = await api<{ id: string; deliveryStatus: string }>(hub, agent.token, 'POST', `/tickets/${ticketId}/replies`, { text });
  expect(r.status).toBe(201);
  expect(r.body.deliveryStatus).toBe('queued');
  return r.body.id;
}

/** The reply as the agent sees it on the ticket. */
async function shown(ticketId: string, messageId: string): Promise<MessageDto> {
  const d = await detail(hub, agent.token, ticketId);
  return d.messages.find((m) => m.id === messageId)!;
}

/** The provider's n-th send (1-based) of the reply, once the hub has recorded it as sent. */
async function nthSend(messageId: string, n: number): Promise<SentFax> {
  const mine = () => provider.outbound.sent.filter((f) => f.request.client_state === Buffer.from(messageId).toString('base64'));
  await until(async () => mine().length, (k) => k >= n, 30_000, 50);
  const fax = mine()[n - 1]!;
  await until(() => hub.models.Message.findById(messageId).lean(), (m) => m?.externalId === fax.id && m.deliveryStatus === 'sent', 30_000, 50);
  return fax;
}

const pdftotext = (pdf: Buffer): string => {
  const f = path.join(dir, `got-${(seq += 1)}.pdf`);
  writeFileSync(f, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' });
};
const unwrapped = (t: string) => t.replace(/\s*\n\s*/g, '');

beforeAll(async () => {
  // The customer's own fax: a page with a Chinese complaint.
  customerFax = await renderFaxReply({ letterhead: '', ticketNumber: 1, date: new Date(), timeZone: 'UTC', text: '你们的水壶坏了，我要投诉，请退款。', paperSize: 'A4', language: 'en' });
  provider = await startFakeFaxProvider();
  hub = await startTestHub('fax-reply', { OUTBOUND_RETRY_BASE_MS: '50', OUTBOUND_ATTEMPTS: '3' });
  admin = await signInAdmin(hub);
  const support = await teamId(hub, admin, 'Support');
  agent = await createUser(hub, admin, 'agent', [support], 'Agent Ada');
  const res = await api<{ id: string; secrets: Record<string, { set: boolean }> }>(hub, admin.token, 'POST', '/channels', {
    kind: 'fax',
    name: 'Fax +86 10 8888 0000',
    team: support,
    settings: {
      provider: 'telnyx',
      number: NUMBER,
      outbound: { apiBaseUrl: provider.url, connectionId: 'fax-app-7', letterhead: LETTERHEAD, language: 'zh-CN', timeZone: 'Asia/Shanghai', redialAttempts: 3, redialBackoffMs: 200 },
    },
    secrets: { publicKey: provider.outbound.keys.publicKey, apiKey: provider.outbound.apiKey },
  });
  expect(res.status).toBe(201);
  instanceId = res.body.id;
  // The API key is sealed: write-only, never answered.
  expect(res.body.secrets).toMatchObject({ apiKey: { set: true }, publicKey: { set: true } });
  expect(JSON.stringify(res.body)).not.toContain(provider.outbound.apiKey);
});
afterAll(async () => {
  await hub?.stop();
  await provider?.close();
});

test("an agent's Chinese reply reaches the provider as a readable PDF with the ticket number; the callbacks end delivered", async () => {
  const t = await faxTicket();
  const id = await reply(t.ticketId, REPLY);
  const fax = await nthSend(id, 1);
  expect(fax.request).toMatchObject({ connection_id: 'fax-app-7', to: t.from, from: NUMBER, webhook_url: `${hub.url}/channels/fax/${instanceId}/status` });
  expect(provider.outbound.unauthorized).toBe(0);
  // The provider fetched the PDF from a hub URL, with the reply, the ticket and the letterhead on it.
  expect(fax.request.media_url.startsWith(`${hub.url}/channels/fax/${instanceId}/media/`)).toBe(true);
  expect(fax.mediaStatus).toBe(200);
  const text = pdftotext(fax.pdf!);
  expect(unwrapped(text)).toContain(REPLY);
  expect(text).toContain(`工单号: #${t.number}`);
  expect(text).toContain('华东电器有限公司 East China Appliances Ltd.');
  expect(text).toContain('— Agent Ada');
  // Printed as a fax machine would (200 dpi grey), the page reads back.
  const png = path.join(dir, 'reply');
  writeFileSync(`${png}.pdf`, fax.pdf!);
  execFileSync('pdftoppm', ['-r', '200', '-gray', '-png', '-singlefile', `${png}.pdf`, png]);
  const ocr = execFileSync('tesseract', [`${png}.png`, '-', '-l', 'chi_sim+eng'], { encoding: 'utf8', env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
  expect(ocr.replace(/\s+/g, '')).toContain('我们已经收到您的传真');

  expect(await shown(t.ticketId, id)).toMatchObject({ deliveryStatus: 'sent', deliveryError: null });
  expect((await provider.outbound.callback(fax.id, 'fax.queued')).status).toBe(200);
  expect((await provider.outbound.callback(fax.id, 'fax.media.processed')).status).toBe(200);
  expect((await provider.outbound.callback(fax.id, 'fax.sending.started')).status).toBe(200);
  expect(await shown(t.ticketId, id)).toMatchObject({ deliveryStatus: 'sending' });
  expect((await provider.outbound.callback(fax.id, 'fax.delivered')).status).toBe(200);
  expect(await shown(t.ticketId, id)).toMatchObject({ deliveryStatus: 'delivered', deliveryError: null });

  // A duplicate, and late ones out of order: nothing moves back.
  await provider.outbound.callback(fax.id, 'fax.delivered');
  await provider.outbound.callback(fax.id, 'fax.sending.started');
  await provider.outbound.callback(fax.id, 'fax.queued');
  const d = await detail(hub, agent.token, t.ticketId);
  expect(d.messages.find((m) => m.id === id)).toMatchObject({ deliveryStatus: 'delivered' });
  expect(d.timeline.filter((e) => e.code === 'delivery.delivered')).toHaveLength(1);
  expect(d.timeline.filter((e) => e.code === 'delivery.sending')).toHaveLength(1);

  // The media URL names that one file: a changed token finds nothing.
  const again = await fetch(fax.request.media_url);
  expect(again.status).toBe(200);
  expect(Buffer.from(await again.arrayBuffer()).equals(fax.pdf!)).toBe(true);
  const [payload, sig] = fax.request.media_url.split('/').pop()!.split('.');
  expect((await fetch(`${hub.url}/channels/fax/${instanceId}/media/${payload}.${sig!.slice(0, -2)}AA`)).status).toBe(404);
});

test('a busy line is dialled again after the backoff, then delivered; reports about the busy dial change nothing after', async () => {
  const t = await faxTicket();
  provider.outbound.script([{ failed: 'user_busy' }, 'delivered']);
  const id = await reply(t.ticketId, '请您查收退款通知。Your refund has been issued.');
  const first = await nthSend(id, 1);
  expect(await provider.outbound.play(first.id)).toBe(200);
  const d1 = await detail(hub, agent.token, t.ticketId);
  const retry = d1.timeline.find((e) => e.code === 'delivery.retry_scheduled');
  expect(retry?.params).toMatchObject({ reasonCode: 'busy', reason: 'user_busy', attempt: '1', attempts: '3' });

  const second = await nthSend(id, 2);
  expect(second.id).not.toBe(first.id);
  expect(unwrapped(pdftotext(second.pdf!))).toContain('请您查收退款通知。');
  expect(await provider.outbound.play(second.id)).toBe(200);
  expect(await shown(t.ticketId, id)).toMatchObject({ deliveryStatus: 'delivered', deliveryError: null, deliveryErrorCode: null });

  // The busy dial's callback again (a provider retry): no third dial, still delivered.
  await provider.outbound.callback(first.id, 'fax.failed', { failureReason: 'user_busy' });
  expect(await shown(t.ticketId, id)).toMatchObject({ deliveryStatus: 'delivered' });
  expect(provider.outbound.sent.filter((f) => f.request.client_state === Buffer.from(id).toString('base64'))).toHaveLength(2);
});

test('busy on every dial: failed once the dials are used up, with the reason the agent can read', async () => {
  const t = await faxTicket();
  provider.outbound.script([{ failed: 'user_busy' }, { failed: 'receiver_no_answer' }, { failed: 'user_busy' }]);
  const id = await reply(t.ticketId, '第三次尝试。');
  for (let n = 1; n <= 3; n += 1) expect(await provider.outbound.play((await nthSend(id, n)).id)).toBe(200);
  const m = await shown(t.ticketId, id);
  expect(m).toMatchObject({ deliveryStatus: 'failed', deliveryErrorCode: 'busy' });
  expect(m.deliveryError).toBe('user_busy (gave up after 3 attempts)');
  const d = await detail(hub, agent.token, t.ticketId);
  expect(d.timeline.filter((e) => e.code === 'delivery.retry_scheduled').map((e) => e.params.reasonCode)).toEqual(['busy', 'no_answer']);
  expect(d.ticket.failedReplies).toBe(1);

  // The agent retries it: the redials start afresh (a busy line is attempt 1 of 3 again), then it gets through.
  provider.outbound.script([{ failed: 'user_busy' }, 'delivered']);
  const retried = await api(hub, agent.token, 'POST', `/tickets/${t.ticketId}/messages/${id}/retry`);
  expect(retried.status).toBe(202);
  expect(await provider.outbound.play((await nthSend(id, 4)).id)).toBe(200);
  const d2 = await detail(hub, agent.token, t.ticketId);
  expect(d2.timeline.filter((e) => e.code === 'delivery.retry_scheduled').map((e) => e.params.attempt)).toEqual(['1', '2', '1']);
  expect(await provider.outbound.play((await nthSend(id, 5)).id)).toBe(200);
  expect(await shown(t.ticketId, id)).toMatchObject({ deliveryStatus: 'delivered', deliveryError: null });
});

test('a forged, tampered or stale callback is refused and changes nothing; a final failure shows its reason', async () => {
  const t = await faxTicket();
  const id = await reply(t.ticketId, 'Thank you for your fax.');
  const fax = await nthSend(id, 1);
  const forged = await provider.outbound.callback(fax.id, 'fax.delivered', { privateKey: telnyxKeys().privateKey });
  expect(forged.status).toBe(403);
  const tampered = await provider.outbound.callback(fax.id, 'fax.sending.started', { tamper: (b) => b.replace('"sending"', '"delivered"').replace('fax.sending.started', 'fax.delivered') });
  expect(tampered.status).toBe(403);
  const stale = await provider.outbound.callback(fax.id, 'fax.delivered', { timestamp: Math.floor(Date.now() / 1000) - 600 });
  expect(stale.status).toBe(403);
  expect(await shown(t.ticketId, id)).toMatchObject({ deliveryStatus: 'sent', deliveryError: null });
  expect((await detail(hub, agent.token, t.ticketId)).timeline.filter((e) => e.code === 'delivery.delivered')).toHaveLength(0);

  // A genuine failure that a redial would not fix: failed at once, with Telnyx's reason.
  expect((await provider.outbound.callback(fax.id, 'fax.failed', { failureReason: 'receiver_incompatible_destination' })).status).toBe(200);
  expect(await shown(t.ticketId, id)).toMatchObject({ deliveryStatus: 'failed', deliveryErrorCode: 'not_delivered', deliveryError: 'receiver_incompatible_destination' });
  expect(provider.outbound.sent.filter((f) => f.request.client_state === Buffer.from(id).toString('base64'))).toHaveLength(1);
});

test('a wrong API key: the provider refuses the send and the reply fails with the reason', async () => {
  const t = await faxTicket();
  const patched = await api(hub, admin.token, 'PATCH', `/channels/${instanceId}`, { secrets: { apiKey: 'KEY-not-the-right-one' } });
  expect(patched.status).toBe(200);
  try {
    const before = provider.outbound.unauthorized;
    const id = await reply(t.ticketId, 'This one will not go out.');
    const m = await until(() => shown(t.ticketId, id), (x) => x.deliveryStatus === 'failed', 30_000, 100);
    expect(m.deliveryErrorCode).toBe('auth');
    expect(m.deliveryError).toContain('Telnyx answered 401');
    expect(provider.outbound.unauthorized).toBe(before + 1);
  } finally {
    expect((await api(hub, admin.token, 'PATCH', `/channels/${instanceId}`, { secrets: { apiKey: provider.outbound.apiKey } })).status).toBe(200);
  }
});
