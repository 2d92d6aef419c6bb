import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface OrganizationDoc {
  _id: Types.ObjectId;
  name: string;
  /** Parent organization, for hierarchies (a group and its subsidiaries). */
  parent: Types.ObjectId | null;
  domains: string[];
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<OrganizationDoc>(
  {
    name: { type: String, required: true },
    parent: { type: Schema.Types.ObjectId, ref: 'Organization', default: null },
    domains: { type: [String], default: [] },
  },
  { timestamps: true, collection: 'organizations' },
);
schema.index({ parent: 1 });
schema.index({ domains: 1 });

export type OrganizationModel = Model<OrganizationDoc>;
export const createOrganizationModel = (conn: Connection): OrganizationModel =>
  conn.model<OrganizationDoc>('Organization', schema);
