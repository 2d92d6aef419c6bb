import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { TICKET_TYPES, type TicketType } from '../../channels/contract';
import { documentLockPlugin } from '../db/update-lock';
import type { Sealed } from './secret-box';

/**
 * A configured channel instance: one mailbox, one phone number, one feed. Its `settings` are
 * validated by its kind's schema (channels/registry.ts); its `secrets` are sealed (AES-256-GCM,
 * see secret-box.ts) and never leave the hub through the API.
 */
export interface ChannelInstanceDoc {
  _id: Types.ObjectId;
  kind: string;
  /** Unique, for people: "Support mailbox", "+86 10 1234 5678". */
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  /** Field → sealed value; a field that is not set is absent. */
  secrets: Record<string, Sealed>;
  /** The team new tickets from this instance join (null: the default team). */
  team: Types.ObjectId | null;
  /** The type new tickets get unless the customer chose one (null: classification rules decide). */
  defaultType: TicketType | null;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<ChannelInstanceDoc>(
  {
    kind: { type: String, required: true },
    name: { type: String, required: true, trim: true },
    enabled: { type: Boolean, default: true },
    settings: { type: Schema.Types.Mixed, default: {} },
    secrets: { type: Schema.Types.Mixed, default: {} },
    team: { type: Schema.Types.ObjectId, ref: 'Team', default: null },
    defaultType: { type: String, enum: [...TICKET_TYPES, null], default: null },
  },
  { timestamps: true, collection: 'channel_instances', minimize: false },
);
// The unique index is what refuses a second instance with the same name.
schema.index({ name: 1 }, { unique: true });
// Admins may edit one instance concurrently: one update at a time (FerretDB).
schema.plugin(documentLockPlugin);

export type ChannelInstanceModel = Model<ChannelInstanceDoc>;

/** Durable cursors of pollers: `_id` = `<instance key>:<cursor name>`. */
export interface ChannelCheckpointDoc {
  _id: string;
  value: string;
  updatedAt: Date;
}

const checkpointSchema = new Schema<ChannelCheckpointDoc>(
  {
    _id: { type: String, required: true },
    value: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'channel_checkpoints', versionKey: false },
);
checkpointSchema.plugin(documentLockPlugin);

export type ChannelCheckpointModel = Model<ChannelCheckpointDoc>;

/** Builds both models and makes sure their indexes exist before the first insert. */
export async function createChannelModels(conn: Connection): Promise<{ ChannelInstance: ChannelInstanceModel; ChannelCheckpoint: ChannelCheckpointModel }> {
  const ChannelInstance = conn.model<ChannelInstanceDoc>('ChannelInstance', schema);
  const ChannelCheckpoint = conn.model<ChannelCheckpointDoc>('ChannelCheckpoint', checkpointSchema);
  await ChannelInstance.init();
  await ChannelCheckpoint.init();
  return { ChannelInstance, ChannelCheckpoint };
}
