import { Schema, type Connection, type Model } from 'mongoose';
import { documentLockPlugin } from '../db/update-lock';

/**
 * One hour of figures for one combination of team × channel × type × priority × agent.
 * `_id` is the combination's key (see {@link bucketKey}); counters are `$inc`ed, histograms
 * live in flat counter fields `frt_h<i>`, `res_h<i>`, `wait_h<i>` (see stats.histogram.ts).
 */
export interface StatBucketDoc {
  _id: string;
  hour: Date;
  team: string;
  channel: string;
  type: string;
  priority: string;
  agent: string;
  [counter: string]: unknown;
}

const bucketSchema = new Schema<StatBucketDoc>(
  {
    _id: { type: String, required: true },
    hour: { type: Date, required: true },
    team: { type: String, default: '' },
    channel: { type: String, default: '' },
    type: { type: String, default: '' },
    priority: { type: String, default: '' },
    agent: { type: String, default: '' },
  },
  // Counter fields are open-ended (histogram bins): not declared one by one.
  { collection: 'stat_buckets', strict: false, versionKey: false },
);
bucketSchema.index({ hour: 1, team: 1 });
bucketSchema.plugin(documentLockPlugin);

/** Where an open ticket is counted in the backlog. */
export interface OpenTicket {
  team: string;
  agent: string;
  /** ms since the epoch. */
  createdAt: number;
}

/** What one ticket adds to the buckets now (so a change applies only the difference). */
export interface StatContributionDoc {
  _id: string;
  rows: Array<{ key: string; counters: Record<string, number> }>;
  /** Where it counts in the backlog now (null: not open). */
  open?: OpenTicket | null;
}

const contributionSchema = new Schema<StatContributionDoc>(
  {
    _id: { type: String, required: true },
    rows: { type: Schema.Types.Mixed, default: () => [] },
    open: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'stat_contributions', versionKey: false },
);
contributionSchema.plugin(documentLockPlugin);

export type StatBucketModel = Model<StatBucketDoc>;
export type StatContributionModel = Model<StatContributionDoc>;

export interface StatModels {
  StatBucket: StatBucketModel;
  StatContribution: StatContributionModel;
}

export async function createStatModels(conn: Connection): Promise<StatModels> {
  const models = {
    StatBucket: conn.model<StatBucketDoc>('StatBucket', bucketSchema),
    StatContribution: conn.model<StatContributionDoc>('StatContribution', contributionSchema),
  };
  await models.StatBucket.init();
  await models.StatContribution.init();
  return models;
}
