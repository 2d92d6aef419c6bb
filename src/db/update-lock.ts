import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Connection, Schema } from 'mongoose';

/**
 * FerretDB (the test and embedded database) applies an update as read document → modify →
 * write document, without isolation: two concurrent `$set`s on different fields of one
 * document lose one of them almost every time, and `$inc` loses increments. Real MongoDB
 * applies each single-document update atomically, so code written for it is correct there.
 *
 * To keep that code correct on both, every update addressed to one document by `_id`
 * holds a short per-document Redis lock (SET NX PX, released by compare-and-delete), so
 * updates of one document are applied one after another across all hub processes.
 * The lock is only mutual exclusion around the database's own update; it never replaces
 * the conditional filters (compare-and-set) the callers use.
 */
export interface DocumentLocks {
  acquire(key: string): Promise<() => Promise<void>>;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function createDocumentLocks(redis: Redis, prefix: string, opts: { ttlMs?: number; waitMs?: number } = {}): DocumentLocks {
  const ttl = opts.ttlMs ?? 5000;
  const maxWait = opts.waitMs ?? 15_000;
  return {
    async acquire(key) {
      const k = `${prefix}:doclock:${key}`;
      const token = randomBytes(9).toString('base64url');
      const started = Date.now();
      for (let attempt = 0; ; attempt++) {
        if ((await redis.set(k, token, 'PX', ttl, 'NX')) === 'OK') break;
        if (Date.now() - started > maxWait) throw new Error(`document ${key} stayed locked for ${maxWait} ms`);
        await new Promise((r) => setTimeout(r, Math.min(25, 1 + attempt) + Math.random() * 3));
      }
      return async () => {
        await redis.eval(RELEASE, 1, k, token).catch(() => undefined);
      };
    },
  };
}

const registry = new WeakMap<Connection, DocumentLocks>();

/** Every model on this connection serializes its single-document updates through `locks`. */
export function useDocumentLocks(conn: Connection, locks: DocumentLocks): void {
  registry.set(conn, locks);
}

const UPDATE_OPS = ['updateOne', 'findOneAndUpdate'] as const;
const RELEASE_KEY = Symbol('doclock-release');

interface LockableQuery {
  model: { db: Connection; collection: { collectionName: string } };
  getFilter(): Record<string, unknown>;
  [RELEASE_KEY]?: () => Promise<void>;
}

function singleId(filter: Record<string, unknown>): string | null {
  const id = filter._id;
  if (id === undefined || id === null) return null;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  if (typeof id === 'object' && 'toHexString' in id && typeof (id as { toHexString: unknown }).toHexString === 'function') {
    return (id as { toHexString(): string }).toHexString();
  }
  return null;
}

/** Schema plugin: registered once per schema; a no-op on connections without locks. */
export function documentLockPlugin(schema: Schema): void {
  for (const op of UPDATE_OPS) {
    schema.pre(op as 'updateOne', async function (this: LockableQuery) {
      const locks = registry.get(this.model.db);
      const id = singleId(this.getFilter());
      if (!locks || !id) return;
      this[RELEASE_KEY] = await locks.acquire(`${this.model.collection.collectionName}:${id}`);
    });
    schema.post(op as 'updateOne', async function (this: LockableQuery) {
      await this[RELEASE_KEY]?.();
      this[RELEASE_KEY] = undefined;
    });
    schema.post(op, { errorHandler: true }, async function (this: LockableQuery, err: Error) {
      await this[RELEASE_KEY]?.();
      this[RELEASE_KEY] = undefined;
      throw err;
    });
  }
}
