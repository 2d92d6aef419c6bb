import type { Checkpoint } from '../../channels/contract';
import type { ChannelCheckpointModel } from './channel-instance.model';

/**
 * Pollers' cursors in MongoDB (durable across restarts of every process), one document per
 * cursor addressed by `_id`: set is an upsert by `_id`, serialized by the document-lock plugin.
 * Only one process runs a given poller at a time (channel-scheduler.ts), so cursors have one writer.
 */
export function createCheckpointStore(model: ChannelCheckpointModel) {
  return {
    for(scope: string): Checkpoint {
      const id = (key: string): string => `${scope}:${key}`;
      return {
        async get(key) {
          return (await model.findById(id(key), { value: 1 }).lean())?.value ?? null;
        },
        async set(key, value) {
          await model.updateOne({ _id: id(key) }, { $set: { value, updatedAt: new Date() } }, { upsert: true });
        },
      };
    },
    /** Forgets every cursor of a deleted instance. */
    async clear(scope: string): Promise<void> {
      await model.deleteMany({ _id: { $regex: `^${scope.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:` } });
    },
  };
}
export type CheckpointStore = ReturnType<typeof createCheckpointStore>;
