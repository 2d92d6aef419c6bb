/**
 * The email channel's health(): its SMTP server unreachable shows as unhealthy, with the
 * reason, in /readyz and /metrics (without making the hub unready), then recovered once the
 * server answers.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startTestHub, type TestHubEnv } from '../support/hub';
import type { Hub } from '../../src/main';

let hub: Hub & { env: TestHubEnv };
let smtp: SMTPServer | null = null;
let port = 0;

interface Ready {
  status: string;
  channels: Record<string, { ok: boolean; reason: string | null; channel: string; name: string }>;
}
const readyz = async (): Promise<Ready> => (await fetch(`${hub.url}/readyz`)).json() as Promise<Ready>;
const gauge = async (): Promise<string | undefined> =>
  (await (await fetch(`${hub.url}/metrics`)).text()).split('\n').find((l) => l.startsWith('hub_channel_healthy{') && l.includes('instance="email"'));

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  // A free port with nothing listening on it (yet).
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  hub = await startTestHub('emailhealth', { SMTP_URL: `smtp://127.0.0.1:${port}`, EMAIL_FROM: 'support@test.example', CHANNEL_HEALTH_INTERVAL_MS: '200' });
});
afterAll(async () => {
  await hub.stop();
  if (smtp) await new Promise<void>((r) => smtp!.close(() => r()));
});

test('an unreachable SMTP server is reported with its reason, then recovered', async () => {
  const down = await until(readyz, (r) => r.channels?.email?.ok === false);
  expect(down.status).toBe('ready');
  expect(down.channels.email).toMatchObject({ channel: 'email', name: 'email', ok: false, reason: expect.stringContaining('could not be reached') });
  expect(await gauge()).toMatch(/ 0$/);

  smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false });
  await new Promise<void>((r) => smtp!.listen(port, '127.0.0.1', r));
  const up = await until(readyz, (r) => r.channels?.email?.ok === true);
  expect(up.channels.email?.reason).toBeNull();
  expect(await gauge()).toMatch(/ 1$/);
});
