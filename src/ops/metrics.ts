import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HubMetrics {
  registry: Registry;
  ingested: Counter<'channel'>;
  ingestLatency: Histogram<'channel'>;
  queueDepth: Gauge<'queue' | 'state'>;
  /** Domain events, by type: counted by the `metrics` consumer group (each event by one process). */
  domainEvents: Counter<'type'>;
  /** Deliveries of events to listener groups in this process, by group and outcome (handled, failed, dead_letter). */
  eventDeliveries: Counter<'group' | 'outcome'>;
  channelHealthy: Gauge<'channel' | 'instance' | 'name'>;
}

export interface ChannelHealthSample {
  key: string;
  channel: string;
  name: string;
  ok: boolean;
}

/** One registry per hub (no global default registry), so tests can run several hubs. */
export function createMetrics(
  collectQueueDepths: () => Promise<Array<{ queue: string; state: string; count: number }>>,
  collectChannelHealth: () => Promise<ChannelHealthSample[]> = async () => [],
): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_process_' });
  const ingested = new Counter({
    name: 'hub_ingested_messages_total',
    help: 'Inbound messages stored (duplicates excluded), by channel',
    labelNames: ['channel'] as const,
    registers: [registry],
  });
  const ingestLatency = new Histogram({
    name: 'hub_ingest_latency_seconds',
    help: 'Time from acceptance to stored, by channel',
    labelNames: ['channel'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: 'hub_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      for (const { queue, state, count } of await collectQueueDepths()) this.set({ queue, state }, count);
    },
  });
  const channelHealthy = new Gauge({
    name: 'hub_channel_healthy',
    help: "1 when a channel (instance) last reported healthy, 0 when not, by channel, instance id (or the channel's id) and name",
    labelNames: ['channel', 'instance', 'name'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const h of await collectChannelHealth()) this.set({ channel: h.channel, instance: h.key, name: h.name }, h.ok ? 1 : 0);
    },
  });
  const domainEvents = new Counter({
    name: 'hub_domain_events_total',
    help: 'Domain events published, by type (summed over the hub processes)',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const eventDeliveries = new Counter({
    name: 'hub_event_deliveries_total',
    help: 'Event deliveries to listener groups, by group and outcome (handled, failed, dead_letter)',
    labelNames: ['group', 'outcome'] as const,
    registers: [registry],
  });
  return { registry, ingested, ingestLatency, queueDepth, channelHealthy, domainEvents, eventDeliveries };
}
