import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DomainEvent, PublishedEvent } from './event.types';

/** How an event reaches a handler. */
export interface Delivery {
  /** 1 the first time; more when it is delivered again (an earlier attempt failed, or its process died). */
  attempt: number;
}

export type EventHandler = (event: PublishedEvent, delivery: Delivery) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * `group` (the default): a durable consumer group named after the subscription. Each event
   * is handled by one hub process running that group, at least once: it is acknowledged only
   * after the handler resolves, retried when it throws, and taken over from a process that
   * died. Events published while no process of the group runs wait in the stream.
   *
   * `broadcast`: every process that subscribes sees every event published from the moment it
   * subscribed (surviving Redis reconnects), but nothing it missed while it was down, and a
   * handler that throws is not retried. For pushes whose receivers recover by themselves.
   */
  mode?: 'group' | 'broadcast';
}

/** Stops the subscription: no new deliveries; resolves once the handler in flight has finished. */
export type Unsubscribe = () => Promise<void>;

export interface EventBus {
  /** Appends the event to the stream (giving it an `id` unless it has one); resolves once Redis has it. */
  publish(event: DomainEvent): Promise<void>;
  /**
   * Runs `handler` for events. `group` names the listener kind (`routing`, `customer-status`,
   * …): one consumer group per kind, every hub process running it is one consumer. Handlers of
   * a group must be idempotent (redelivery after a crash or a failure is normal).
   */
  subscribe(group: string, handler: EventHandler, options?: SubscribeOptions): Unsubscribe;
  /** Trims entries older than the maximum age now (a timer does it too). */
  trim(): Promise<void>;
  /** Stops every subscription (waiting for handlers in flight) and the trim timer. Leaves the Redis client open. */
  close(): Promise<void>;
}

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RedisEventBusOptions {
  /** Key prefix: the stream is `<prefix>:events`, the dead letters `<prefix>:events:dead`. */
  prefix: string;
  logger: Logger;
  /** This hub process's consumer name in every group it runs (unique per process). */
  consumer: string;
  /** Approximate length the stream is trimmed to on every publish (`XADD MAXLEN ~`). */
  maxLen: number;
  /** Entries older than this are trimmed (`XTRIM MINID ~`) on a timer; 0: never by age. */
  maxAgeMs: number;
  /** A pending entry of another consumer idle this long is claimed (its process is taken for dead). */
  claimIdleMs: number;
  /** A failed delivery is tried again after this long. */
  retryDelayMs: number;
  /** Deliveries of one entry to one group before it goes to the dead letters. */
  maxDeliveries: number;
  /** Longest a blocking read waits (default min(2000, retryDelayMs)). */
  blockMs?: number;
  /** Entries read per call (default 20). */
  batch?: number;
  /** How often the stream is trimmed by age (default 60 s). */
  trimEveryMs?: number;
  now?: () => number;
  /** Told of every delivery's outcome in a group (for metrics). */
  onDelivery?(group: string, outcome: 'handled' | 'failed' | 'dead_letter'): void;
}

type Entry = [id: string, fields: string[]];

const isEntry = (v: unknown): v is Entry => Array.isArray(v) && typeof v[0] === 'string' && Array.isArray(v[1]);
const entriesOf = (v: unknown): Entry[] => (Array.isArray(v) ? v.filter(isEntry) : []);
const field = (fields: string[], name: string): string | undefined => {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
};
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Domain events on one Redis stream (`<prefix>:events`), so every hub process (API, workers,
 * realtime) can consume every event, and nothing published while a listener is down or
 * reconnecting is lost:
 * - publish is `XADD … MAXLEN ~ maxLen`; a timer trims by age (`XTRIM MINID ~`);
 * - each listener kind is a consumer group, each process a consumer (`XREADGROUP BLOCK` on a
 *   connection of its own per subscription), in stream order within a consumer;
 * - an entry is `XACK`ed only after its handler succeeded; a failed one stays pending and is
 *   retried after `retryDelayMs`; after `maxDeliveries` it is moved to `<prefix>:events:dead`
 *   (with the group, the error and the event) and the group carries on;
 * - entries left pending by a dead process are taken over with `XAUTOCLAIM` once idle for
 *   `claimIdleMs`; a restarted process with the same consumer name retries its own at once.
 * Trimming is by length and age only: an entry a group has not handled yet is lost when
 * trimmed (a group lagging more than `maxLen` events or the maximum age behind).
 */
export function createRedisEventBus(redis: Redis, options: RedisEventBusOptions): EventBus {
  const { logger, consumer } = options;
  const key = `${options.prefix}:events`;
  const deadKey = `${options.prefix}:events:dead`;
  const now = options.now ?? Date.now;
  const batch = options.batch ?? 20;
  const blockMs = Math.max(10, options.blockMs ?? Math.min(2000, options.retryDelayMs));
  const subscriptions = new Set<Unsubscribe>();
  let closed = false;

  async function trim(): Promise<void> {
    if (options.maxAgeMs <= 0) return;
    await redis.xtrim(key, 'MINID', '~', String(Math.max(0, now() - options.maxAgeMs)));
  }
  const trimTimer = setInterval(() => {
    trim().catch((err: unknown) => logger.warn({ err: message(err) }, 'event bus: trimming the stream failed'));
  }, options.trimEveryMs ?? 60_000);
  trimTimer.unref();

  function parse(id: string, fields: string[]): PublishedEvent | null {
    try {
      const event = JSON.parse(field(fields, 'event') ?? '') as PublishedEvent;
      if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return null;
      event.id ??= field(fields, 'id') ?? id;
      return event;
    } catch {
      return null;
    }
  }

  /**
   * A blocking reader on a connection of its own. Stopping unblocks it (CLIENT UNBLOCK from the
   * shared client) rather than closing it under a reply, so entries read are never dropped.
   */
  function reader(name: string) {
    const conn = redis.duplicate({ connectionName: `${options.prefix}-events-${name}` });
    conn.on('error', (err: Error) => logger.warn({ err: err.message, subscription: name }, 'event bus: redis connection error'));
    let clientId: number | null = null;
    // Asked first (ahead of any blocking read) and again after every reconnect.
    const askId = () =>
      void conn.client('ID').then(
        (id) => (clientId = Number(id)),
        () => undefined,
      );
    askId();
    conn.on('ready', () => {
      if (clientId !== null) askId();
    });
    let wake: (() => void) | null = null;
    return {
      conn,
      /** Waits `ms` unless woken by stop. */
      pause: (ms: number) =>
        new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            wake = null;
            resolve();
          }, ms);
          wake = () => {
            clearTimeout(t);
            wake = null;
            resolve();
          };
        }),
      async interrupt(): Promise<void> {
        wake?.();
        // Without Redis (an outage), commands would wait for it: drop the reader's connection instead.
        if (clientId !== null && redis.status === 'ready' && conn.status === 'ready') await redis.client('UNBLOCK', clientId).catch(() => undefined);
        else conn.disconnect();
      },
      async close(): Promise<void> {
        if (conn.status === 'ready') await conn.quit().catch(() => conn.disconnect());
        else conn.disconnect();
      },
    };
  }

  function track(stop: Unsubscribe): Unsubscribe {
    let done: Promise<void> | null = null;
    const once: Unsubscribe = () => {
      subscriptions.delete(once);
      done ??= stop();
      return done;
    };
    subscriptions.add(once);
    return once;
  }

  function subscribeGroup(group: string, handler: EventHandler): Unsubscribe {
    const r = reader(group);
    const log = { group, consumer };
    let stopped = false;
    /** The last error of an entry this process failed on, for the dead letter. */
    const lastError = new Map<string, string>();
    // Sent now, on the shared client: every event this process publishes after subscribing is seen.
    const createGroup = () =>
      redis.xgroup('CREATE', key, group, '$', 'MKSTREAM').then(
        () => undefined,
        (err: unknown) => {
          if (!/BUSYGROUP/.test(message(err))) throw err;
        },
      );
    let ready: Promise<void> | null = createGroup();

    /**
     * Runs the handler; `true` once it succeeded. The caller acknowledges (`ack`), at once or,
     * for a batch read together, all in one XACK after the batch: an entry handled but not yet
     * acknowledged when the process dies is delivered again, which handlers allow for.
     */
    async function handle(id: string, fields: string[], attempt: number): Promise<boolean> {
      const event = parse(id, fields);
      if (!event) {
        await deadLetter(id, 1, 'unparseable entry');
        return false;
      }
      try {
        await handler(event, { attempt });
      } catch (err) {
        lastError.set(id, message(err));
        options.onDelivery?.(group, 'failed');
        logger.warn({ ...log, err: message(err), event: event.type, eventId: event.id }, 'event handler failed; it will be retried');
        return false;
      }
      lastError.delete(id);
      return true;
    }
    async function ack(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await redis.xack(key, group, ...ids);
      for (let i = 0; i < ids.length; i++) options.onDelivery?.(group, 'handled');
    }
    async function deliver(id: string, fields: string[], attempt: number): Promise<void> {
      if (await handle(id, fields, attempt)) await ack([id]);
    }

    async function deadLetter(id: string, deliveries: number, error?: string): Promise<void> {
      const [entry] = entriesOf(await redis.xrange(key, id, id));
      const fields = entry?.[1] ?? [];
      const reason = error ?? lastError.get(id) ?? 'handler failed (in another process)';
      await redis
        .multi()
        .xadd(deadKey, 'MAXLEN', '~', '10000', '*', 'group', group, 'consumer', consumer, 'entry', id, 'deliveries', String(deliveries), 'error', reason, 'event', field(fields, 'event') ?? '')
        .xack(key, group, id)
        .exec();
      lastError.delete(id);
      options.onDelivery?.(group, 'dead_letter');
      logger.error({ ...log, entry: id, eventId: field(fields, 'id'), type: field(fields, 'type'), deliveries, error: reason }, 'event moved to the dead letters');
    }

    /** This consumer's own failures (or, after a restart under the same name, what it held). */
    async function retryOwn(): Promise<void> {
      const pending = (await redis.call('XPENDING', key, group, 'IDLE', options.retryDelayMs, '-', '+', batch, consumer)) as Array<[string, string, number, number]>;
      for (const [id, , , deliveries] of pending) {
        if (stopped) return;
        if (deliveries >= options.maxDeliveries) {
          await deadLetter(id, deliveries);
          continue;
        }
        // Bumps the delivery count; an entry trimmed meanwhile comes back empty (and leaves the PEL).
        const [entry] = entriesOf(await redis.call('XCLAIM', key, group, consumer, options.retryDelayMs, id));
        if (entry) await deliver(entry[0], entry[1], deliveries + 1);
      }
    }

    /** Entries another consumer has held for longer than `claimIdleMs`: its process is gone. */
    async function claimStale(): Promise<void> {
      let cursor = '0-0';
      for (let round = 0; round < 10 && !stopped; round++) {
        const [next, claimed, deleted] = (await redis.call('XAUTOCLAIM', key, group, consumer, options.claimIdleMs, cursor, 'COUNT', batch)) as [string, unknown, string[]?];
        const entries = entriesOf(claimed);
        if (deleted && deleted.length > 0) logger.warn({ ...log, entries: deleted }, 'event bus: pending entries were trimmed before being handled');
        if (entries.length > 0) {
          logger.info({ ...log, entries: entries.map((e) => e[0]) }, 'event bus: took over pending entries of a stopped consumer');
          const counts = await redis
            .pipeline(entries.map(([id]) => ['xpending', key, group, id, id, '1']))
            .exec();
          for (const [i, [id, fields]] of entries.entries()) {
            if (stopped) return;
            const row = (counts?.[i]?.[1] as Array<[string, string, number, number]> | undefined)?.[0];
            const deliveries = row?.[3] ?? 1;
            if (deliveries > options.maxDeliveries) await deadLetter(id, deliveries - 1);
            else await deliver(id, fields, deliveries);
          }
        }
        cursor = next;
        if (cursor === '0-0') break;
      }
      await forgetDeadConsumers();
    }

    /** Consumers that hold nothing and have not read for a long time (old process names). */
    async function forgetDeadConsumers(): Promise<void> {
      const rows = (await redis.call('XINFO', 'CONSUMERS', key, group)) as unknown[][];
      for (const row of rows) {
        const info: Record<string, unknown> = {};
        for (let i = 0; i + 1 < row.length; i += 2) info[String(row[i])] = row[i + 1];
        if (info.name !== consumer && Number(info.pending) === 0 && Number(info.idle) > Math.max(options.claimIdleMs * 10, 3_600_000)) {
          await redis.xgroup('DELCONSUMER', key, group, String(info.name));
        }
      }
    }

    const loop = (async () => {
      let nextRetry = 0;
      let nextClaim = 0;
      while (!stopped) {
        try {
          if (ready) {
            await ready;
            ready = null;
          }
          const t = now();
          if (t >= nextRetry) {
            nextRetry = t + options.retryDelayMs;
            await retryOwn();
          }
          if (t >= nextClaim) {
            nextClaim = t + Math.max(50, Math.floor(options.claimIdleMs / 2));
            await claimStale();
          }
          if (stopped) break;
          const res = (await r.conn.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', batch, 'BLOCK', blockMs, 'STREAMS', key, '>')) as Array<[string, unknown]> | null;
          // Entries read but not handled before a stop stay pending: retried on restart or claimed.
          const handled: string[] = [];
          try {
            for (const [id, fields] of entriesOf(res?.[0]?.[1])) {
              if (stopped) break;
              if (await handle(id, fields, 1)) handled.push(id);
            }
          } finally {
            await ack(handled);
          }
        } catch (err) {
          if (stopped) break;
          // The stream or the group vanished (e.g. the keys were deleted): make them again.
          if (/NOGROUP/.test(message(err))) ready = createGroup();
          else logger.warn({ ...log, err: message(err) }, 'event bus: reading the stream failed; retrying');
          await r.pause(500);
        }
      }
    })();

    return track(async () => {
      stopped = true;
      await r.interrupt();
      await loop;
      await r.close();
    });
  }

  function subscribeBroadcast(label: string, handler: EventHandler): Unsubscribe {
    const r = reader(`${label}-broadcast`);
    let stopped = false;
    // Sent now, on the shared client: events this process publishes afterwards come after it.
    const start = redis.xrevrange(key, '+', '-', 'COUNT', 1).then((rows) => entriesOf(rows)[0]?.[0] ?? '0-0');
    const loop = (async () => {
      let last = await start.catch(() => '0-0');
      while (!stopped) {
        try {
          const res = (await r.conn.call('XREAD', 'COUNT', batch, 'BLOCK', blockMs, 'STREAMS', key, last)) as Array<[string, unknown]> | null;
          for (const [id, fields] of entriesOf(res?.[0]?.[1])) {
            last = id;
            if (stopped) break;
            const event = parse(id, fields);
            if (!event) continue;
            try {
              await handler(event, { attempt: 1 });
            } catch (err) {
              logger.warn({ subscription: label, err: message(err), event: event.type }, 'event handler failed (broadcast: not retried)');
            }
          }
        } catch (err) {
          if (stopped) break;
          logger.warn({ subscription: label, err: message(err) }, 'event bus: reading the stream failed; retrying');
          await r.pause(500);
        }
      }
    })();
    return track(async () => {
      stopped = true;
      await r.interrupt();
      await loop;
      await r.close();
    });
  }

  return {
    async publish(event) {
      const id = event.id ?? randomUUID();
      await redis.xadd(key, 'MAXLEN', '~', String(options.maxLen), '*', 'id', id, 'type', event.type, 'event', JSON.stringify({ ...event, id }));
    },
    subscribe(group, handler, opts = {}) {
      if (closed) throw new Error('event bus is closed');
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(group)) throw new Error(`invalid subscription name: ${group}`);
      return opts.mode === 'broadcast' ? subscribeBroadcast(group, handler) : subscribeGroup(group, handler);
    },
    trim,
    async close() {
      closed = true;
      clearInterval(trimTimer);
      await Promise.all([...subscriptions].map((stop) => stop()));
    },
  };
}
