import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { documentLockPlugin } from '../db/update-lock';
import { IDENTITY_KINDS, type Identity } from '../../channels/contract';

export const VALUE_TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const;
export type ValueTier = (typeof VALUE_TIERS)[number];
export const RELATIONSHIP_STAGES = ['exploring', 'forming', 'stable', 'declining'] as const;
export type RelationshipStage = (typeof RELATIONSHIP_STAGES)[number];

/** A customer profile: one per person, across every channel they use. */
export interface ContactDoc {
  _id: Types.ObjectId;
  name: string;
  identities: Identity[];
  organization: Types.ObjectId | null;
  language: string;
  tags: string[];
  /** The tier routing and SLA use: `tierOverride` when a person set one, else `computedTier`. */
  tier: ValueTier | null;
  stage: RelationshipStage | null;
  /** The tier the value job last computed from the customer's orders (RFM), null without orders. */
  computedTier?: ValueTier | null;
  /** A tier a person set by hand: it wins over the computed one until cleared (null). */
  tierOverride?: ValueTier | null;
  mergedInto: Types.ObjectId | null;
  /** Contacts merged into this one, newest last: who, when, what moved. */
  merges: ContactMergeRecord[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ContactMergeRecord {
  contact: Types.ObjectId;
  at: Date;
  actor: { kind: string; id: string | null; name: string };
  tickets: number;
  identities: number;
}

const schema = new Schema<ContactDoc>(
  {
    name: { type: String, default: '' },
    identities: {
      type: [{ _id: false, kind: { type: String, enum: IDENTITY_KINDS, required: true }, value: { type: String, required: true } }],
      default: [],
    },
    organization: { type: Schema.Types.ObjectId, ref: 'Organization', default: null },
    language: { type: String, default: '' },
    tags: { type: [String], default: [] },
    tier: { type: String, enum: [...VALUE_TIERS, null], default: null },
    stage: { type: String, enum: [...RELATIONSHIP_STAGES, null], default: null },
    computedTier: { type: String, enum: [...VALUE_TIERS, null], default: null },
    tierOverride: { type: String, enum: [...VALUE_TIERS, null], default: null },
    mergedInto: { type: Schema.Types.ObjectId, ref: 'Contact', default: null },
    merges: {
      type: [
        {
          _id: false,
          contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
          at: { type: Date, required: true },
          actor: { kind: { type: String, required: true }, id: { type: String, default: null }, name: { type: String, default: '' } },
          tickets: { type: Number, default: 0 },
          identities: { type: Number, default: 0 },
        },
      ],
      default: [],
    },
  },
  { timestamps: true, collection: 'contacts' },
);
schema.index({ 'identities.value': 1 });
schema.index({ organization: 1 });

// Single-document updates are serialized (FerretDB applies updates without isolation).
schema.plugin(documentLockPlugin);

export type ContactModel = Model<ContactDoc>;
export const createContactModel = (conn: Connection): ContactModel => conn.model<ContactDoc>('Contact', schema);

/**
 * The identity index: `_id` is `kind:value` (normalized), so claiming an identity is a
 * unique-key insert and two workers can never create two contacts for one address.
 */
export interface IdentityDoc {
  _id: string;
  contact: Types.ObjectId;
  createdAt: Date;
}
const identitySchema = new Schema<IdentityDoc>(
  {
    _id: { type: String, required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'contact_identities' },
);
identitySchema.index({ contact: 1 });

export type IdentityModel = Model<IdentityDoc>;
export const createIdentityModel = (conn: Connection): IdentityModel => conn.model<IdentityDoc>('ContactIdentity', identitySchema);
