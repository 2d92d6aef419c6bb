import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface TeamDoc {
  _id: Types.ObjectId;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<TeamDoc>(
  {
    name: { type: String, required: true, trim: true },
    description: { type: String, default: '' },
  },
  { timestamps: true, collection: 'teams' },
);
schema.index({ name: 1 }, { unique: true });

export type TeamModel = Model<TeamDoc>;
export const createTeamModel = (conn: Connection): TeamModel => conn.model<TeamDoc>('Team', schema);
