/**
 * Inbound faxes through a fax channel instance's webhook: a signed Telnyx `fax.received`
 * with a 2-page G4 TIFF in Chinese and English becomes one complaint ticket with the faxed
 * sentences as its text (real poppler + tesseract), the original and the page images; a
 * replay or a duplicate arriving alongside stays one ticket; a forged signature or a stale
 * timestamp stores nothing (the document is not even fetched). Our generic HMAC scheme
 * (a HylaFAX script) with a PDF and a page cap, and a corrupt TIFF kept with "OCR failed".
 */
import { api, detail, signInAdmin, type MessageDto, type SignedIn, type TestHub } from '../../support/desk.fixtures';
import { faxFixtures, genericHeaders, startFakeFaxProvider, telnyxFaxReceived, telnyxHeaders, telnyxKeys, type FakeFaxProvider } from '../../support/fax-fake';
import { request, startTestHub } from '../../support/hub';

jest.setTimeout(180_000);

const SECRET = 'hylafax-shared-secret-5d1c0a9e';
const PAGE_1 = ['你们的产品质量太差了，我要投诉。', 'Order 4471 arrived broken.'];
const PAGE_2 = ['请尽快给我退款。', 'Please call me back today.'];
const SENDER = '+86 10 6552 1234';

let hub: TestHub;
let admin: SignedIn;
let provider: FakeFaxProvider;
let fixtures: { pdf: Buffer; tiff: Buffer };
const telnyx = telnyxKeys();
let telnyxUrl = '';
let genericUrl = '';

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const storedFax = (externalId: string) => hub.models.Message.find({ channel: 'fax', externalId }).lean();

async function ticketOf(externalId: string) {
  const [m] = await until(() => storedFax(externalId), (list) => list.length > 0);
  return detail(hub, admin.token, String(m?.ticket));
}

const post = (url: string, body: string, headers: Record<string, string>) => request(url, { rawBody: body, headers, apiKey: null });

async function createInstance(name: string, settings: Record<string, unknown>, secrets: Record<string, string>): Promise<string> {
  const res = await api<{ id: string }>(hub, admin.token, 'POST', '/channels', { kind: 'fax', name, settings, secrets });
  expect(res.status).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  fixtures = await faxFixtures([PAGE_1, PAGE_2]);
  provider = await startFakeFaxProvider();
  hub = await startTestHub('fax');
  admin = await signInAdmin(hub);
  const t = await createInstance('Telnyx fax', { provider: 'telnyx', number: '+861088880000' }, { publicKey: telnyx.publicKey });
  const g = await createInstance('HylaFAX', { provider: 'generic', maxPages: 1 }, { signingSecret: SECRET });
  telnyxUrl = `${hub.url}/channels/fax/${t}/inbound`;
  genericUrl = `${hub.url}/channels/fax/${g}/inbound`;
});
afterAll(async () => {
  await hub?.stop();
  await provider?.close();
});

test('a signed Telnyx fax (2-page G4 TIFF, Chinese and English) becomes one complaint ticket with its text and pages', async () => {
  const mediaUrl = provider.serve('fx-1.tif', fixtures.tiff);
  const body = telnyxFaxReceived('fx-1', SENDER.replace(/ /g, ''), mediaUrl);
  const res = await post(telnyxUrl, body, telnyxHeaders(body, telnyx.privateKey));
  expect(res.status).toBe(200);

  const d = await ticketOf('fx-1');
  expect(d.ticket.channel).toBe('fax');
  expect(d.ticket.type).toBe('complaint');
  const [m] = d.messages.filter((x: MessageDto) => x.direction === 'inbound');
  // Recognised text, Chinese without spaces between the characters.
  for (const sentence of [...PAGE_1, ...PAGE_2]) expect(m?.text).toContain(sentence);
  expect(d.contact.identities).toContainEqual({ kind: 'fax', value: '+861065521234' });
  expect(m?.attachments.map((a) => [a.name, a.contentType])).toEqual([
    ['fax-fx-1.tif', 'image/tiff'],
    ['page-1.png', 'image/png'],
    ['page-1.thumb.png', 'image/png'],
    ['page-2.png', 'image/png'],
    ['page-2.thumb.png', 'image/png'],
  ]);
  // Each page has a thumbnail for the page strip: a PNG whose longer side is 240 px, far smaller than the page.
  const pngSize = (b: Buffer) => ({ width: b.readUInt32BE(16), height: b.readUInt32BE(20) });
  const bytesOf = async (url: string | undefined) => Buffer.from(await (await fetch(`${hub.url}${url ?? ''}`, { headers: { authorization: `Bearer ${admin.token}` } })).arrayBuffer());
  const full = pngSize(await bytesOf(m?.attachments[1]?.url));
  const thumb = pngSize(await bytesOf(m?.attachments[2]?.url));
  expect(Math.max(thumb.width, thumb.height)).toBe(240);
  expect(full.width).toBeGreaterThan(thumb.width * 3);
  // The pages can be viewed: real PNG images; the original is the faxed file.
  const page = await fetch(`${hub.url}${m?.attachments[1]?.url ?? ''}`, { headers: { authorization: `Bearer ${admin.token}` } });
  expect(page.status).toBe(200);
  expect(Buffer.from(await page.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
  const original = await fetch(`${hub.url}${m?.attachments[0]?.url ?? ''}`, { headers: { authorization: `Bearer ${admin.token}` } });
  expect(Buffer.from(await original.arrayBuffer()).equals(fixtures.tiff)).toBe(true);
});

test('a replay, or duplicates arriving together, stay one ticket; forged or stale requests store nothing', async () => {
  const mediaUrl = provider.serve('fx-2.tif', fixtures.tiff);
  const body = telnyxFaxReceived('fx-2', '+4930123456', mediaUrl);
  // Two deliveries of the same event at once (the provider retried), then a replay later.
  const [a, b] = await Promise.all([post(telnyxUrl, body, telnyxHeaders(body, telnyx.privateKey)), post(telnyxUrl, body, telnyxHeaders(body, telnyx.privateKey))]);
  expect([a.status, b.status]).toEqual([200, 200]);
  await ticketOf('fx-2');
  const replay = await post(telnyxUrl, body, telnyxHeaders(body, telnyx.privateKey));
  expect(replay.status).toBe(200);
  expect(replay.body).toMatchObject({ duplicate: true });
  const stored = await storedFax('fx-2');
  expect(stored).toHaveLength(1);
  // The document was fetched and read once: the second delivery waited for the first, the replay was known.
  expect(provider.hits.get('/media/fx-2.tif')).toBe(1);
  expect([a.body, b.body].map((r) => (r as { duplicate: boolean }).duplicate).sort()).toEqual([false, true]);
  expect(await hub.models.Ticket.countDocuments({ origin: 'fax:fx-2' })).toBe(1);

  // Forged: signed by another key; tampered: the body changed after signing; stale: 10 minutes old.
  const forgedUrl = provider.serve('fx-3.tif', fixtures.tiff);
  const forgedBody = telnyxFaxReceived('fx-3', '+4930123456', forgedUrl);
  const forged = await post(telnyxUrl, forgedBody, telnyxHeaders(forgedBody, telnyxKeys().privateKey));
  expect(forged.status).toBe(403);
  const tampered = await post(telnyxUrl, forgedBody, telnyxHeaders(forgedBody.replace('+4930123456', '+4930999999'), telnyx.privateKey));
  expect(tampered.status).toBe(403);
  const stale = await post(telnyxUrl, forgedBody, telnyxHeaders(forgedBody, telnyx.privateKey, Math.floor(Date.now() / 1000) - 600));
  expect(stale.status).toBe(403);
  const unsigned = await post(telnyxUrl, forgedBody, {});
  expect(unsigned.status).toBe(403);
  expect(provider.hits.get('/media/fx-3.tif') ?? 0).toBe(0);
  expect(await storedFax('fx-3')).toHaveLength(0);
});

test('the generic HMAC scheme (a HylaFAX script) with a PDF: signed → a ticket, pages beyond the cap not read; forged or stale → nothing', async () => {
  const mediaUrl = provider.serve('hf-1.pdf', fixtures.pdf);
  const body = JSON.stringify({ faxId: 'hf-1', from: '0049 30 765432', mediaUrl });
  const forged = await post(genericUrl, body, genericHeaders(body, 'another-secret-of-16-chars'));
  expect(forged.status).toBe(403);
  const stale = await post(genericUrl, body, genericHeaders(body, SECRET, Math.floor(Date.now() / 1000) - 3600));
  expect(stale.status).toBe(403);
  expect(provider.hits.get('/media/hf-1.pdf') ?? 0).toBe(0);
  expect(await storedFax('hf-1')).toHaveLength(0);

  const res = await post(genericUrl, body, genericHeaders(body, SECRET));
  expect(res.status).toBe(200);
  const d = await ticketOf('hf-1');
  expect(d.ticket.type).toBe('complaint');
  expect(d.contact.identities).toContainEqual({ kind: 'fax', value: '+4930765432' });
  const [m] = d.messages.filter((x: MessageDto) => x.direction === 'inbound');
  // Page cap 1: the first page is read and shown; the second is only in the original.
  for (const sentence of PAGE_1) expect(m?.text).toContain(sentence);
  expect(m?.text).not.toContain(PAGE_2[0]);
  expect(m?.attachments.map((a) => a.name)).toEqual(['fax-hf-1.pdf', 'page-1.png', 'page-1.thumb.png']);
});

test('a corrupt TIFF: the ticket exists with the file and "OCR failed: …", and the hub keeps serving', async () => {
  const corrupt = Buffer.concat([Buffer.from('II*\0\x08\0\0\0', 'latin1'), Buffer.alloc(600, 0xff)]);
  const body = JSON.stringify({ faxId: 'hf-bad', from: '+4930111222', media: { contentBase64: corrupt.toString('base64'), contentType: 'image/tiff' } });
  const res = await post(genericUrl, body, genericHeaders(body, SECRET));
  expect(res.status).toBe(200);
  const d = await ticketOf('hf-bad');
  const [m] = d.messages.filter((x: MessageDto) => x.direction === 'inbound');
  expect(m?.text).toMatch(/^OCR failed: tiff2pdf: .+/);
  expect(m?.attachments.map((a) => [a.name, a.size])).toEqual([['fax-hf-bad.tif', corrupt.length]]);
  expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
});
