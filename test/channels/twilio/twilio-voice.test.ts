/**
 * Calls to a Twilio number, played the way Twilio plays them (signed webhooks from the local
 * fake, recordings fetched from it with the account's credentials): the menu in the number's
 * language, voicemail with recording and transcript when nobody can answer, a call put through
 * to an online agent with the ticket assigned to them, and missed calls as one "call back" care
 * ticket each, however many of Twilio's callbacks say so.
 */
import { api, createUser, detail, setPresence, signInAdmin, teamId, type SignedIn, type TestHub } from '../../support/desk.fixtures';
import { startTestHub } from '../../support/hub';
import { until } from '../../support/process';
import { startTwilioFake, type TwilioFake } from '../../support/twilio-fake';

const ZH_NUMBER = '+861080001234';
const EN_NUMBER = '+14155550177';
const PUBLIC = 'https://voice.hub.example';
const AGENT_PHONE = '+14155550999';

let fake: TwilioFake;
let hub: TestHub;
let admin: SignedIn;
let agent: SignedIn;
const ids = { zh: '', en: '' };

let seq = 0;
const caller = () => `+86139${String(Date.now() % 100000).padStart(5, '0')}${String((seq += 1) % 100).padStart(2, '0')}`;

/** One call: each step posts Twilio's parameters for it to the number's webhook and answers the TwiML. */
function call(instance: 'zh' | 'en', from = caller()) {
  const base = fake.incomingCall({ to: instance === 'zh' ? ZH_NUMBER : EN_NUMBER, from });
  const step = async (path: string, extra: Record<string, string> = {}, times = 1) => {
    const answers = await fake.webhook(`${PUBLIC}/webhooks/twilio/${ids[instance]}${path}`, { ...base, CallStatus: 'in-progress', ...extra }, { times });
    for (const a of answers) expect(a.status).toBeLessThan(300);
    return answers[0]!.body;
  };
  return { sid: base.CallSid!, from, step };
}

const messagesOf = (sid: string) => hub.models.Message.find({ channel: 'voice', externalId: { $regex: `^${sid}:` } }).sort({ receivedAt: 1 }).lean();
/** The call's messages once `n` of them are stored. */
const stored = (sid: string, n: number) => until(() => messagesOf(sid), (ms) => ms.length >= n, 20_000);
const ticketOf = async (externalId: string) => {
  const [m] = await until(() => hub.models.Message.find({ channel: 'voice', externalId }).lean(), (ms) => ms.length > 0, 20_000);
  return (await hub.models.Ticket.findById(m!.ticket).lean())!;
};
/** The action URL of a verb in the TwiML, relative to the number's webhooks (path and query, as Twilio will call it). */
const actionOf = (twiml: string, verb: string): string => {
  const u = new URL(/action="([^"]+)"/.exec(twiml.slice(twiml.indexOf(`<${verb}`)))![1]!.replace(/&amp;/g, '&'));
  expect(u.origin).toBe(PUBLIC);
  return `${u.pathname.replace(/^\/webhooks\/twilio\/[^/]+/, '')}${u.search}`;
};

beforeAll(async () => {
  fake = await startTwilioFake();
  hub = await startTestHub('twilio-voice', { ROUTING_SWEEP_MS: '200' });
  fake.proxy(PUBLIC, hub.url);
  admin = await signInAdmin(hub);
  const support = await teamId(hub, admin, 'Support');
  agent = await createUser(hub, admin, 'agent', [support], 'Agent Li', { phone: AGENT_PHONE });
  for (const [key, number, voiceLanguage] of [['zh', ZH_NUMBER, 'zh-CN'], ['en', EN_NUMBER, 'en']] as const) {
    const res = await api<{ id: string }>(hub, admin.token, 'POST', '/channels', {
      kind: 'twilio',
      name: `Line ${number}`,
      team: support,
      settings: { number, accountSid: fake.account.sid, webhookBaseUrl: PUBLIC, apiBaseUrl: fake.url, voiceLanguage },
      secrets: { authToken: fake.account.token },
    });
    expect(res.status).toBe(201);
    ids[key] = res.body.id;
  }
});
afterAll(async () => {
  await hub?.stop();
  await fake?.close();
});

test('a user\'s phone is kept as E.164 and refused otherwise', async () => {
  const me = await api<{ phone: string }>(hub, admin.token, 'GET', `/users`);
  expect(JSON.stringify(me.body)).toContain(AGENT_PHONE);
  const bad = await api<{ errors: Array<{ field: string }> }>(hub, admin.token, 'PATCH', `/users/${agent.id}`, { phone: '555-1234' });
  expect(bad.status).toBe(422);
  expect(bad.body.errors.map((e) => e.field)).toEqual(['phone']);
});

test('the menu in Chinese, 1, nobody online → voicemail → transcript: a complaint ticket with the recording and the transcript', async () => {
  await setPresence(hub, agent, 'offline');
  const c = call('zh');
  const welcome = await c.step('/voice');
  expect(welcome).toMatch(/<Gather[^>]*numDigits="1"/);
  expect(welcome).toContain('<Say language="zh-CN">您好，感谢致电。投诉请按1，建议请按2，其他咨询请按3。</Say>');
  const menu = await c.step(actionOf(welcome, 'Gather'), { Digits: '1' });
  expect(menu).toContain('请在提示音后留言');
  expect(menu).toMatch(/<Record[^>]*transcribe="true"/);
  expect(menu).toMatch(/<Record[^>]*maxLength="120"/);

  const audio = Buffer.from('ID3\u0004fake voicemail audio');
  const recordingUrl = fake.addRecording(`RE${'a'.repeat(31)}1`, audio);
  const done = await c.step(actionOf(menu, 'Record'), { RecordingUrl: recordingUrl, RecordingSid: `RE${'a'.repeat(31)}1`, RecordingDuration: '7' });
  expect(done).toContain('感谢您的留言');
  const transcribe = /transcribeCallback="([^"]+)"/.exec(menu)![1]!.replace(/&amp;/g, '&');
  await fake.webhook(transcribe, { ...fake.incomingCall({ to: ZH_NUMBER, from: c.from, sid: c.sid }), TranscriptionStatus: 'completed', TranscriptionText: '快递员把我的包裹扔在门口，箱子都摔坏了。', RecordingSid: `RE${'a'.repeat(31)}1` });

  const ticket = await ticketOf(`${c.sid}:transcript`);
  expect(ticket).toMatchObject({ channel: 'voice', type: 'complaint' });
  // Voicemail and transcript are on one ticket.
  expect(new Set((await stored(c.sid, 2)).map((m) => m.ticket?.toString()))).toEqual(new Set([ticket._id.toString()]));
  const d = await detail(hub, admin.token, ticket._id.toString());
  const voicemail = d.messages.find((m) => m.text.startsWith('Voicemail from'))!;
  expect(voicemail.attachments).toEqual([expect.objectContaining({ name: 'voicemail.mp3', contentType: 'audio/mpeg', size: audio.length })]);
  const bytes = Buffer.from(await (await fetch(`${hub.url}${voicemail.attachments[0]!.url}`, { headers: { authorization: `Bearer ${admin.token}` } })).arrayBuffer());
  expect(bytes.equals(audio)).toBe(true);
  expect(d.messages.map((m) => m.text)).toContain('Transcript of the voicemail: 快递员把我的包裹扔在门口，箱子都摔坏了。');
  // The recording was fetched with the account's credentials.
  expect(fake.requests.filter((r) => r.path.endsWith('.mp3')).every((r) => r.authorized)).toBe(true);
  // The call ended with a voicemail: the status callback adds no "call back" ticket.
  await c.step('/voice/status', { CallStatus: 'completed' });
  expect((await messagesOf(c.sid)).map((m) => m.externalId.split(':')[1]).sort()).toEqual(['transcript', 'voicemail']);
});

test('a failed transcription leaves the recording on the ticket and says so', async () => {
  await setPresence(hub, agent, 'offline');
  const c = call('en');
  const welcome = await c.step('/voice');
  expect(welcome).toContain('<Say language="en-US">Hello, thank you for calling. For a complaint, press 1.');
  const menu = await c.step(actionOf(welcome, 'Gather'), { Digits: '2' });
  const recordingUrl = fake.addRecording(`RE${'b'.repeat(31)}2`, Buffer.from('ID3 second'));
  await c.step(actionOf(menu, 'Record'), { RecordingUrl: recordingUrl, RecordingDuration: '4' });
  const transcribe = /transcribeCallback="([^"]+)"/.exec(menu)![1]!.replace(/&amp;/g, '&');
  await fake.webhook(transcribe, { ...fake.incomingCall({ to: EN_NUMBER, from: c.from, sid: c.sid }), TranscriptionStatus: 'failed' });
  const ticket = await ticketOf(`${c.sid}:transcript`);
  expect(ticket.type).toBe('suggestion');
  expect(new Set((await stored(c.sid, 2)).map((m) => m.ticket?.toString()))).toEqual(new Set([ticket._id.toString()]));
  const d = await detail(hub, admin.token, ticket._id.toString());
  expect(d.messages.find((m) => m.text.startsWith('Voicemail from'))?.attachments).toHaveLength(1);
  expect(d.messages.map((m) => m.text)).toContain('The voicemail could not be transcribed (failed); listen to the recording.');
});

test('with an agent online the call is put through to their phone and the ticket is assigned to them', async () => {
  await setPresence(hub, agent, 'online');
  const c = call('en');
  const welcome = await c.step('/voice');
  const menu = await c.step(actionOf(welcome, 'Gather'), { Digits: '3' });
  expect(menu).toContain('Connecting you to an agent');
  expect(menu).toMatch(new RegExp(`<Dial[^>]*><Number>\\${AGENT_PHONE}</Number></Dial>`));
  const ticket = await ticketOf(`${c.sid}:call`);
  expect(ticket.type).toBe('care');
  const assigned = await until(() => hub.models.Ticket.findById(ticket._id).lean(), (t) => t?.assignee?.toString() === agent.id, 20_000);
  expect(assigned?.assignee?.toString()).toBe(agent.id);
  // The agent answered: nothing is missed.
  await c.step(actionOf(menu, 'Dial'), { DialCallStatus: 'completed' });
  await c.step('/voice/status', { CallStatus: 'completed' });
  expect((await messagesOf(c.sid)).map((m) => m.externalId)).toEqual([`${c.sid}:call`]);
  await setPresence(hub, agent, 'offline');
});

test('hang-up in the menu and a dial nobody answers give one "call back" ticket each, not two: the dialled call\'s own ticket, released from the agent', async () => {
  // Hung up in the menu: Twilio's status callback, delivered twice.
  const hangUp = call('zh');
  await hangUp.step('/voice');
  await hangUp.step('/voice/status', { CallStatus: 'completed' }, 2);
  const t1 = await ticketOf(`${hangUp.sid}:missed`);
  expect(t1).toMatchObject({ type: 'care', subject: `Call back ${hangUp.from}` });

  // Put through, but the agent's phone rings out: the dial action (retried) and the status callback.
  await setPresence(hub, agent, 'online');
  const noAnswer = call('en');
  const menu = await noAnswer.step(actionOf(await noAnswer.step('/voice'), 'Gather'), { Digits: '1' });
  expect(menu).toContain('<Dial');
  const dialled = await ticketOf(`${noAnswer.sid}:call`);
  await until(() => hub.models.Ticket.findById(dialled._id).lean(), (t) => t?.assignee?.toString() === agent.id, 20_000);
  await setPresence(hub, agent, 'offline');
  const sorry = await noAnswer.step(actionOf(menu, 'Dial'), { DialCallStatus: 'no-answer' }, 2);
  expect(sorry).toContain('We will call you back soon');
  await noAnswer.step('/voice/status', { CallStatus: 'completed' });
  // The call's own ticket is the call-back one: the chosen type stays, flagged, no longer the agent's who did not answer.
  expect((await ticketOf(`${noAnswer.sid}:missed`))._id.toString()).toBe(dialled._id.toString());
  const t2 = await until(() => hub.models.Ticket.findById(dialled._id).lean(), (t) => t !== null && t.assignee === null, 20_000);
  expect(t2).toMatchObject({ type: 'complaint', tags: ['call back'], assignee: null });
  expect(await hub.models.Ticket.countDocuments({ contact: t2!.contact })).toBe(1);
  const d = await detail(hub, admin.token, dialled._id.toString());
  expect(d.messages.map((m) => m.text)).toEqual([
    `Phone call from ${noAnswer.from}: pressed 1 (complaint); put through to Agent Li.`,
    `Missed call from ${noAnswer.from} (no-answer). Call the customer back.`,
  ]);
  expect(d.timeline.some((e) => e.action === 'assignee' && e.code === 'assignee.reassigned')).toBe(true);

  // An empty voicemail (Twilio skips the Record action; the TwiML's Redirect comes instead).
  const empty = call('en');
  const vm = await empty.step(actionOf(await empty.step('/voice'), 'Gather'), { Digits: '2' });
  const redirect = /<Redirect[^>]*>([^<]+)<\/Redirect>/.exec(vm)![1]!.replace(/&amp;/g, '&');
  await fake.webhook(redirect, { ...fake.incomingCall({ to: EN_NUMBER, from: empty.from, sid: empty.sid }) });
  await empty.step('/voice/status', { CallStatus: 'completed' });
  expect((await ticketOf(`${empty.sid}:missed`)).type).toBe('care');

  for (const c of [hangUp, noAnswer, empty]) {
    const missed = (await messagesOf(c.sid)).filter((m) => m.externalId.endsWith(':missed'));
    expect(missed).toHaveLength(1);
    const tickets = await hub.models.Ticket.find({ contact: missed[0]!.contact }).lean();
    expect(tickets.map((t) => t.tags)).toEqual([['call back']]);
  }
  expect(t1.tags).toEqual(['call back']);
});

test('an unsigned call webhook is refused and nothing is stored', async () => {
  const c = fake.incomingCall({ to: EN_NUMBER, from: caller() });
  const [res] = await fake.webhook(`${PUBLIC}/webhooks/twilio/${ids.en}/voice/status`, { ...c, CallStatus: 'completed' }, { signature: 'missing' });
  expect(res!.status).toBe(400);
  const [wrong] = await fake.webhook(`${PUBLIC}/webhooks/twilio/${ids.en}/voice/status`, { ...c, CallStatus: 'completed' }, { signature: 'wrong' });
  expect(wrong!.status).toBe(403);
  expect(await messagesOf(c.CallSid!)).toHaveLength(0);
});
