/**
 * A mailbox with a processed folder, on a real Dovecot: accepted mail is moved there (the hub
 * creates the folder), the UID checkpoint and the Message-ID key still keep every message
 * stored once, and a restarted hub reads nothing twice.
 */
import { api, signInAdmin, type TestHub } from '../../support/desk.fixtures';
import { startDovecot, type TestDovecot } from '../../support/dovecot';
import { startHubWithEnv, startTestHub } from '../../support/hub';
import { until } from '../../support/process';

const USER = 'processed@hub.example';
let dovecot: TestDovecot;
let hub: TestHub;
let mailboxId = '';

const mail = (n: string): string =>
  [
    `From: customer-${n}@example.org`,
    `To: ${USER}`,
    `Subject: Question ${n}`,
    'Date: Thu, 03 Dec 2026 10:00:00 +0000',
    `Message-ID: <processed-${n}@example.org>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Question ${n} about my order`,
    '',
  ].join('\r\n');

const stored = (n: string) => hub.models.Message.countDocuments({ channel: 'email', externalId: `<processed-${n}@example.org>` });
const storedOnce = (n: string) => until(() => stored(n), (c) => c > 0, 30_000);
const inFolder = (folder: string) => dovecot.messageIds(USER, folder);
const checkpoint = async () =>
  JSON.parse((await hub.models.Ticket.db.collection<{ _id: string; value: string }>('channel_checkpoints').findOne({ _id: `${mailboxId}:imap` }))?.value ?? 'null') as {
    lastUid: number;
  } | null;

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(USER, 'processed-pw');
  hub = await startTestHub('mailbox-processed');
});
afterAll(async () => {
  await hub?.stop();
  await dovecot?.stop();
});

test('a processed folder the same as the folder read is refused at the field', async () => {
  const admin = await signInAdmin(hub);
  const res = await api<{ errors: Array<{ field: string }> }>(hub, admin.token, 'POST', '/channels', {
    kind: 'email',
    name: 'Same folder',
    settings: { address: USER, imap: { host: dovecot.host, port: dovecot.imapPort, secure: false, user: USER, folder: 'INBOX' }, processedFolder: 'INBOX' },
  });
  expect(res.status).toBe(422);
  expect(res.body.errors.map((e) => e.field)).toEqual(['settings.processedFolder']);
});

test('accepted mail ends in the processed folder, which the hub creates; each message is stored once', async () => {
  await dovecot.appendMany(USER, [mail('1'), mail('2'), mail('2')]);
  expect(await inFolder('Processed')).toBeNull();
  const admin = await signInAdmin(hub);
  const created = await api<{ id: string }>(hub, admin.token, 'POST', '/channels', {
    kind: 'email',
    name: 'Processed',
    settings: {
      address: USER,
      imap: { host: dovecot.host, port: dovecot.imapPort, secure: false, user: USER },
      processedFolder: 'Processed',
      markSeen: false,
      pollIntervalMs: 400,
    },
    secrets: { imapPassword: 'processed-pw' },
  });
  expect(created.status).toBe(201);
  mailboxId = created.body.id;

  await storedOnce('1');
  await storedOnce('2');
  const moved = await until(() => inFolder('Processed'), (ids) => ids?.length === 3, 30_000);
  expect(moved).toEqual(['<processed-1@example.org>', '<processed-2@example.org>', '<processed-2@example.org>']);
  expect(await inFolder('INBOX')).toEqual([]);
  expect(await stored('1')).toBe(1);
  expect(await stored('2')).toBe(1);
  expect((await checkpoint())?.lastUid).toBe(3);
});

test('new mail after the move is read once; a restarted hub reads nothing twice', async () => {
  await dovecot.append(USER, mail('3'));
  await storedOnce('3');
  await until(() => inFolder('INBOX'), (ids) => ids?.length === 0, 30_000);

  // The hub restarts on the same database and Redis; one more mail comes meanwhile.
  await hub.stop();
  await dovecot.append(USER, mail('4'));
  hub = await startHubWithEnv(hub.env);
  await storedOnce('4');
  await until(() => inFolder('Processed'), (ids) => ids?.length === 5, 30_000);
  expect(await inFolder('INBOX')).toEqual([]);
  for (const n of ['1', '2', '3', '4']) expect(await stored(n)).toBe(1);
  expect(await hub.models.Ticket.countDocuments({ channel: 'email' })).toBe(4);
  expect((await checkpoint())?.lastUid).toBe(5);
});
