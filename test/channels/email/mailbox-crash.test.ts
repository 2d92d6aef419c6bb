/**
 * The hub killed (SIGKILL) while it reads a 300-message mailbox, then restarted: every
 * message is stored, each once — the checkpoint moved only past messages the hub had
 * durably accepted, and what was read again is a duplicate by its Message-ID.
 */
import mongoose from 'mongoose';
import { createMessageModel } from '../../../src/tickets/message.model';
import { createTicketModel } from '../../../src/tickets/ticket.model';
import { api, signIn } from '../../support/desk.fixtures';
import { startDovecot, type TestDovecot } from '../../support/dovecot';
import { startHubWithEnv, testHubEnv, TEST_ADMIN } from '../../support/hub';
import { spawnHub, until, type HubProcess } from '../../support/process';
import { unusedLoopbackPort } from '../../support/smtp';

const TOTAL = 300;
const USER = 'bulk@hub.example';
let dovecot: TestDovecot;

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(USER, 'bulk-password');
});
afterAll(async () => {
  await dovecot?.stop();
});

const raw = (n: number): string =>
  [
    `From: customer${n % 41}@example.org`,
    `To: ${USER}`,
    `Subject: Question ${n}`,
    'Date: Thu, 03 Dec 2026 10:00:00 +0000',
    `Message-ID: <bulk-${n}@example.org>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Question number ${n} about my order`,
    '',
  ].join('\r\n');

test('SIGKILL in the middle of a 300-message mailbox, restarted: all 300 stored, each once', async () => {
  const port = await unusedLoopbackPort();
  const env = testHubEnv('mailbox-crash', { JOB_LOCK_MS: '2000', PORT: String(port) });
  expect(await dovecot.appendMany(USER, Array.from({ length: TOTAL }, (_, n) => raw(n)))).toHaveLength(TOTAL);

  // The mailbox is configured (disabled) through the admin API of a first hub, which then stops.
  const setup = await startHubWithEnv({ ...env, PORT: '0' });
  const token = await signIn(setup, TEST_ADMIN.email, TEST_ADMIN.password);
  const created = await api<{ id: string }>(setup, token, 'POST', '/channels', {
    kind: 'email',
    name: 'Bulk',
    enabled: false,
    settings: { address: USER, imap: { host: dovecot.host, port: dovecot.imapPort, secure: false, user: USER }, pollIntervalMs: 500, markSeen: false },
    secrets: { imapPassword: 'bulk-password' },
  });
  expect(created.status).toBe(201);
  const id = created.body.id;
  await setup.stop();

  const conn = await mongoose.createConnection(env.MONGODB_URI).asPromise();
  const Message = createMessageModel(conn);
  const Ticket = createTicketModel(conn);
  const lastUid = async () => {
    const doc = await conn.collection<{ _id: string; value: string }>('channel_checkpoints').findOne({ _id: `${id}:imap` });
    return doc ? (JSON.parse(doc.value) as { lastUid: number }).lastUid : 0;
  };
  let hub: HubProcess | null = null;
  try {
    hub = spawnHub(env);
    await hub.waitFor(/hub is running/, 120_000);
    const url = `http://127.0.0.1:${port}`;
    const res = await fetch(`${url}/api/v1/channels/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await signInAt(url)}` },
      body: JSON.stringify({ enabled: true }),
    });
    expect(res.status).toBe(200);
    await until(lastUid, (n) => n >= 40, 60_000, 10);
    hub.child.kill('SIGKILL');
    await hub.exited;
    const atKill = await lastUid();
    expect(atKill).toBeLessThan(TOTAL);

    hub = spawnHub(env);
    await until(() => Message.countDocuments({ ticket: { $ne: null } }), (n) => n >= TOTAL, 180_000, 250);
    await until(lastUid, (n) => n === TOTAL, 60_000);
    expect(await Message.countDocuments({ channel: 'email' })).toBe(TOTAL);
    expect(new Set(await Message.distinct('externalId')).size).toBe(TOTAL);
    expect(await Ticket.countDocuments()).toBe(TOTAL);
  } finally {
    await hub?.kill('SIGTERM');
    await conn.close();
  }
}, 300_000);

async function signInAt(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: TEST_ADMIN.email, password: TEST_ADMIN.password }) });
  return ((await res.json()) as { token: string }).token;
}
