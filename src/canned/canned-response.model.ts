import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { CANNED_LOCALES, type CannedLocale } from './canned.types';

export { CANNED_LOCALES, type CannedLocale };

/**
 * A canned response: text an agent inserts into the composer by typing `/` and its
 * shortcut. Admins manage them; every signed-in user may read them.
 */
export interface CannedResponseDoc {
  _id: Types.ObjectId;
  /** What the agent types after `/` (lowercase letters, digits, `-` and `_`); unique. */
  shortcut: string;
  title: string;
  text: string;
  /** The language the text is written in; empty for any. */
  locale: CannedLocale;
  createdBy: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<CannedResponseDoc>(
  {
    shortcut: { type: String, required: true, trim: true, lowercase: true },
    title: { type: String, required: true, trim: true },
    text: { type: String, required: true },
    locale: { type: String, enum: CANNED_LOCALES, default: '' },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { timestamps: true, collection: 'canned_responses' },
);
// The unique index is what refuses a second response with the same shortcut.
schema.index({ shortcut: 1 }, { unique: true });

export type CannedResponseModel = Model<CannedResponseDoc>;

/** Builds the model and makes sure its unique index exists before the first insert. */
export async function createCannedResponseModel(conn: Connection): Promise<CannedResponseModel> {
  const model = conn.model<CannedResponseDoc>('CannedResponse', schema);
  await model.init();
  return model;
}
