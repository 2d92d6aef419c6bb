/** Every queue name in one place. */
export const QUEUES = {
  ingest: 'ingest',
  outbound: 'outbound',
  sla: 'sla',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
