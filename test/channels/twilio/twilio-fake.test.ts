/**
 * The local Twilio stand-in, driven by the real `twilio` SDK the hub uses (pointed at it by
 * configuration: `apiBaseUrl`): messages and calls are created and fetched in Twilio's JSON,
 * Basic auth is checked, errors come back as the SDK's RestException with Twilio's codes, media
 * needs the account's credentials, and its webhooks carry signatures the SDK validates.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { createTwilioClient, fetchTwilioFile } from '../../../channels/twilio/twilio.client';
import { startTwilioFake, type TwilioFake } from '../../support/twilio-fake';

let fake: TwilioFake;
beforeAll(async () => {
  fake = await startTwilioFake();
});
afterAll(() => fake?.close());

const client = () => createTwilioClient({ accountSid: fake.account.sid, authToken: fake.account.token, apiBaseUrl: fake.url });

test('the SDK creates and fetches a message on the fake, with the status callback it asked for', async () => {
  const created = await client().messages.create({ to: '+8613800138000', from: '+15005550006', body: '您好，您的退款已处理。', statusCallback: 'https://hub.example/cb' });
  expect(created.sid).toMatch(/^SM[0-9a-f]{32}$/);
  expect(created.status).toBe('queued');
  expect(created.numSegments).toBe('1');
  expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', authorized: true, params: { To: '+8613800138000', Body: '您好，您的退款已处理。', StatusCallback: 'https://hub.example/cb' } });
  const fetched = await client().messages(created.sid).fetch();
  expect(fetched).toMatchObject({ sid: created.sid, to: '+8613800138000', body: '您好，您的退款已处理。' });
});

test('wrong credentials and bad numbers come back as RestException with Twilio codes; injected 429/5xx too', async () => {
  const wrong = createTwilioClient({ accountSid: fake.account.sid, authToken: 'nope', apiBaseUrl: fake.url });
  await expect(wrong.messages.create({ to: '+15551234567', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 401, code: 20003 });
  await expect(client().messages.create({ to: '12345', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 400, code: 21211 });
  fake.failNext({ status: 429 }, { status: 503 });
  await expect(client().messages.create({ to: '+15551234567', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 429, code: 20429 });
  await expect(client().messages.create({ to: '+15551234567', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 503 });
  await expect(client().messages.create({ to: '+15551234567', from: '+15005550006', body: 'x' })).resolves.toMatchObject({ status: 'queued' });
});

test('calls, recordings and media', async () => {
  const call = await client().calls.create({ to: '+8613800138000', from: '+15005550006', url: 'https://hub.example/voice/callback' });
  expect(call.sid).toMatch(/^CA/);
  expect(fake.calls.at(-1)).toMatchObject({ to: '+8613800138000', url: 'https://hub.example/voice/callback' });
  const recUrl = fake.addRecording(`RE${'1'.repeat(32)}`, Buffer.from('ID3 fake mp3'));
  const rec = await client().recordings(`RE${'1'.repeat(32)}`).fetch();
  expect(rec.status).toBe('completed');
  const got = await fetchTwilioFile(`${recUrl}.mp3`, { accountSid: fake.account.sid, authToken: fake.account.token, maxBytes: 1000 });
  expect(got).toEqual({ bytes: Buffer.from('ID3 fake mp3'), contentType: 'audio/mpeg' });
  const mediaUrl = fake.addMedia(`/2010-04-01/Accounts/${fake.account.sid}/Messages/MM1/Media/ME1`, Buffer.from('png'), 'image/png');
  await expect(fetchTwilioFile(mediaUrl, { accountSid: fake.account.sid, authToken: 'bad', maxBytes: 1000 })).rejects.toThrow(/401/);
});

test('webhooks are signed the way the SDK validates them; retries repeat the same request', async () => {
  const seen: Array<{ signature: string | undefined; body: string }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ signature: req.headers['x-twilio-signature'] as string | undefined, body });
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<Response/>');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms?x=1`;
  try {
    const params = fake.incomingSms({ to: '+15005550006', from: '+8613800138000', body: 'STOP' });
    const answers = await fake.webhook(url, params, { times: 3 });
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(seen).toHaveLength(3);
    const form = Object.fromEntries(new URLSearchParams(seen[0]!.body));
    expect(form).toEqual(params);
    expect(twilio.validateRequest(fake.account.token, seen[0]!.signature!, url, form)).toBe(true);
    expect(twilio.validateRequest('other-token', seen[0]!.signature!, url, form)).toBe(false);
    await fake.webhook(url, params, { signature: 'wrong' });
    expect(twilio.validateRequest(fake.account.token, seen[3]!.signature!, url, form)).toBe(false);
    await fake.webhook(url, params, { signature: 'missing' });
    expect(seen[4]!.signature).toBeUndefined();
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
