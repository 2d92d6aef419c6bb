/**
 * CSAT by email and SMS: resolving a ticket asks its customer once, in their channel — a mail
 * (to the SMTP sink) with one signed single-use link per score, an SMS (at the Twilio fake) asking
 * to reply 1-5. Answers land on the right ticket and its timeline and go out as `csat.answered`;
 * a forged or reused link is refused and changes nothing; a digit from another number is an
 * ordinary message; a 2 opens a care follow-up for the team lead.
 */
import type { CsatAnsweredEvent } from '../../src/events/event.types';
import { api, createUser, detail, inbound, signInAdmin, teamId, type SignedIn, type TestHub } from '../support/desk.fixtures';
import { request, startTestHub } from '../support/hub';
import { until } from '../support/process';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { startTwilioFake, type TwilioFake } from '../support/twilio-fake';

const NUMBER = '+14155550123';
const PUBLIC = 'https://hub.example.com/care';

let smtp: TestSmtpServer;
let fake: TwilioFake;
let hub: TestHub;
let admin: SignedIn;
let lead: SignedIn;
let support = '';
let instanceId = '';
const answered: CsatAnsweredEvent[] = [];

beforeAll(async () => {
  [smtp, fake] = await Promise.all([startSmtpServer(), startTwilioFake()]);
  hub = await startTestHub('csat-email-sms', { SMTP_URL: smtp.url, EMAIL_FROM: 'Care <care@hub.example>', OUTBOUND_RETRY_BASE_MS: '50' });
  fake.proxy(PUBLIC, hub.url);
  admin = await signInAdmin(hub);
  support = await teamId(hub, admin, 'Support');
  lead = await createUser(hub, admin, 'supervisor', [support], 'Lead Lin');
  const res = await api<{ id: string }>(hub, admin.token, 'POST', '/channels', {
    kind: 'twilio',
    name: `SMS ${NUMBER}`,
    team: support,
    settings: { number: NUMBER, accountSid: fake.account.sid, webhookBaseUrl: PUBLIC, apiBaseUrl: fake.url },
    secrets: { authToken: fake.account.token },
  });
  expect(res.status).toBe(201);
  instanceId = res.body.id;
  hub.bus.subscribe('test-csat-answered', (e) => {
    if (e.type === 'csat.answered') answered.push(e);
  });
});
afterAll(async () => {
  await hub?.stop();
  await Promise.all([smtp?.close(), fake?.close()]);
});

/** Resolves a ticket (a complaint's cause is given too; other types ignore it). */
async function resolve(ticketId: string): Promise<void> {
  const res = await api(hub, admin.token, 'PATCH', `/tickets/${ticketId}`, { status: 'resolved', cause: 'delivery' });
  expect(res.status).toBe(200);
}
const mailsTo = (address: string) => smtp.received.filter((m) => m.envelopeTo.includes(address));
const linksIn = (text: string): string[] => [...text.matchAll(/(\S+\/csat\/v1\.[A-Za-z0-9_.-]+)/g)].map((m) => m[1]!);
/** The link's path on the hub (the mail names the public URL the hub was told, here its own). */
const open = (link: string, init: { method?: string; body?: string } = {}) =>
  fetch(`${hub.url}${new URL(link).pathname}`, { method: init.method ?? 'GET', ...(init.body ? { body: init.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}) });

test('an email customer is asked once by mail; a forged link is refused, a 2 is stored and opens a follow-up for the team lead, the reused link is refused', async () => {
  const alice = 'alice.csat@example.org';
  const { ticketId } = await inbound(hub, { channel: 'email', from: { address: alice, name: 'Alice' }, subject: 'Broken kettle', text: 'My kettle stopped working.', chosenType: 'care' });
  await resolve(ticketId);
  const mail = await smtp.waitFor(alice);
  expect(mail.mail.subject).toContain('Broken kettle');
  const links = linksIn(mail.mail.text ?? '');
  expect(links).toHaveLength(5);
  expect(mail.mail.html).toContain('/csat/v1.');

  // Reopened and resolved again: not asked a second time. (Another customer's mail, asked after it, shows the listener got that far.)
  expect((await api(hub, admin.token, 'PATCH', `/tickets/${ticketId}`, { status: 'open', assignee: admin.id })).status).toBe(200);
  await resolve(ticketId);
  const other = 'bob.csat@example.org';
  const second = await inbound(hub, { channel: 'email', from: { address: other, name: 'Bob' }, subject: 'Late parcel', text: 'Where is my parcel?', chosenType: 'care' });
  await resolve(second.ticketId);
  await smtp.waitFor(other);
  expect(mailsTo(alice)).toHaveLength(1);

  // A forged link (the score changed in the signed part) is refused and records nothing.
  const two = links[1]!;
  const [v, payload, sig] = new URL(two).pathname.split('/').at(-1)!.split('.');
  const forgedPayload = Buffer.from(Buffer.from(payload!, 'base64url').toString('utf8').replace('"s":2', '"s":5')).toString('base64url');
  const forged = await open(`${hub.url}/csat/${v}.${forgedPayload}.${sig}`);
  expect(forged.status).toBe(400);
  expect(await forged.text()).toContain('This link is not valid');
  expect((await detail(hub, admin.token, ticketId)).ticket).toMatchObject({ csat: null });

  // Bob's link does not answer Alice's ticket even if someone swaps the ticket id: the signature covers it.
  const bobLink = linksIn((await smtp.waitFor(other)).mail.text ?? '')[4]!;
  const bobPage = await open(bobLink);
  expect(bobPage.status).toBe(200);
  const bobAction = /action="([^"]+)"/.exec(await bobPage.text())![1]!;
  expect((await fetch(`${hub.url}${bobAction}`, { method: 'POST', body: 'score=5', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);
  expect((await detail(hub, admin.token, second.ticketId)).ticket).toMatchObject({ csat: { score: 5 } });

  // Opening Alice's "2" link (as a mail scanner or link preview does, twice) records nothing:
  // it shows the rating preselected, with a comment field and a button.
  for (let i = 0; i < 2; i++) {
    const preview = await open(two);
    expect(preview.status).toBe(200);
    const shown = await preview.text();
    expect(shown).toMatch(/value="2" checked/);
    expect(shown).toContain('Send rating');
  }
  expect((await detail(hub, admin.token, ticketId)).ticket).toMatchObject({ csat: null });
  expect((await detail(hub, admin.token, ticketId)).timeline.some((e) => e.code === 'csat.answered')).toBe(false);

  // Alice sends the form: her 2 and her comment are recorded, once.
  const html = await (await open(two)).text();
  const action = /action="([^"]+)"/.exec(html)![1]!;
  const sent = await fetch(`${hub.url}${action}`, { method: 'POST', body: 'score=2&comment=The+replacement+took+too+long', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(sent.status).toBe(200);
  expect(await sent.text()).toContain('We recorded your rating 2/5');
  const d = await detail(hub, admin.token, ticketId);
  expect(d.ticket).toMatchObject({ csat: { score: 2, comment: 'The replacement took too long', channel: 'email' } });
  expect(d.timeline.filter((e) => e.code === 'csat.asked')).toHaveLength(1);
  expect(d.timeline.find((e) => e.code === 'csat.answered_comment')).toMatchObject({ actor: { kind: 'customer' }, params: { score: '2' } });
  await until(async () => answered.filter((e) => e.ticketId === ticketId), (l) => l.length === 1, 15_000);
  expect(answered.find((e) => e.ticketId === ticketId)).toMatchObject({ score: 2, channel: 'email', ticketType: 'care', teamId: support });

  // The low score opened a care follow-up for the team's lead, linked to the ticket.
  const followUp = await until(() => hub.models.Ticket.findOne({ previousTicket: ticketId, type: 'care' }).lean(), (t) => t !== null && t.assignee !== null, 15_000);
  expect(followUp!.assignee!.toString()).toBe(lead.id);
  expect(followUp!.priority).toBe('high');
  expect((await detail(hub, admin.token, ticketId)).timeline.some((e) => e.code === 'csat.follow_up_opened' && e.params.number === String(followUp!.number))).toBe(true);

  // The same link again, or another score's link, opened or sent: refused, the answer stays 2.
  for (const link of [two, links[3]!]) {
    const again = await open(link);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already used');
  }
  const resent = await fetch(`${hub.url}${action}`, { method: 'POST', body: 'score=5&comment=again', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(resent.status).toBe(409);
  const after = await detail(hub, admin.token, ticketId);
  expect(after.ticket).toMatchObject({ csat: { score: 2, comment: 'The replacement took too long' } });
  expect(after.timeline.filter((e) => e.code === 'csat.answered' || e.code === 'csat.answered_comment')).toHaveLength(1);
  // Only one follow-up, however many clicks.
  expect(await hub.models.Ticket.countDocuments({ previousTicket: ticketId, type: 'care' })).toBe(1);
});

test('an SMS customer is asked to reply 1-5; their digit is the answer (no message), a digit from another number is an ordinary message', async () => {
  const from = '+8613800138011';
  const hook = `${PUBLIC}/webhooks/twilio/${instanceId}/sms`;
  await fake.webhook(hook, fake.incomingSms({ to: NUMBER, from, body: 'My order has not arrived.' }));
  const ticket = await until(() => hub.models.Ticket.findOne({ channel: 'sms' }).sort({ createdAt: -1 }).lean(), (t) => t !== null, 20_000);
  await resolve(ticket!._id.toString());
  const asked = await until(async () => fake.messages.filter((m) => m.to === from && m.direction === 'outbound-api'), (l) => l.length > 0, 20_000);
  expect(asked).toHaveLength(1);
  expect(asked[0]!.body).toContain('Reply with one number from 1 (very unhappy) to 5 (very happy)');

  // Someone else texting a digit: not an answer to this ticket, just a message of their own.
  const stranger = '+8613900139022';
  const s = fake.incomingSms({ to: NUMBER, from: stranger, body: '5' });
  await fake.webhook(hook, s);
  await until(() => hub.models.Message.findOne({ channel: 'sms', externalId: s.MessageSid }).lean(), (m) => m !== null, 20_000);
  expect((await detail(hub, admin.token, ticket!._id.toString())).ticket).toMatchObject({ csat: null });

  // The customer's "4" (delivered twice by Twilio) is the answer, and no message on any ticket.
  const four = fake.incomingSms({ to: NUMBER, from, body: ' 4 ' });
  await fake.webhook(hook, four, { times: 2 });
  // The answer is stored on the ticket, then written to its timeline: wait for both.
  const d = await until(() => detail(hub, admin.token, ticket!._id.toString()), (x) => x.ticket.csat !== null && x.timeline.some((e) => e.code === 'csat.answered'), 20_000);
  expect(d.ticket).toMatchObject({ status: 'resolved', csat: { score: 4, channel: 'sms' } });
  expect(d.timeline.filter((e) => e.code === 'csat.answered')).toHaveLength(1);
  expect(await hub.models.Message.countDocuments({ channel: 'sms', externalId: four.MessageSid })).toBe(0);
  // A 4 opens no follow-up.
  expect(await hub.models.Ticket.countDocuments({ previousTicket: ticket!._id, type: 'care' })).toBe(0);
});

test('admins turn the question off per type and channel; agents may not change the settings', async () => {
  const current = await api<{ ask: Record<string, Record<string, boolean>>; smsWindowHours: number; lowScoreFollowUp: boolean }>(hub, admin.token, 'GET', '/settings/csat');
  expect(current.status).toBe(200);
  expect(current.body.ask.care).toEqual({ webchat: true, email: true, sms: true });
  const agent = await createUser(hub, admin, 'agent', [support]);
  expect((await api(hub, agent.token, 'PUT', '/settings/csat', current.body)).status).toBe(403);
  const bad = await api<{ errors: Array<{ field: string }> }>(hub, admin.token, 'PUT', '/settings/csat', { ...current.body, smsWindowHours: -1 });
  expect(bad.status).toBe(422);
  expect(bad.body.errors.map((e) => e.field)).toContain('smsWindowHours');
  const off = { ...current.body, ask: { ...current.body.ask, suggestion: { webchat: true, email: false, sms: true } } };
  expect((await api(hub, admin.token, 'PUT', '/settings/csat', off)).status).toBe(200);

  const quiet = 'quiet.csat@example.org';
  const asked = 'asked.csat@example.org';
  const q = await inbound(hub, { channel: 'email', from: { address: quiet }, subject: 'Idea', text: 'Please add dark mode.', chosenType: 'suggestion' });
  await resolve(q.ticketId);
  const a = await inbound(hub, { channel: 'email', from: { address: asked }, subject: 'Question', text: 'When do you open?', chosenType: 'care' });
  await resolve(a.ticketId);
  await smtp.waitFor(asked);
  expect(mailsTo(quiet)).toHaveLength(0);
  const res = await request(`${hub.url}/csat/not-a-token`, { apiKey: null });
  expect(res.status).toBe(400);
});
