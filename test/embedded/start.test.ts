import { mkdtempSync, readFileSync } from 'node:fs';
import mongoose from 'mongoose';
import { createTicketModel } from '../../src/tickets/ticket.model';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/embedded/services';
import { request } from '../support/hub';
import { spawnHub, until } from '../support/process';

/**
 * What a newcomer gets from `npm start` with no configuration: embedded FerretDB and
 * redis-server under the data directory, an admin login printed, demo data, ready.
 * (Only the port and data directory are chosen here, so the test cannot collide.)
 */
test('starting with no configuration provisions services, prints the login and becomes ready', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hub-embedded-'));
  const port = await freePort();
  const hub = spawnHub({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' });
  try {
    const [, email, password] = await hub.waitFor(/Admin login:\s+(\S+) \/ (\S+)/, 120_000);
    expect(email).toBe('admin@example.com');
    expect(password!.length).toBeGreaterThanOrEqual(12);
    expect(hub.output()).toContain(`http://localhost:${port}`);
    const ready = await until(() => request(`http://127.0.0.1:${port}/readyz`), (r) => r.status === 200, 30_000);
    expect(ready.body).toMatchObject({ status: 'ready' });
    // A demo agent who goes online gets demo work routed to them.
    const base = `http://127.0.0.1:${port}/api/v1`;
    const login = await request<{ token: string }>(`${base}/auth/login`, { body: { email: 'agent.zhang@example.com', password: 'demo-agent-pass' }, apiKey: null });
    expect(login.status).toBe(200);
    expect((await request(`${base}/me/presence`, { method: 'PUT', apiKey: login.body.token, body: { status: 'online' } })).status).toBe(200);
    const mine = await until(() => request<{ items: unknown[] }>(`${base}/tickets?view=mine`, { apiKey: login.body.token }), (r) => r.body.items.length > 0, 30_000);
    expect(mine.body.items.length).toBeGreaterThan(0);
  } finally {
    await hub.kill('SIGTERM');
  }
  expect(await hub.exited).toBe(0);

  // A second start reuses the data: same admin password, demo data not duplicated.
  const again = spawnHub({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' });
  try {
    const [, , password2] = await again.waitFor(/Admin login:\s+(\S+) \/ (\S+)/, 120_000);
    expect(password2!.length).toBeGreaterThanOrEqual(12);
    expect((await request(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const dbPort = readFileSync(path.join(dataDir, 'ferretdb', 'port'), 'utf8').trim();
    const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${dbPort}/omnihub`).asPromise();
    try {
      const tickets = createTicketModel(conn);
      const types = await until(() => tickets.distinct('type'), (t) => t.length === 3, 30_000);
      expect(types.sort()).toEqual(['care', 'complaint', 'suggestion']);
      expect(await tickets.countDocuments()).toBe(6);
      expect(new Set(await tickets.distinct('channel')).size).toBeGreaterThanOrEqual(4);
    } finally {
      await conn.close();
    }
  } finally {
    await again.kill('SIGTERM');
  }
}, 240_000);
