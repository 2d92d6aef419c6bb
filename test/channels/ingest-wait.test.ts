/**
 * ctx.ingest(msg, { wait: false }): what a webhook adapter answers its provider with. It
 * returns once the message is durably enqueued — here no worker runs at all, so waiting would
 * take the whole INGEST_WAIT_TIMEOUT_MS — and the provider's retry of the same message is a
 * duplicate that enqueues nothing new: one message once a worker stores it.
 */
import pino from 'pino';
import { loadConfig } from '../../config/index';
import { createHub, type Hub } from '../../src/main';
import { channelIngest } from '../../src/channels/channel-ingest';
import { startTestHub, type TestHubEnv } from '../support/hub';

let api: Hub & { env: TestHubEnv };
let worker: Hub | null = null;

beforeAll(async () => {
  // Waiting would hold for two minutes: a `wait: false` answer cannot come from waiting.
  api = await startTestHub('ingestwait', { ROLES: 'api', INGEST_WAIT_TIMEOUT_MS: '120000' });
});
afterAll(async () => {
  await worker?.stop();
  await api.stop();
});

const sms = {
  channel: 'sms' as const,
  externalId: 'SM5c0ffee00000000000000000000001',
  from: { address: '+8613800138000' },
  text: 'Is the store open on Sunday?',
  receivedAt: new Date('2026-03-02T09:00:00Z'),
};

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('wait: false answers once enqueued; a replay is a duplicate; a worker stores one message', async () => {
  const ingest = channelIngest(api.ingest, api.config.INGEST_WAIT_TIMEOUT_MS);
  const first = await ingest(sms, { wait: false });
  expect(first).toEqual({ accepted: true, messageId: expect.any(String), jobId: expect.any(String) });
  expect(await api.ingest.status(first.jobId)).toEqual({ state: 'accepted', jobId: first.jobId, messageId: first.messageId });

  // The provider did not hear back in time and sends it again, twice at once.
  const replays = await Promise.all([ingest(sms, { wait: false }), ingest({ ...sms, text: 'Is the store open on Sunday?' }, { wait: false })]);
  for (const r of replays) expect(r).toEqual({ accepted: true, duplicate: true, messageId: first.messageId, jobId: first.jobId });
  expect(await api.models.Message.countDocuments({ externalId: sms.externalId })).toBe(0);

  // A worker process picks the job up.
  worker = await createHub(loadConfig({ ...api.env, ROLES: 'worker', PUBLIC_URL: undefined }), { logger: pino({ level: 'silent' }) });
  const stored = await until(() => api.ingest.status(first.jobId), (s) => s.state === 'stored');
  expect(stored).toMatchObject({ state: 'stored', messageId: first.messageId, duplicate: false });
  expect(await api.models.Message.countDocuments({ externalId: sms.externalId })).toBe(1);

  // A late replay still stores nothing, and now knows the ticket.
  const late = await ingest(sms, { wait: false });
  expect(late).toEqual({ accepted: true, duplicate: true, messageId: first.messageId, ticketId: expect.any(String), ticketNumber: expect.any(Number), jobId: first.jobId });
  expect(await api.models.Message.countDocuments({ externalId: sms.externalId })).toBe(1);
  expect(await api.models.Ticket.countDocuments({ origin: `sms:${sms.externalId}` })).toBe(1);
});
