import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { RELATIONSHIP_STAGES, VALUE_TIERS, type RelationshipStage, type ValueTier } from '../contacts/contact.model';

/** Why a customer is in their stage: a stable code and its figures (the console words it). */
export interface StageReason {
  code: string;
  params: Record<string, number>;
}

/** A move that may call for proactive care: to `declining`, or down a tier. */
export interface ValueChange {
  /** Unique per move (`kind:contact:computedAt`): a care ticket is opened at most once per move. */
  id: string;
  kind: 'declining' | 'tier_drop';
  from: string | null;
  to: string;
  at: Date;
}

/**
 * A customer's value as last computed (one per contact with orders or a stage): the figures,
 * their RFM scores, the computed tier and stage with its reason, and what they were before.
 * Written only by the recompute job (one at a time, under a Redis lock).
 */
export interface CustomerValueDoc {
  _id: Types.ObjectId;
  orders: number;
  monetary: number;
  /** Orders in currencies without a rate: counted in `orders`, left out of `monetary`. */
  unconverted: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  recencyDays: number | null;
  rfm: { r: number; f: number; m: number } | null;
  tier: ValueTier | null;
  previousTier: ValueTier | null;
  stage: RelationshipStage;
  previousStage: RelationshipStage | null;
  stageReason: StageReason;
  change: ValueChange | null;
  segment: number | null;
  computedAt: Date;
}

const Tier = { type: String, enum: [...VALUE_TIERS, null], default: null };
const Stage = { type: String, enum: [...RELATIONSHIP_STAGES, null], default: null };
const scoresSchema = new Schema({ r: Number, f: Number, m: Number }, { _id: false });
const changeSchema = new Schema(
  { id: String, kind: { type: String, enum: ['declining', 'tier_drop'] }, from: { type: String, default: null }, to: String, at: Date },
  { _id: false },
);
const valueSchema = new Schema<CustomerValueDoc>(
  {
    orders: { type: Number, default: 0 },
    monetary: { type: Number, default: 0 },
    unconverted: { type: Number, default: 0 },
    firstOrderAt: { type: Date, default: null },
    lastOrderAt: { type: Date, default: null },
    recencyDays: { type: Number, default: null },
    rfm: { type: scoresSchema, default: null },
    tier: Tier,
    previousTier: Tier,
    stage: { type: String, enum: RELATIONSHIP_STAGES, required: true },
    previousStage: Stage,
    stageReason: { _id: false, code: { type: String, required: true }, params: { type: Schema.Types.Mixed, default: {} } },
    change: { type: changeSchema, default: null },
    segment: { type: Number, default: null },
    computedAt: { type: Date, required: true },
  },
  { collection: 'customer_values', versionKey: false },
);
valueSchema.index({ segment: 1 });

export type CustomerValueModel = Model<CustomerValueDoc>;

/** One per care move handled (`contact:changeId`): the unique key that makes a second run open nothing. */
export interface CareOpeningDoc {
  _id: string;
  contact: Types.ObjectId;
  /** The care ticket opened, or null when the customer already had an open one. */
  ticket: Types.ObjectId | null;
  at: Date;
}
const openingSchema = new Schema<CareOpeningDoc>(
  { _id: { type: String, required: true }, contact: { type: Schema.Types.ObjectId, required: true }, ticket: { type: Schema.Types.ObjectId, default: null }, at: { type: Date, required: true } },
  { collection: 'care_openings', versionKey: false },
);
export type CareOpeningModel = Model<CareOpeningDoc>;

/** The customer's open care ticket: `_id` is the contact, so there is at most one (a unique-key insert). */
export interface CareClaimDoc {
  _id: Types.ObjectId;
  ticket: Types.ObjectId;
  at: Date;
}
const claimSchema = new Schema<CareClaimDoc>(
  { _id: { type: Schema.Types.ObjectId, required: true }, ticket: { type: Schema.Types.ObjectId, required: true }, at: { type: Date, required: true } },
  { collection: 'care_claims', versionKey: false },
);
export type CareClaimModel = Model<CareClaimDoc>;

/** The last segmentation (a single document, `_id` `current`). */
export interface SegmentRunDoc {
  _id: string;
  k: number;
  customers: number;
  computedAt: Date;
  segments: Array<{ id: number; size: number; centroid: { r: number; f: number; m: number } }>;
}
const segmentSchema = new Schema<SegmentRunDoc>(
  {
    _id: { type: String, required: true },
    k: { type: Number, required: true },
    customers: { type: Number, required: true },
    computedAt: { type: Date, required: true },
    segments: { type: [{ _id: false, id: Number, size: Number, centroid: { _id: false, r: Number, f: Number, m: Number } }], default: [] },
  },
  { collection: 'value_segments', versionKey: false },
);
export type SegmentRunModel = Model<SegmentRunDoc>;

export interface ValueModels {
  CustomerValue: CustomerValueModel;
  CareOpening: CareOpeningModel;
  CareClaim: CareClaimModel;
  SegmentRun: SegmentRunModel;
}

export async function createValueModels(conn: Connection): Promise<ValueModels> {
  const models: ValueModels = {
    CustomerValue: conn.model<CustomerValueDoc>('CustomerValue', valueSchema),
    CareOpening: conn.model<CareOpeningDoc>('CareOpening', openingSchema),
    CareClaim: conn.model<CareClaimDoc>('CareClaim', claimSchema),
    SegmentRun: conn.model<SegmentRunDoc>('SegmentRun', segmentSchema),
  };
  for (const m of Object.values(models) as Array<{ init(): Promise<unknown> }>) await m.init();
  return models;
}
