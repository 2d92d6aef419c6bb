/** Every queue name in one place. */
export const QUEUES = {
  ingest: 'ingest',
  outbound: 'outbound',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
