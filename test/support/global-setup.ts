import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ferretdbBinary, startFerretDB, startRedis, type LocalService } from '../../src/embedded/services';

declare global {
  var __HUB_TEST_SERVICES__: LocalService[] | undefined;
}

/**
 * With MONGODB_URI / REDIS_URL set, tests use those servers (e.g. real MongoDB in CI).
 * Otherwise a FerretDB (SQLite backend) and a redis-server start on free loopback ports.
 * Each test file then uses its own database and its own Redis key prefix.
 */
export default async function globalSetup(): Promise<void> {
  const started: LocalService[] = [];
  const root = mkdtempSync(path.join(os.tmpdir(), 'hub-test-'));
  process.env.TEST_TMP_DIR = root;
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
  } else {
    const ferret = await startFerretDB({ dir: path.join(root, 'ferretdb'), binary: ferretdbBinary(path.resolve(__dirname, '../..')) });
    started.push(ferret);
    process.env.TEST_MONGODB_URI = ferret.url;
  }
  if (process.env.REDIS_URL) {
    process.env.TEST_REDIS_URL = process.env.REDIS_URL;
  } else {
    const redis = await startRedis({ dir: path.join(root, 'redis') });
    started.push(redis);
    process.env.TEST_REDIS_URL = redis.url;
  }
  // The hubs under test read their own config; keep the outer one from leaking in.
  delete process.env.MONGODB_URI;
  delete process.env.REDIS_URL;
  globalThis.__HUB_TEST_SERVICES__ = started;
}
