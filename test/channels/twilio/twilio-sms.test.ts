/**
 * SMS through a Twilio number configured as a channel instance, against the local Twilio fake
 * driven by the real SDK: texts become tickets on the customer's one contact, webhooks are
 * checked against the configured public URL, Twilio's retries store one message, MMS media land
 * in the attachment store, agent replies reach Twilio with a status callback whose (out of order)
 * reports end in `delivered`, API failures retry or fail with Twilio's reason, and STOP stops.
 */
import { api, createUser, detail, inbound, signInAdmin, teamId, type SignedIn, type TestHub } from '../../support/desk.fixtures';
import { startTestHub } from '../../support/hub';
import { until } from '../../support/process';
import { startTwilioFake, type TwilioFake } from '../../support/twilio-fake';

const NUMBER = '+14155550100';
const PUBLIC = 'https://hub.example.com/support';

let fake: TwilioFake;
let hub: TestHub;
let admin: SignedIn;
let agent: SignedIn;
let instanceId = '';

/** What Twilio is configured with and signs: the public URL (the fake's proxy delivers it to the hub). */
const hook = (path: string) => `${PUBLIC}/webhooks/twilio/${instanceId}${path}`;

let seq = 0;
const customer = () => `+86138${String(Date.now() % 100000).padStart(5, '0')}${String((seq += 1) % 100).padStart(2, '0')}`;

async function text(from: string, body: string, extra: { sid?: string; media?: Array<{ url: string; contentType: string }>; times?: number } = {}) {
  const params = fake.incomingSms({ to: NUMBER, from, body, ...extra });
  const answers = await fake.webhook(hook('/sms'), params, { times: extra.times ?? 1 });
  return { sid: params.MessageSid!, answers };
}

const stored = (sid: string) => hub.models.Message.find({ channel: 'sms', externalId: sid }).lean();
const storedOnce = async (sid: string) => (await until(() => stored(sid), (ms) => ms.length > 0, 20_000))[0]!;

async function reply(ticketId: string, body: string, who: SignedIn = agent) {
  return api<{ id: string; deliveryStatus: string; deliveryError: string | null }>(hub, who.token, 'POST', `/tickets/${ticketId}/replies`, { text: body });
}
const outbound = (id: string) => until(() => hub.models.Message.findById(id).lean(), (m) => m !== null && m.deliveryStatus !== 'queued', 20_000);

beforeAll(async () => {
  fake = await startTwilioFake();
  hub = await startTestHub('twilio-sms', { OUTBOUND_RETRY_BASE_MS: '50', OUTBOUND_ATTEMPTS: '3' });
  fake.proxy(PUBLIC, hub.url);
  admin = await signInAdmin(hub);
  const support = await teamId(hub, admin, 'Support');
  agent = await createUser(hub, admin, 'agent', [support], 'Agent Ada');
  const res = await api<{ id: string; secrets: Record<string, { set: boolean }>; settings: Record<string, unknown> }>(hub, admin.token, 'POST', '/channels', {
    kind: 'twilio',
    name: `SMS ${NUMBER}`,
    team: support,
    settings: { number: NUMBER, accountSid: fake.account.sid, webhookBaseUrl: PUBLIC, apiBaseUrl: fake.url, typeKeywords: { complaint: ['投诉', 'complaint'] } },
    secrets: { authToken: fake.account.token },
  });
  expect(res.status).toBe(201);
  instanceId = res.body.id;
  // The token is write-only: the API says it is set, never what it is.
  expect(res.body.secrets).toEqual({ authToken: { set: true } });
  expect(JSON.stringify(res.body)).not.toContain(fake.account.token);
});
afterAll(async () => {
  await hub?.stop();
  await fake?.close();
});

test('a number with a bad E.164 or account SID is refused at the field', async () => {
  const res = await api<{ errors: Array<{ field: string }> }>(hub, admin.token, 'POST', '/channels', {
    kind: 'twilio',
    name: 'Bad number',
    settings: { number: '010-1234', accountSid: 'nope' },
  });
  expect(res.status).toBe(422);
  expect(res.body.errors.map((e) => e.field).sort()).toEqual(['settings.accountSid', 'settings.number']);
});

test('an SMS becomes a ticket of the number\'s team; the agent\'s reply reaches Twilio and its out-of-order status callbacks end in delivered', async () => {
  const from = customer();
  const { sid, answers } = await text(from, '我的订单还没到，请帮我查一下。');
  // Empty TwiML at once: nothing is texted back automatically.
  expect(answers[0]).toMatchObject({ status: 200 });
  expect(answers[0]!.contentType).toMatch(/^text\/xml/);
  expect(answers[0]!.body).toMatch(/<Response\s*\/>/);
  const m = await storedOnce(sid);
  expect(m).toMatchObject({ direction: 'inbound', text: '我的订单还没到，请帮我查一下。', from: { address: from } });
  const contact = await hub.models.Contact.findById(m.contact).lean();
  expect(contact?.identities).toContainEqual({ kind: 'phone', value: from });
  const ticketId = m.ticket!.toString();
  const d = await detail(hub, agent.token, ticketId);
  expect(d.ticket).toMatchObject({ channel: 'sms', team: { name: 'Support' } });
  expect(d.canReply).toBe(true);

  const r = await reply(ticketId, '您好，我们正在查询您的订单。');
  expect(r.status).toBe(201);
  const sent = await outbound(r.body.id);
  expect(sent?.deliveryStatus).toBe('sent');
  const tw = fake.messages.find((x) => x.body === '您好，我们正在查询您的订单。')!;
  expect(tw).toMatchObject({ to: from, from: NUMBER });
  expect(sent?.externalId).toBe(tw.sid);
  expect(tw.statusCallback).toBe(`${PUBLIC}/webhooks/twilio/${instanceId}/sms/status?messageId=${r.body.id}`);

  // Twilio's callbacks arrive out of order: delivered first, then the late sent.
  const cb = await fake.statusCallbacks(tw.sid, ['delivered', 'sent'].map(String));
  expect(cb.map((x) => x.status)).toEqual([204, 204]);
  const after = await detail(hub, agent.token, ticketId);
  const shown = after.messages.find((x) => x.id === r.body.id)!;
  expect(shown).toMatchObject({ deliveryStatus: 'delivered', deliveryError: null });
  expect(after.timeline.filter((e) => e.code === 'delivery.delivered')).toHaveLength(1);

  // The customer's answer continues the same ticket.
  const next = await text(from, '好的，谢谢');
  expect((await storedOnce(next.sid)).ticket?.toString()).toBe(ticketId);
});

test('the same webhook delivered 5 times gives one message; unsigned and wrongly signed webhooks store nothing', async () => {
  const from = customer();
  const { sid, answers } = await text(from, 'Is anyone there?', { times: 5 });
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
  await storedOnce(sid);
  expect(await stored(sid)).toHaveLength(1);
  expect(await hub.models.Ticket.countDocuments({ contact: (await storedOnce(sid)).contact })).toBe(1);

  const unsigned = fake.incomingSms({ to: NUMBER, from, body: 'unsigned' });
  const missing = await fake.webhook(hook('/sms'), unsigned, { signature: 'missing' });
  expect(missing[0]!.status).toBe(400);
  expect(JSON.parse(missing[0]!.body)).toMatchObject({ title: 'Missing signature' });
  const wrong = fake.incomingSms({ to: NUMBER, from, body: 'wrong' });
  expect((await fake.webhook(hook('/sms'), wrong, { signature: 'wrong' }))[0]!.status).toBe(403);
  // Signed for the address the hub listens on (its Host), not the public URL it is configured with: refused too.
  const direct = `${hub.url}/webhooks/twilio/${instanceId}/sms`;
  const hostSigned = fake.incomingSms({ to: NUMBER, from, body: 'host-signed' });
  expect((await fake.webhook(direct, hostSigned))[0]!.status).toBe(403);
  // A tampered body is refused.
  const tampered = await fetch(direct, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' },
    body: new URLSearchParams({ ...unsigned, Body: 'tampered' }).toString(),
  });
  expect(tampered.status).toBe(403);
  // Nothing of these reached the ingest queue: a valid message sent afterwards is the next one stored.
  const after = await text(from, 'after the bad ones');
  await storedOnce(after.sid);
  for (const p of [unsigned, wrong, hostSigned]) expect(await stored(p.MessageSid!)).toHaveLength(0);
});

test('MMS media are fetched with the account credentials into attachments; a failed fetch is recorded, the message kept', async () => {
  const from = customer();
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const good = fake.addMedia(`/2010-04-01/Accounts/${fake.account.sid}/Messages/MM1/Media/ME1`, png, 'image/png');
  const gone = `${fake.url}/2010-04-01/Accounts/${fake.account.sid}/Messages/MM1/Media/MEgone`;
  const { sid } = await text(from, 'photo of the broken box', { media: [{ url: good, contentType: 'image/png' }, { url: gone, contentType: 'image/jpeg' }] });
  const m = await storedOnce(sid);
  expect(m.attachments.map((a) => [a.contentType, a.size])).toEqual([['image/png', png.length]]);
  const failed = m.metadata.find((x) => x.key === 'mediaFailed')?.value ?? '';
  expect(failed).toMatch(/media 2 \(image\/jpeg\).*404/);
  const d = await detail(hub, agent.token, m.ticket!.toString());
  const att = d.messages.find((x) => x.id === m._id.toString())!.attachments[0]!;
  const bytes = Buffer.from(await (await fetch(`${hub.url}${att.url}`, { headers: { authorization: `Bearer ${agent.token}` } })).arrayBuffer());
  expect(bytes.equals(png)).toBe(true);
});

test('a retried MMS webhook fetches its media once and stores one message with them', async () => {
  const from = customer();
  const jpg = Buffer.from('ffd8ffe000104a46494600010101', 'hex');
  const path = `/2010-04-01/Accounts/${fake.account.sid}/Messages/MM2/Media/ME2`;
  const url = fake.addMedia(path, jpg, 'image/jpeg');
  const { sid, answers } = await text(from, 'the label is torn', { media: [{ url, contentType: 'image/jpeg' }], times: 4 });
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  const m = await storedOnce(sid);
  expect(m.attachments.map((a) => [a.contentType, a.size])).toEqual([['image/jpeg', jpg.length]]);
  expect(await stored(sid)).toHaveLength(1);
  expect(fake.requests.filter((r) => r.path === path)).toHaveLength(1);
});

test('STOP opts the number out: shown on the contact, replies refused with the reason; START opts back in', async () => {
  const from = customer();
  const first = await text(from, 'complaint: the courier was rude');
  const m = await storedOnce(first.sid);
  const ticketId = m.ticket!.toString();
  expect((await detail(hub, agent.token, ticketId)).ticket.type).toBe('complaint');

  const stop = await text(from, '退订');
  await storedOnce(stop.sid);
  const contact = await api<{ contact: { optOuts: Array<{ channel: string; address: string; keyword: string }> } }>(hub, agent.token, 'GET', `/contacts/${m.contact!.toString()}`);
  expect(contact.body.contact.optOuts).toEqual([expect.objectContaining({ channel: 'sms', address: from, keyword: '退订' })]);

  const sentBefore = fake.messages.length;
  const refused = await api<{ detail: string; errors: Array<{ field: string; message: string }> }>(hub, agent.token, 'POST', `/tickets/${ticketId}/replies`, { text: 'Sorry to hear that!' });
  expect(refused.status).toBe(409);
  expect(refused.body.errors).toEqual([{ field: 'to', message: 'opted_out', code: 'opted_out' }]);
  expect(refused.body.detail).toMatch(new RegExp(`\\${from} opted out of SMS \\(they sent 退订 on .*\\); nothing is sent until they text START`));
  expect(fake.messages.length).toBe(sentBefore);

  const start = await text(from, 'START');
  await storedOnce(start.sid);
  expect((await api<{ contact: { optOuts: unknown[] } }>(hub, agent.token, 'GET', `/contacts/${m.contact!.toString()}`)).body.contact.optOuts).toEqual([]);
  const ok = await reply(ticketId, 'Welcome back, we are on it.');
  expect(ok.status).toBe(201);
  expect((await outbound(ok.body.id))?.deliveryStatus).toBe('sent');
});

test('a 429 or 5xx from Twilio retries; a 4xx fails with Twilio\'s reason; an undelivered callback carries the error code', async () => {
  const from = customer();
  const { sid } = await text(from, 'Need an invoice copy');
  const ticketId = (await storedOnce(sid)).ticket!.toString();

  fake.failNext({ status: 429, pathContains: 'Messages.json' }, { status: 503, pathContains: 'Messages.json' });
  const retried = await reply(ticketId, 'Here it comes.');
  expect((await outbound(retried.body.id))?.deliveryStatus).toBe('sent');
  expect(fake.messages.filter((x) => x.body === 'Here it comes.')).toHaveLength(1);

  fake.failNext({ status: 400, code: 21408, message: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number", pathContains: 'Messages.json' });
  const rejected = await reply(ticketId, 'And a second copy.');
  const failed = await outbound(rejected.body.id);
  expect(failed?.deliveryStatus).toBe('failed');
  expect(failed?.deliveryError).toMatch(/Twilio error 21408: Permission to send an SMS has not been enabled/);

  const lost = await reply(ticketId, 'Did you get it?');
  await outbound(lost.body.id);
  const tw = fake.messages.find((x) => x.body === 'Did you get it?')!;
  await fake.statusCallbacks(tw.sid, ['sent', { status: 'undelivered', errorCode: 30003 }, 'sent']);
  const d = await detail(hub, agent.token, ticketId);
  expect(d.messages.find((x) => x.id === lost.body.id)).toMatchObject({
    deliveryStatus: 'failed',
    deliveryError: 'undelivered: Twilio error 30003 (unreachable destination handset)',
  });
});

test('a caller who emailed from an address linked to their phone lands on the same contact', async () => {
  const from = customer();
  const mail = await inbound(hub, {
    channel: 'email',
    from: { address: 'wang.fang@example.cn', name: '王芳' },
    identities: [{ kind: 'phone', value: `${from.slice(0, 3)} ${from.slice(3, 6)} ${from.slice(6, 10)} ${from.slice(10)}` }],
    text: '发票问题',
  });
  const emailed = await hub.models.Message.findById(mail.messageId).lean();
  const { sid } = await text(from, '我是王芳，刚才发了邮件');
  const sms = await storedOnce(sid);
  expect(sms.contact?.toString()).toBe(emailed?.contact?.toString());
});
