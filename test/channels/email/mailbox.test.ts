/**
 * Support mailboxes as channel instances, on a real Dovecot (IMAP) and a real SMTP peer:
 * customers' mail becomes tickets of the mailbox's type with the right contact, agents'
 * replies go out threaded from the mailbox's address and the customer's answer lands on the
 * same ticket; duplicates, automatic mail, bounces, malformed mail, a wrong password and a
 * recreated folder (new UIDVALIDITY) are handled as a support team would expect.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { api, createUser, detail, signInAdmin, teamId, type MessageDto, type SignedIn, type TestHub } from '../../support/desk.fixtures';
import { startDovecot, type TestDovecot } from '../../support/dovecot';
import { startTestHub } from '../../support/hub';
import { until } from '../../support/process';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp';

const SUPPORT = 'support@hub.example';
const COMPLAINTS = 'complaints@hub.example';
const eml = (name: string): string => readFileSync(path.join(__dirname, '../../fixtures/email', name), 'latin1');

let dovecot: TestDovecot;
let smtp: TestSmtpServer;
let hub: TestHub;
let admin: SignedIn;
let agent: SignedIn;
const mailboxes = { support: '', complaints: '' };

/** A plain customer mail, as a mail client writes it. */
function mail(o: { from: string; to?: string; subject: string; id: string; text?: string; headers?: string[] }): string {
  return [
    `From: ${o.from}`,
    `To: ${o.to ?? SUPPORT}`,
    `Subject: ${o.subject}`,
    'Date: Thu, 03 Dec 2026 10:00:00 +0000',
    `Message-ID: ${o.id}`,
    ...(o.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.text ?? `Message ${o.id}`,
    '',
  ].join('\r\n');
}

async function createMailbox(
  name: string,
  address: string,
  extra: { folder?: string; password?: string; defaultType?: string; settings?: Record<string, unknown> } = {},
): Promise<string> {
  const res = await api<{ id: string }>(hub, admin.token, 'POST', '/channels', {
    kind: 'email',
    name,
    settings: {
      address,
      displayName: 'Acme Support',
      ownAddresses: [SUPPORT, COMPLAINTS],
      imap: { host: dovecot.host, port: dovecot.imapPort, secure: false, user: address, folder: extra.folder ?? 'INBOX' },
      smtp: { host: '127.0.0.1', port: Number(new URL(smtp.url).port), secure: false },
      pollIntervalMs: 400,
      ...extra.settings,
    },
    secrets: { imapPassword: extra.password ?? `pw-${address}` },
    ...(extra.defaultType ? { defaultType: extra.defaultType } : {}),
  });
  if (res.status !== 201) throw new Error(`create mailbox: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

const stored = (externalId: string) => hub.models.Message.find({ channel: 'email', externalId }).lean();
const storedOnce = async (externalId: string) => (await until(() => stored(externalId), (ms) => ms.length > 0, 30_000))[0]!;
const ticketOf = async (externalId: string) => (await hub.models.Ticket.findById((await storedOnce(externalId)).ticket).lean())!;
const readyz = async () => (await (await fetch(`${hub.url}/readyz`)).json()) as { channels: Record<string, { ok: boolean; reason: string | null }> };
const checkpoint = async (id: string) =>
  JSON.parse((await hub.models.Ticket.db.collection<{ _id: string; value: string }>('channel_checkpoints').findOne({ _id: `${id}:imap` }))?.value ?? 'null') as {
    uidValidity: string;
    lastUid: number;
  } | null;

beforeAll(async () => {
  dovecot = await startDovecot();
  for (const u of [SUPPORT, COMPLAINTS, 'archive@hub.example', 'flood@hub.example', 'idle@hub.example', 'ack@hub.example']) dovecot.setUser(u, `pw-${u}`);
  smtp = await startSmtpServer();
  hub = await startTestHub('mailbox');
  admin = await signInAdmin(hub);
  agent = await createUser(hub, admin, 'agent', [await teamId(hub, admin, 'Support')], 'Agent Ada');
  mailboxes.support = await createMailbox('Support', SUPPORT, { defaultType: 'care' });
  mailboxes.complaints = await createMailbox('Complaints', COMPLAINTS, { defaultType: 'complaint' });
});
afterAll(async () => {
  await hub?.stop();
  await smtp?.close();
  await dovecot?.stop();
});

test('plain, HTML, GBK Chinese and attachment mail each become one ticket of the mailbox type with the right contact', async () => {
  await dovecot.append(SUPPORT, eml('plain.eml'));
  await dovecot.append(SUPPORT, eml('html.eml'));
  // This one comes the way a mail server delivers: by LMTP.
  await dovecot.deliver(COMPLAINTS, readFileSync(path.join(__dirname, '../../fixtures/email/gbk-chinese.eml')));
  await dovecot.append(SUPPORT, eml('attachment.eml'));

  const plain = await ticketOf('<plain-1@mail.example.org>');
  expect(plain).toMatchObject({ channel: 'email', type: 'care', subject: 'My order arrived broken' });
  const contact = await hub.models.Contact.findById(plain.contact).lean();
  expect(contact?.identities.map((i) => [i.kind, i.value])).toContainEqual(['email', 'li.wei@example.org']);

  const gbk = await ticketOf('<gbk-1@mail.example.cn>');
  expect(gbk).toMatchObject({ type: 'complaint', subject: '投诉：包装破损' });
  expect((await storedOnce('<gbk-1@mail.example.cn>')).text).toContain('我的订单到了但是包装破损了');
  expect((await hub.models.Contact.findById(gbk.contact).lean())?.name).toBe('张伟');

  const html = await storedOnce('<html-1@mail.example.net>');
  expect(html.html).toContain('<b>dark mode</b>');
  expect(html.html).not.toMatch(/script|onerror/);

  const att = await storedOnce('<att-1@example.com>');
  expect(att.attachments.map((a) => [a.name, a.contentType])).toEqual([
    ['logo.png', 'image/png'],
    ['invoice.pdf', 'application/pdf'],
  ]);
  // Four mails, four tickets; each mailbox's checkpoint is past its mail.
  expect(await hub.models.Ticket.countDocuments({ channel: 'email' })).toBe(4);
  expect((await checkpoint(mailboxes.support))?.lastUid).toBe(3);
});

test("the agent's reply arrives threaded from the mailbox; the customer's answer lands on the same ticket", async () => {
  const t = await ticketOf('<plain-1@mail.example.org>');
  const sent = await api<MessageDto>(hub, agent.token, 'POST', `/tickets/${t._id.toString()}/replies`, { text: 'Sorry about the glass, a replacement ships today.' });
  expect(sent.status).toBe(201);
  const got = await smtp.waitFor('li.wei@example.org', 30_000);
  expect(got.mail.from?.value[0]?.address).toBe(SUPPORT);
  expect(got.mail.subject).toBe(`Re: [#${t.number}] My order arrived broken`);
  expect(got.mail.inReplyTo).toBe('<plain-1@mail.example.org>');
  expect(got.mail.text).toContain('a replacement ships today');
  await until(async () => (await detail(hub, agent.token, t._id.toString())).messages.find((m) => m.id === sent.body.id)?.deliveryStatus, (s) => s === 'sent', 30_000);

  // The customer answers in their mail client: In-Reply-To and References name the reply.
  await dovecot.append(
    SUPPORT,
    mail({
      from: 'Li Wei <li.wei@example.org>',
      subject: got.mail.subject!,
      id: '<plain-3@mail.example.org>',
      text: 'Thank you! Photo attached later.',
      headers: [`In-Reply-To: ${got.mail.messageId}`, `References: <plain-1@mail.example.org> ${got.mail.messageId}`],
    }),
  );
  const answer = await storedOnce('<plain-3@mail.example.org>');
  expect(answer.ticket?.toString()).toBe(t._id.toString());
});

test("an agent's reply with attachments arrives with the files intact; files of other types, too large, or not uploaded are refused at the field", async () => {
  await dovecot.append(SUPPORT, mail({ from: 'Pia <pia@example.org>', subject: 'Invoice please', id: '<pia-1@example.org>' }));
  const t = await ticketOf('<pia-1@example.org>');
  // A small PDF and a CSV, as the console uploads them.
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256)), Buffer.from('\n%%EOF\n')]);
  const csv = Buffer.from('order,amount\n1001,12.50\n', 'utf8');
  const up = async (name: string, contentType: string, bytes: Buffer) =>
    api<{ ref: string; size: number; errors?: Array<{ field: string; message: string }> }>(hub, agent.token, 'POST', '/attachments', { name, contentType, contentBase64: bytes.toString('base64') });
  const a = await up('invoice-1001.pdf', 'application/pdf', pdf);
  const b = await up('orders.csv', 'text/csv', csv);
  expect([a.status, b.status]).toEqual([201, 201]);
  expect(a.body).toMatchObject({ size: pdf.length, ref: expect.stringMatching(/^sha256-/) });

  // Refused, each at its field: a program, a "PDF" that is not one, a file over the limit, a ref nobody uploaded.
  const exe = await up('setup.exe', 'application/x-msdownload', Buffer.from('MZ....'));
  expect(exe.status).toBe(422);
  expect(exe.body.errors?.[0]).toMatchObject({ field: 'contentType', message: expect.stringContaining('cannot be attached') });
  const fake = await up('fake.pdf', 'application/pdf', Buffer.from('not a pdf at all'));
  expect(fake.status).toBe(422);
  expect(fake.body.errors?.[0]?.field).toBe('contentType');
  const big = await up('huge.pdf', 'application/pdf', Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(5 * 1024 * 1024)]));
  expect(big.status).toBe(422);
  expect(big.body.errors?.[0]).toMatchObject({ field: 'contentBase64', message: expect.stringMatching(/at most 5 MB/) });
  const unknown = await api<{ errors: Array<{ field: string }> }>(hub, agent.token, 'POST', `/tickets/${t._id.toString()}/replies`, {
    text: 'Here it is.',
    attachments: [{ ref: `sha256-${'0'.repeat(64)}`, name: 'x.pdf', contentType: 'application/pdf' }],
  });
  expect(unknown.status).toBe(422);
  expect(unknown.body.errors.map((e) => e.field)).toEqual(['attachments.0.ref']);
  expect(await hub.models.Message.countDocuments({ ticket: t._id, direction: 'outbound' })).toBe(0);

  const sent = await api<MessageDto>(hub, agent.token, 'POST', `/tickets/${t._id.toString()}/replies`, {
    text: 'Your invoice and the order list are attached.',
    attachments: [
      { ref: a.body.ref, name: 'invoice-1001.pdf', contentType: 'application/pdf' },
      { ref: b.body.ref, name: 'orders.csv', contentType: 'text/csv' },
    ],
  });
  expect(sent.status).toBe(201);
  expect(sent.body.attachments.map((x) => [x.name, x.contentType, x.size])).toEqual([
    ['invoice-1001.pdf', 'application/pdf', pdf.length],
    ['orders.csv', 'text/csv', csv.length],
  ]);
  const got = await smtp.waitFor('pia@example.org', 30_000);
  expect(got.mail.text).toContain('Your invoice and the order list are attached.');
  expect(got.mail.attachments.map((x) => [x.filename, x.contentType])).toEqual([
    ['invoice-1001.pdf', 'application/pdf'],
    ['orders.csv', 'text/csv'],
  ]);
  expect(got.mail.attachments[0]!.content.equals(pdf)).toBe(true);
  expect(got.mail.attachments[1]!.content.equals(csv)).toBe(true);
  // The agent can download what they sent from the ticket.
  const file = await fetch(`${hub.url}${sent.body.attachments[0]!.url}`, { headers: { authorization: `Bearer ${agent.token}` } });
  expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
});

test('the same message delivered twice (two UIDs) is stored once', async () => {
  const raw = mail({ from: 'twice@example.org', subject: 'Delivered twice', id: '<twice-1@example.org>' });
  const [a, b] = [await dovecot.append(SUPPORT, raw), await dovecot.append(SUPPORT, raw)];
  expect(b).toBeGreaterThan(a);
  await dovecot.append(SUPPORT, mail({ from: 'after@example.org', subject: 'After the twins', id: '<after-twice@example.org>' }));
  await storedOnce('<after-twice@example.org>');
  await until(async () => (await checkpoint(mailboxes.support))?.lastUid, (uid) => uid !== undefined && uid >= b + 1, 30_000);
  expect(await stored('<twice-1@example.org>')).toHaveLength(1);
  expect(await hub.models.Ticket.countDocuments({ origin: 'email:<twice-1@example.org>' })).toBe(1);
});

test('an out-of-office reply, a bounce and mail from the hub itself create no ticket; the bounce marks the reply undelivered', async () => {
  const t = await ticketOf('<html-1@mail.example.net>');
  const sent = await api<MessageDto>(hub, agent.token, 'POST', `/tickets/${t._id.toString()}/replies`, { text: 'Dark mode is on our roadmap.' });
  const got = await smtp.waitFor('anna@example.net', 30_000);
  await until(async () => (await hub.models.Message.findById(sent.body.id).lean())?.deliveryStatus, (s) => s === 'sent', 30_000);
  const before = await hub.models.Ticket.countDocuments({});

  // Anna's mail server answers automatically, and then her mailbox turns out to be gone.
  await dovecot.append(SUPPORT, mail({ from: 'anna@example.net', subject: `Automatic reply: ${got.mail.subject}`, id: '<ooo-anna@example.net>', headers: ['Auto-Submitted: auto-replied', `In-Reply-To: ${got.mail.messageId}`] }));
  await dovecot.append(SUPPORT, eml('bounce.eml').replace(/<0123456789abcdef01234567@hub\.example>/g, got.mail.messageId!).replace(/gone@example\.org/g, 'anna@example.net'));
  // The other mailbox of the hub writing to this one (a loop in the making).
  await dovecot.append(SUPPORT, mail({ from: `Complaints <${COMPLAINTS}>`, subject: 'Re: forwarded', id: '<own-1@hub.example>' }));
  await dovecot.append(SUPPORT, mail({ from: 'marker@example.org', subject: 'Marker', id: '<marker-1@example.org>' }));
  await storedOnce('<marker-1@example.org>');

  expect(await hub.models.Ticket.countDocuments({})).toBe(before + 1);
  expect(await stored('<ooo-anna@example.net>')).toHaveLength(0);
  expect(await stored('<bounce-1@mx.example.org>')).toHaveLength(0);
  expect(await stored('<own-1@hub.example>')).toHaveLength(0);
  const reply = (await detail(hub, agent.token, t._id.toString())).messages.find((m) => m.id === sent.body.id);
  expect(reply?.deliveryStatus).toBe('bounced');
  expect(reply?.deliveryError).toMatch(/^anna@example\.net: 550 5\.1\.1/);
  expect(reply?.deliveryErrorCode).toBe('bounced');
});

test("a subject carrying another customer's ticket number opens a new ticket; the contact's own number continues theirs", async () => {
  const lis = await ticketOf('<plain-1@mail.example.org>');
  await dovecot.append(SUPPORT, mail({ from: 'mallory@example.org', subject: `Re: [#${lis.number}] My order arrived broken`, id: '<mallory-1@example.org>' }));
  const other = await ticketOf('<mallory-1@example.org>');
  expect(other._id.toString()).not.toBe(lis._id.toString());
  // Li Wei writes a fresh mail (no references) with her ticket's number: it lands on her ticket.
  await dovecot.append(SUPPORT, mail({ from: 'li.wei@example.org', subject: `About [#${lis.number}]`, id: '<plain-4@mail.example.org>' }));
  expect((await storedOnce('<plain-4@mail.example.org>')).ticket?.toString()).toBe(lis._id.toString());
});

test('a malformed message is skipped; the messages after it are stored', async () => {
  await dovecot.append(SUPPORT, eml('malformed.eml'));
  await dovecot.append(SUPPORT, mail({ from: 'after-bad@example.org', subject: 'After the bad one', id: '<after-bad@example.org>' }));
  await storedOnce('<after-bad@example.org>');
  expect(await hub.models.Message.countDocuments({ subject: 'nothing here' })).toBe(0);
});

test('a wrong password shows the mailbox unhealthy with the server reason, the hub keeps serving, and it recovers when fixed', async () => {
  dovecot.setUser('late@hub.example', 'the-real-password');
  const id = await createMailbox('Late', 'late@hub.example', { password: 'a-wrong-password' });
  const sick = await until(readyz, (r) => r.channels[id]?.ok === false, 30_000);
  expect(sick.channels[id]?.reason).toMatch(/IMAP login refused.*AUTHENTICATIONFAILED/);
  // The hub still serves: the other mailboxes still bring mail in.
  await dovecot.append(SUPPORT, mail({ from: 'still@example.org', subject: 'Still here', id: '<still-1@example.org>' }));
  await storedOnce('<still-1@example.org>');

  // The admin corrects the password.
  const fixed = await api(hub, admin.token, 'PATCH', `/channels/${id}`, { secrets: { imapPassword: 'the-real-password' } });
  expect(fixed.status).toBe(200);
  await dovecot.append('late@hub.example', mail({ from: 'late-customer@example.org', to: 'late@hub.example', subject: 'Late', id: '<late-1@example.org>' }));
  await storedOnce('<late-1@example.org>');
  await until(readyz, (r) => r.channels[id]?.ok === true, 30_000);
});

test('the folder deleted and recreated (new UIDVALIDITY) with the same messages plus new ones: only the new ones are added', async () => {
  const user = 'archive@hub.example';
  await dovecot.createFolder(user, 'Support');
  const id = await createMailbox('Archive', user, { folder: 'Support' });
  const raws = [1, 2, 3, 4, 5].map((n) => mail({ from: `arch${n}@example.org`, to: user, subject: `Archive ${n}`, id: `<arch-${n}@example.org>` }));
  for (const r of raws.slice(0, 3)) await dovecot.append(user, r, 'Support');
  for (const n of [1, 2, 3]) await storedOnce(`<arch-${n}@example.org>`);
  const first = await until(() => checkpoint(id), (cp) => cp?.lastUid === 3, 30_000);

  await dovecot.recreateFolder(user, 'Support');
  expect(String(await dovecot.uidValidity(user, 'Support'))).not.toBe(first!.uidValidity);
  for (const r of raws) await dovecot.append(user, r, 'Support');
  for (const n of [4, 5]) await storedOnce(`<arch-${n}@example.org>`);
  const second = await until(() => checkpoint(id), (cp) => cp?.lastUid === 5 && cp.uidValidity !== first!.uidValidity, 30_000);
  expect(second?.uidValidity).not.toBe(first?.uidValidity);
  for (const n of [1, 2, 3, 4, 5]) expect(await stored(`<arch-${n}@example.org>`)).toHaveLength(1);
  expect(await hub.models.Ticket.countDocuments({ origin: /^email:<arch-/ })).toBe(5);
});


test('a sender over the hourly limit (a runaway responder without auto headers) stops making messages', async () => {
  const user = 'flood@hub.example';
  await createMailbox('Flood', user, { settings: { maxPerSenderPerHour: 3 } });
  const now = new Date().toUTCString();
  const raws = [1, 2, 3, 4, 5].map((n) => mail({ from: 'robot@example.org', to: user, subject: `Ticket received ${n}`, id: `<flood-${n}@example.org>` }).replace(/^Date: .*$/m, `Date: ${now}`));
  await dovecot.appendMany(user, [...raws, mail({ from: 'human@example.org', to: user, subject: 'A person', id: '<flood-human@example.org>' })]);
  await storedOnce('<flood-human@example.org>');
  const robot = await hub.models.Message.find({ channel: 'email', 'from.address': 'robot@example.org' }).lean();
  expect(robot.map((m) => m.externalId).sort()).toEqual(['<flood-1@example.org>', '<flood-2@example.org>', '<flood-3@example.org>']);
});

test('between reconciles the mailbox waits in IDLE: new mail arrives without waiting for the next poll', async () => {
  const user = 'idle@hub.example';
  // A reconcile every 10 minutes: only IDLE can bring the mail in during this test.
  const id = await createMailbox('Idle', user, { settings: { pollIntervalMs: 600_000 } });
  await until(readyz, (r) => r.channels[id]?.ok === true, 30_000);
  await dovecot.append(user, mail({ from: 'idle-customer@example.org', to: user, subject: 'Pushed', id: '<idle-1@example.org>' }));
  expect((await storedOnce('<idle-1@example.org>')).subject).toBe('Pushed');
});

test('an answer to a resolved ticket within the reopen window reopens it; forwarded mail from someone else is a new ticket', async () => {
  await dovecot.append(SUPPORT, mail({ from: 'Olga <olga@example.org>', subject: 'Refund status', id: '<olga-1@example.org>' }));
  const t = await ticketOf('<olga-1@example.org>');
  const sent = await api<MessageDto>(hub, agent.token, 'POST', `/tickets/${t._id.toString()}/replies`, { text: 'Your refund was issued today.' });
  expect(sent.status).toBe(201);
  const got = await smtp.waitFor('olga@example.org', 30_000);
  await until(async () => (await hub.models.Message.findById(sent.body.id).lean())?.deliveryStatus, (s) => s === 'sent', 30_000);
  expect((await api(hub, agent.token, 'PATCH', `/tickets/${t._id.toString()}`, { status: 'resolved' })).status).toBe(200);

  // Olga forwards the reply to her husband, who writes in about it: his own ticket.
  await dovecot.append(
    SUPPORT,
    mail({ from: 'ivan@example.org', subject: `Fwd: ${got.mail.subject}`, id: '<ivan-1@example.org>', headers: [`References: <olga-1@example.org> ${got.mail.messageId}`] }),
  );
  expect((await ticketOf('<ivan-1@example.org>'))._id.toString()).not.toBe(t._id.toString());
  // Olga answers the reply: her resolved ticket reopens.
  await dovecot.append(SUPPORT, mail({ from: 'olga@example.org', subject: `Re: ${got.mail.subject}`, id: '<olga-2@example.org>', headers: [`In-Reply-To: ${got.mail.messageId}`] }));
  expect((await storedOnce('<olga-2@example.org>')).ticket?.toString()).toBe(t._id.toString());
  expect((await hub.models.Ticket.findById(t._id).lean())?.status).toBe('open');
});

test("the hub acknowledges a new ticket as automatic mail; an auto-responder answering it does not loop, and acknowledgements are limited per sender", async () => {
  const user = 'ack@hub.example';
  await createMailbox('Ack', user, { settings: { autoAcknowledge: { enabled: true, maxPerSenderPerHour: 2 } } });
  const to = (address: string) => smtp.received.filter((m) => m.envelopeTo.includes(address));

  // A customer whose mailbox answers everything it gets ("Re: <subject>", In-Reply-To), without marking its answers automatic.
  const responder = 'echo@example.org';
  const answered = new Set<string>();
  let answering = Promise.resolve();
  const autoResponder = setInterval(() => {
    for (const got of to(responder)) {
      const id = got.mail.messageId ?? '';
      if (answered.has(id)) continue;
      answered.add(id);
      const n = answered.size;
      answering = answering.then(async () => {
        await dovecot.append(
          user,
          mail({ from: `Echo <${responder}>`, to: user, subject: `Re: ${got.mail.subject}`, id: `<echo-re-${n}@example.org>`, text: 'I got your mail.', headers: [`In-Reply-To: ${id}`] }),
        );
      });
    }
  }, 50);
  try {
    await dovecot.append(user, mail({ from: `Echo <${responder}>`, to: user, subject: 'Order 5512', id: '<echo-1@example.org>' }));
    const t = await ticketOf('<echo-1@example.org>');
    const ack = await smtp.waitFor(responder, 30_000);
    expect(ack.mail.subject).toBe(`Re: [#${t.number}] Order 5512`);
    expect(ack.mail.text).toContain(`ticket [#${t.number}]`);
    expect(ack.mail.inReplyTo).toBe('<echo-1@example.org>');
    expect(ack.mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ack.mail.headers.get('x-auto-response-suppress')).toBe('All');
    expect(ack.mail.headers.get('precedence')).toBe('auto_reply');
    // The responder's answer to the acknowledgement continues the ticket (and is not acknowledged again).
    expect((await storedOnce('<echo-re-1@example.org>')).ticket?.toString()).toBe(t._id.toString());
    // A marker: its acknowledgement is sent after anything the mailbox had to answer before it (it is read in order).
    await dovecot.append(user, mail({ from: 'marker-ack@example.org', to: user, subject: 'Marker', id: '<marker-ack-1@example.org>' }));
    await smtp.waitFor('marker-ack@example.org', 30_000);
    await answering;
  } finally {
    clearInterval(autoResponder);
  }
  // The exchange settled: one acknowledgement to the responder, one answer from it, one ticket.
  expect(to(responder)).toHaveLength(1);
  expect(answered.size).toBe(1);
  expect(await hub.models.Ticket.countDocuments({ 'origin': /^email:<echo-/ })).toBe(1);
  expect(await hub.models.Message.countDocuments({ channel: 'email', 'from.address': responder })).toBe(2);

  // No-reply senders get no acknowledgement; a person writing three new mails gets two (the limit).
  await dovecot.append(user, mail({ from: 'noreply@shop.example', to: user, subject: 'Your receipt', id: '<noreply-1@shop.example>' }));
  for (const n of [1, 2, 3]) await dovecot.append(user, mail({ from: 'many@example.org', to: user, subject: `Question ${n}`, id: `<many-${n}@example.org>` }));
  // Again a marker, after them.
  await dovecot.append(user, mail({ from: 'marker-ack@example.org', to: user, subject: 'Marker 2', id: '<marker-ack-2@example.org>' }));
  await until(async () => to('marker-ack@example.org').length, (n) => n === 2, 30_000);
  expect(await storedOnce('<noreply-1@shop.example>')).toBeTruthy();
  expect(to('noreply@shop.example')).toHaveLength(0);
  expect(await hub.models.Ticket.countDocuments({ origin: /^email:<many-/ })).toBe(3);
  expect(to('many@example.org').map((m) => m.mail.subject).sort()).toEqual([
    expect.stringMatching(/Question 1$/),
    expect.stringMatching(/Question 2$/),
  ]);
});
