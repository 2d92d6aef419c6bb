/** Every queue name in one place. */
export const QUEUES = {
  ingest: 'ingest',
  outbound: 'outbound',
  sla: 'sla',
  /** Periodic tasks of channel instances (pollers): src/channels/channel-scheduler.ts. */
  channelSchedules: 'channel-schedules',
  /** Received faxes waiting to be read (pages, OCR) and ingested: src/documents/fax-intake.ts. */
  faxDocuments: 'fax-documents',
  /** Customer care: complaint follow-ups scheduled days ahead (src/care). */
  care: 'care',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
/** Customer value: RFM / tiers / stages recompute, segments and proactive care (src/value/value.jobs.ts). */
export const VALUE_QUEUE = 'value';
