import mongoose from 'mongoose';
import { createMessageModel } from '../../src/tickets/message.model';
import { createTicketModel } from '../../src/tickets/ticket.model';
import { request, startTestHub, testHubEnv } from '../support/hub';
import { spawnHub, until } from '../support/process';

const TOTAL = 500;

test('SIGKILL of the worker in the middle of 500 accepted messages loses and doubles nothing', async () => {
  // The API process only accepts (no worker role): every message is durable in Redis first.
  const env = testHubEnv('crash', { INGEST_WAIT_TIMEOUT_MS: '0', JOB_LOCK_MS: '2000', INGEST_CONCURRENCY: '8' });
  const api = await startTestHub('crash-api', { ...env, ROLES: 'api' });
  const conn = await mongoose.createConnection(env.MONGODB_URI).asPromise();
  const Message = createMessageModel(conn);
  const Ticket = createTicketModel(conn);
  try {
    for (let i = 0; i < TOTAL; i += 50) {
      const batch = Array.from({ length: 50 }, (_, j) =>
        request(`${api.url}/api/v1/inbound`, {
          body: { externalId: `crash-${i + j}`, from: { address: `customer${(i + j) % 37}@example.com` }, text: `Question number ${i + j} about my order` },
        }),
      );
      const answers = await Promise.all(batch);
      expect(answers.every((a) => a.status === 202)).toBe(true);
    }

    const worker = spawnHub({ ...env, ROLES: 'worker' });
    await until(() => Message.countDocuments(), (n) => n >= 60, 120_000, 50);
    worker.child.kill('SIGKILL');
    await worker.exited;
    const atKill = await Message.countDocuments();
    expect(atKill).toBeLessThan(TOTAL);

    const restarted = spawnHub({ ...env, ROLES: 'worker' });
    try {
      await until(() => Message.countDocuments({ ticket: { $ne: null } }), (n) => n >= TOTAL, 180_000, 250);
    } finally {
      await restarted.kill('SIGTERM');
    }
    // Exactly once: 500 messages, 500 distinct external ids, each linked to one ticket.
    expect(await Message.countDocuments()).toBe(TOTAL);
    expect(new Set(await Message.distinct('externalId')).size).toBe(TOTAL);
    expect(await Ticket.countDocuments()).toBe(TOTAL);
    expect(new Set(await Ticket.distinct('number')).size).toBe(TOTAL);
  } finally {
    await conn.close();
    await api.stop();
  }
}, 300_000);

test('a slow pipeline answers 202 with a poll URL, and the message is still processed', async () => {
  const env = testHubEnv('slow', { INGEST_WAIT_TIMEOUT_MS: '300' });
  const api = await startTestHub('slow-api', { ...env, ROLES: 'api' });
  try {
    const res = await request<{ messageId: string; statusUrl: string; status: string }>(`${api.url}/api/v1/inbound`, {
      body: { externalId: 'slow-1', from: { address: 'slow@example.com' }, text: 'Hello?' },
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('accepted');
    expect(res.headers.get('location')).toBe(res.body.statusUrl);
    const pending = await request(res.body.statusUrl);
    expect(pending.status).toBe(202);

    const worker = await startTestHub('slow-worker', { ...env, ROLES: 'worker' });
    try {
      const done = await until(() => request<{ status: string; messageId: string; ticketId: string }>(res.body.statusUrl), (r) => r.status === 200, 30_000);
      expect(done.body).toMatchObject({ status: 'stored', messageId: res.body.messageId });
      expect(await api.models.Message.countDocuments({ _id: res.body.messageId })).toBe(1);
    } finally {
      await worker.stop();
    }
    expect((await request(`${api.url}/api/v1/inbound/jobs/in-unknown`)).status).toBe(404);
  } finally {
    await api.stop();
  }
});
