/**
 * Phaxio and SignalWire faxes, and the document read by a durable job:
 *   - a Phaxio `fax_completed` callback (multipart, the PDF as a file part, X-Phaxio-Signature over
 *     the configured callback URL, the sorted fields and the file's SHA-1) is answered as soon as
 *     the document is kept and queued, even with no process reading faxes; a worker started later
 *     reads it and the ticket has the faxed text. A changed field or file is refused, nothing stored.
 *   - a SignalWire callback (Twilio-style form, signed as the Twilio SDK signs) whose MediaUrl needs
 *     the project's credentials becomes a ticket; a replay stays one message; other statuses are
 *     ignored; a forged signature stores nothing.
 */
import { api, signInAdmin, type SignedIn } from '../../support/desk.fixtures';
import { faxFixtures, phaxioCallback, phaxioForm, signalWireCallback, startFakeFaxProvider, type FakeFaxProvider } from '../../support/fax-fake';
import { startHubWithEnv, startTestHub, type TestHubEnv } from '../../support/hub';
import { until } from '../../support/process';

jest.setTimeout(180_000);

const PAGES = [['发票金额有误，请更正。', 'Invoice 8812 is wrong.'], ['谢谢。', 'Thank you.']];
const PHAXIO_TOKEN = 'phaxio-callback-token-3f9a';
const SW_KEY = 'PSK_signalwire_signing_key_71c2';
const SW_PROJECT = { user: 'project-5d1e', password: 'PT_api_token_0a9b8c7d' };
const PUBLIC_BASE = 'https://support.example.com';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
let apiHub: Hub;
let workerHub: Hub | undefined;
let admin: SignedIn;
let provider: FakeFaxProvider;
let pdf: Buffer;
let phaxioPath = '';
let signalWirePath = '';

const meta = (m: { metadata: Array<{ key: string; value: string }> }) => m.metadata.map(({ key, value }) => ({ key, value }));
const storedFax = (externalId: string) => apiHub.models.Message.find({ channel: 'fax', externalId }).lean();

async function instance(name: string, settings: Record<string, unknown>, secrets: Record<string, string>): Promise<string> {
  const res = await api<{ id: string }>(apiHub, admin.token, 'POST', '/channels', { kind: 'fax', name, settings, secrets });
  expect(res.status).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  ({ pdf } = await faxFixtures(PAGES));
  provider = await startFakeFaxProvider();
  // This process takes webhooks only: nothing reads faxes until the worker starts.
  apiHub = await startTestHub('fax-providers', { ROLES: 'api' });
  admin = await signInAdmin(apiHub);
  phaxioPath = `/channels/fax/${await instance('Phaxio', { provider: 'phaxio', callbackBaseUrl: PUBLIC_BASE }, { callbackToken: PHAXIO_TOKEN })}/inbound`;
  signalWirePath = `/channels/fax/${await instance('SignalWire', { provider: 'signalwire', projectId: SW_PROJECT.user }, { signingKey: SW_KEY, apiToken: SW_PROJECT.password })}/inbound`;
});
afterAll(async () => {
  await workerHub?.stop();
  await apiHub?.stop();
  await provider?.close();
});

const postForm = (path: string, form: FormData, signature: string) => fetch(`${apiHub.url}${path}`, { method: 'POST', body: form, headers: { 'x-phaxio-signature': signature } });

test('Phaxio: answered once queued, read later by a worker; a changed field or file is refused', async () => {
  // Signed over the URL Phaxio was given (the public address), not the one the hub sees.
  const signedUrl = `${PUBLIC_BASE}${phaxioPath}`;
  const cb = phaxioCallback({ url: signedUrl, token: PHAXIO_TOKEN, faxId: 9001, from: '+86 21 5555 0100', document: pdf, contentType: 'application/pdf' });
  const res = await postForm(phaxioPath, cb.form, cb.signature);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ received: true, duplicate: false, jobId: expect.any(String) });

  // Tampered after signing: another sender, another document, no signature, or signed for another URL.
  const otherSender = { ...cb.fields, fax: cb.fields.fax!.replace('+86 21 5555 0100', '+86 21 5555 0999').replace('9001', '9002') };
  expect((await postForm(phaxioPath, phaxioForm(otherSender, pdf, 'application/pdf'), cb.signature)).status).toBe(403);
  const otherFile = Buffer.concat([pdf, Buffer.from('\n% changed')]);
  expect((await postForm(phaxioPath, phaxioForm(cb.fields, otherFile, 'application/pdf'), cb.signature)).status).toBe(403);
  expect((await fetch(`${apiHub.url}${phaxioPath}`, { method: 'POST', body: phaxioForm(cb.fields, pdf, 'application/pdf') })).status).toBe(403);
  const wrongUrl = phaxioCallback({ url: `${apiHub.url}${phaxioPath}`, token: PHAXIO_TOKEN, faxId: 9003, from: '+862155550100', document: pdf, contentType: 'application/pdf' });
  expect((await postForm(phaxioPath, wrongUrl.form, wrongUrl.signature)).status).toBe(403);

  // Accepted, but nobody reads faxes yet: no message.
  await new Promise((r) => setTimeout(r, 1000));
  expect(await storedFax('9001')).toHaveLength(0);

  // A worker process starts: the queued fax is read and becomes a ticket.
  workerHub = await startHubWithEnv({ ...apiHub.env, ROLES: 'worker' } as TestHubEnv);
  const [m] = await until(() => storedFax('9001'), (l) => l.length > 0 && l[0]!.ticket != null, 90_000);
  for (const sentence of PAGES.flat()) expect(m!.text).toContain(sentence);
  expect(meta(m!)).toEqual(expect.arrayContaining([{ key: 'faxProvider', value: 'phaxio' }, { key: 'ocr', value: 'recognised' }, { key: 'faxPages', value: '2' }]));
  expect(m!.attachments.map((a) => a.name)).toEqual(['fax-9001.pdf', 'page-1.png', 'page-1.thumb.png', 'page-2.png', 'page-2.thumb.png']);
  const contact = await apiHub.models.Contact.findById(m!.contact).lean();
  expect(contact?.identities).toContainEqual(expect.objectContaining({ kind: 'fax', value: '+862155550100' }));
  for (const id of ['9002', '9003']) expect(await storedFax(id)).toHaveLength(0);

  // The provider retries the callback: nothing new.
  const again = await postForm(phaxioPath, phaxioForm(cb.fields, pdf, 'application/pdf'), cb.signature);
  expect(await again.json()).toMatchObject({ duplicate: true });
  expect(await storedFax('9001')).toHaveLength(1);
});

test('SignalWire: the document fetched with the project credentials becomes a ticket; replays, other statuses and forgeries add nothing', async () => {
  expect(workerHub).toBeDefined();
  const url = `${apiHub.url}${signalWirePath}`;
  const mediaUrl = provider.serve('sw-1.pdf', pdf, SW_PROJECT);
  const send = (cb: { body: string; signature: string }, header = 'x-signalwire-signature') =>
    fetch(url, { method: 'POST', body: cb.body, headers: { 'content-type': 'application/x-www-form-urlencoded', [header]: cb.signature } });
  const cb = signalWireCallback({ url, signingKey: SW_KEY, faxSid: 'FX-sw-1', from: '+85221234567', mediaUrl });
  expect((await send(cb)).status).toBe(200);
  const [m] = await until(() => storedFax('FX-sw-1'), (l) => l.length > 0 && l[0]!.ticket != null, 90_000);
  expect(m!.text).toContain('Invoice 8812 is wrong.');
  expect(meta(m!)).toContainEqual({ key: 'faxProvider', value: 'signalwire' });

  // A retry (also with Twilio's header name), a non-final status, a forged signature.
  expect(await (await send(cb, 'x-twilio-signature')).json()).toMatchObject({ duplicate: true });
  const failedStatus = signalWireCallback({ url, signingKey: SW_KEY, faxSid: 'FX-sw-2', from: '+85221234567', mediaUrl, status: 'failed' });
  expect(await (await send(failedStatus)).json()).toMatchObject({ ignored: true });
  const forged = signalWireCallback({ url, signingKey: 'PSK_another_projects_key_000', faxSid: 'FX-sw-3', from: '+85221234567', mediaUrl });
  expect((await send(forged)).status).toBe(403);
  // The document was fetched once, with the credentials (the fake answers 401 without them).
  expect(provider.hits.get('/media/sw-1.pdf')).toBe(1);
  await new Promise((r) => setTimeout(r, 500));
  expect(await storedFax('FX-sw-1')).toHaveLength(1);
  for (const id of ['FX-sw-2', 'FX-sw-3']) expect(await storedFax(id)).toHaveLength(0);
});
