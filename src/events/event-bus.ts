import type { Redis } from 'ioredis';
import type { DomainEvent } from './event.types';

export type EventHandler = (event: DomainEvent) => void | Promise<void>;

export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  /** Handlers run for every event published by any hub process on the same Redis. */
  subscribe(handler: EventHandler): () => void;
  close(): Promise<void>;
}

interface Logger {
  error(obj: object, msg?: string): void;
}

/**
 * Domain events over Redis pub/sub, so every hub process (API, workers, realtime)
 * sees every event. Delivery is at-most-once per subscriber: listeners that must not
 * miss anything (SLA timers, metrics) re-derive state from the database on start.
 */
export function createRedisEventBus(pub: Redis, sub: Redis, prefix: string, logger: Logger): EventBus {
  const channel = `${prefix}:events`;
  const handlers = new Set<EventHandler>();
  let subscribed: Promise<unknown> | null = null;

  sub.on('message', (ch: string, payload: string) => {
    if (ch !== channel) return;
    let event: DomainEvent;
    try {
      event = JSON.parse(payload) as DomainEvent;
    } catch (err) {
      logger.error({ err }, 'event bus: unparseable event dropped');
      return;
    }
    for (const h of handlers) {
      Promise.resolve()
        .then(() => h(event))
        .catch((err: unknown) => logger.error({ err, event: event.type }, 'event handler failed'));
    }
  });

  return {
    async publish(event) {
      await pub.publish(channel, JSON.stringify(event));
    },
    subscribe(handler) {
      handlers.add(handler);
      subscribed ??= sub.subscribe(channel);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
      if (subscribed) await sub.unsubscribe(channel).catch(() => undefined);
    },
  };
}
