/**
 * Fax-to-email on a real Dovecot: a mailbox marked "fax" receives a fax service's mail (the fax as
 * a PDF attachment, the sender's number in the subject). It becomes a fax ticket of that number
 * with the recognised text and pages, keyed by the mail's Message-ID (read again, still one); a
 * mail there without a fax document is taken as an ordinary email.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { DEFAULT_FAX_NUMBER_PATTERN, faxNumberOf } from '../../../channels/email/mailbox.kind';
import { api, signInAdmin, type TestHub } from '../../support/desk.fixtures';
import { startDovecot, type TestDovecot } from '../../support/dovecot';
import { faxFixtures } from '../../support/fax-fake';
import { startTestHub } from '../../support/hub';
import { until } from '../../support/process';

jest.setTimeout(180_000);

const USER = 'fax@hub.example';
const PAGE = ['你们的产品质量太差了，我要投诉。', 'Please call me back today.'];
let dovecot: TestDovecot;
let hub: TestHub;

const mime = (o: { id: string; subject: string; text: string; pdf?: Buffer }): Promise<Buffer> =>
  new MailComposer({
    from: 'Fax Gateway <gateway@faxservice.example>',
    to: USER,
    subject: o.subject,
    text: o.text,
    messageId: o.id,
    date: new Date('2026-12-03T10:00:00Z'),
    attachments: o.pdf ? [{ filename: 'fax-0042.pdf', content: o.pdf, contentType: 'application/pdf' }] : [],
  })
    .compile()
    .build();

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(USER, 'fax-mail-pw');
  hub = await startTestHub('mailbox-fax');
});
afterAll(async () => {
  await hub?.stop();
  await dovecot?.stop();
});

test('the sender number is found where fax services put it, as E.164', () => {
  const n = (subject: string, text = '') => faxNumberOf(DEFAULT_FAX_NUMBER_PATTERN, subject, text);
  expect(n('Fax from +49 30 1234-567 (2 pages)')).toBe('+49301234567');
  expect(n('New message', 'A facsimile received from 0086 10 6552 1234 at 10:02')).toBe('+861065521234');
  expect(n('传真来自 +86 21 5555 0100')).toBe('+862155550100');
  expect(n('New fax (3 pages)', 'No caller id')).toBeNull();
  expect(faxNumberOf('^FAX<(\\d+)>', 'FAX<+4930555>', '')).toBeNull();
  expect(faxNumberOf('caller=(\\S+)', 'caller=+4930555000', '')).toBe('+4930555000');
});

test('a fax mail becomes a fax ticket of the sending number; read again it is still one; a mail without a fax is an email', async () => {
  const { pdf } = await faxFixtures([PAGE]);
  await dovecot.appendMany(USER, [
    await mime({ id: '<fax-0042@faxservice.example>', subject: 'Fax from +86 10 6552 1234 (1 page)', text: 'You have received a fax.', pdf }),
    await mime({ id: '<fax-0042@faxservice.example>', subject: 'Fax from +86 10 6552 1234 (1 page)', text: 'You have received a fax.', pdf }),
    await mime({ id: '<notice-7@faxservice.example>', subject: 'Your monthly fax statement', text: 'Your fax account statement is ready.' }),
  ]);
  const admin = await signInAdmin(hub);
  const created = await api(hub, admin.token, 'POST', '/channels', {
    kind: 'email',
    name: 'Fax by mail',
    settings: { address: USER, imap: { host: dovecot.host, port: dovecot.imapPort, secure: false, user: USER }, pollIntervalMs: 400, fax: { enabled: true } },
    secrets: { imapPassword: 'fax-mail-pw' },
  });
  expect(created.status).toBe(201);

  const [fax] = await until(() => hub.models.Message.find({ channel: 'fax', externalId: '<fax-0042@faxservice.example>' }).lean(), (l) => l.length > 0 && l[0]!.ticket != null, 90_000);
  for (const s of PAGE) expect(fax!.text).toContain(s);
  expect(fax!.subject).toBe('Fax from +86 10 6552 1234 (1 page)');
  expect(fax!.attachments.map((a) => a.name)).toEqual(['fax-_fax-0042_faxservice.example_.pdf', 'page-1.png', 'page-1.thumb.png']);
  expect(fax!.metadata.map(({ key, value }) => ({ key, value }))).toContainEqual({ key: 'faxProvider', value: 'email' });
  const contact = await hub.models.Contact.findById(fax!.contact).lean();
  expect(contact?.identities).toContainEqual(expect.objectContaining({ kind: 'fax', value: '+861065521234' }));
  const ticket = await hub.models.Ticket.findById(fax!.ticket).lean();
  expect(ticket?.channel).toBe('fax');

  // The statement (no fax document) is an ordinary email ticket of the sender's address.
  const [mail] = await until(() => hub.models.Message.find({ channel: 'email', externalId: '<notice-7@faxservice.example>' }).lean(), (l) => l.length > 0, 30_000);
  expect(mail!.text).toContain('statement is ready');
  // The same fax mail twice in the folder: one message.
  await new Promise((r) => setTimeout(r, 1000));
  expect(await hub.models.Message.countDocuments({ externalId: '<fax-0042@faxservice.example>' })).toBe(1);
});
