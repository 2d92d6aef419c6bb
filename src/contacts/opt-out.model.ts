import { Schema, type Connection, type Model } from 'mongoose';
import { CHANNELS, type ChannelId } from '../../channels/contract';
import { documentLockPlugin } from '../db/update-lock';

/**
 * Whether a customer's address takes messages on a channel (an SMS number after STOP / START).
 * Kept per address, not per contact: a STOP can come before the hub knows the person, and the
 * opt-out follows the number through contact merges.
 */
export interface OptOutDoc {
  /** `<channel>:<normalized address>` (`sms:+8613800138000`). */
  _id: string;
  channel: ChannelId;
  address: string;
  optedOut: boolean;
  /** What the customer sent (STOP, 退订, START). */
  keyword: string;
  /** The provider id of the message that asked. */
  externalId: string;
  /** When they asked; a change from an earlier message never undoes a later one. */
  at: Date;
}

const schema = new Schema<OptOutDoc>(
  {
    _id: { type: String, required: true },
    channel: { type: String, enum: CHANNELS, required: true },
    address: { type: String, required: true },
    optedOut: { type: Boolean, required: true },
    keyword: { type: String, default: '' },
    externalId: { type: String, default: '' },
    at: { type: Date, required: true },
  },
  { collection: 'opt_outs', versionKey: false },
);
schema.plugin(documentLockPlugin);

export type OptOutModel = Model<OptOutDoc>;

export async function createOptOutModel(conn: Connection): Promise<OptOutModel> {
  const model = conn.model<OptOutDoc>('OptOut', schema);
  await model.init();
  return model;
}
