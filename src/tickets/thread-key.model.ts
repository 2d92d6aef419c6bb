import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { documentLockPlugin } from '../db/update-lock';

/**
 * Thread index: `_id` is `channel:key` for every id a message carries (its own external
 * id, its thread references), pointing at the ticket it belongs to. Threading a reply is
 * then a few _id lookups instead of a scan of all messages.
 */
export interface ThreadKeyDoc {
  _id: string;
  ticket: Types.ObjectId;
  contact: Types.ObjectId;
  at: Date;
}

const schema = new Schema<ThreadKeyDoc>(
  {
    _id: { type: String, required: true },
    ticket: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    at: { type: Date, required: true },
  },
  { collection: 'thread_keys' },
);
schema.index({ ticket: 1 });

// Single-document updates are serialized (FerretDB applies updates without isolation).
schema.plugin(documentLockPlugin);

export type ThreadKeyModel = Model<ThreadKeyDoc>;
export const createThreadKeyModel = (conn: Connection): ThreadKeyModel => conn.model<ThreadKeyDoc>('ThreadKey', schema);
