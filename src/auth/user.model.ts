import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { documentLockPlugin } from '../db/update-lock';

import { ROLES, type Role } from './roles';

export { ROLES, type Role };

export interface UserDoc {
  _id: Types.ObjectId;
  email: string;
  name: string;
  passwordHash: string;
  role: Role;
  teams: Types.ObjectId[];
  skills: string[];
  languages: string[];
  /** Concurrent work limits: chats, and async channels (email, SMS, fax). */
  maxConcurrent: { chat: number; async: number };
  active: boolean;
  locale: string;
  /** Where phone calls for this agent ring (E.164; a voice menu's <Dial>); empty: none. */
  phone: string;
  /** IANA time zone the user's reports are shown in ('' for UTC). */
  timeZone?: string;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<UserDoc>(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    name: { type: String, required: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true },
    teams: { type: [{ type: Schema.Types.ObjectId, ref: 'Team' }], default: [] },
    skills: { type: [String], default: [] },
    languages: { type: [String], default: [] },
    maxConcurrent: {
      chat: { type: Number, default: 3 },
      async: { type: Number, default: 10 },
    },
    active: { type: Boolean, default: true },
    locale: { type: String, default: 'en' },
    phone: { type: String, default: '' },
    timeZone: { type: String, default: '' },
  },
  { timestamps: true, collection: 'users' },
);
schema.index({ email: 1 }, { unique: true });
schema.index({ teams: 1, role: 1 });

// Single-document updates are serialized (FerretDB applies updates without isolation).
schema.plugin(documentLockPlugin);

export type UserModel = Model<UserDoc>;
export const createUserModel = (conn: Connection): UserModel => conn.model<UserDoc>('User', schema);
