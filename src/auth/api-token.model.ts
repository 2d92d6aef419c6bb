import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { documentLockPlugin } from '../db/update-lock';
import { ROLES, type Role } from './user.model';

/** Integrator API token. `_id` is the SHA-256 of the token: the token itself is never stored. */
export interface ApiTokenDoc {
  _id: string;
  name: string;
  /** The first characters, to recognise a token in a list. */
  prefix: string;
  role: Role;
  teams: Types.ObjectId[];
  createdBy: Types.ObjectId;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const schema = new Schema<ApiTokenDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    prefix: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true },
    teams: { type: [{ type: Schema.Types.ObjectId, ref: 'Team' }], default: [] },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'api_tokens' },
);
// A "last used" stamp racing a revocation must not write the token back to unrevoked
// (FerretDB applies updateOne as an unisolated read-modify-write).
schema.plugin(documentLockPlugin);

export type ApiTokenModel = Model<ApiTokenDoc>;
export const createApiTokenModel = (conn: Connection): ApiTokenModel => conn.model<ApiTokenDoc>('ApiToken', schema);
