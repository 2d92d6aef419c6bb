import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { documentLockPlugin } from '../db/update-lock';
import { WEEKDAYS } from '../routing/business-hours.calculator';
import type { FloorAlertLimits } from './team-alerts';
import type { StoredCalendar } from './team-calendar';

export type { FloorAlertLimits } from './team-alerts';

export interface TeamDoc {
  _id: Types.ObjectId;
  name: string;
  description: string;
  /** Business hours for SLA policies that count them (see team-calendar.ts); null = around the clock. */
  businessHours: StoredCalendar | null;
  /**
   * When supervisors are alerted about the team's queue: more than `maxWaiting` tickets waiting,
   * or the longest-waiting one waiting more than `maxWaitSeconds` (null: no such limit).
   */
  floorAlerts?: FloorAlertLimits | null;
  createdAt: Date;
  updatedAt: Date;
}

const interval = new Schema({ open: { type: String, required: true }, close: { type: String, required: true } }, { _id: false });
const week = new Schema(Object.fromEntries(WEEKDAYS.map((d) => [d, { type: [interval], default: undefined }])), { _id: false });
const calendar = new Schema(
  {
    timeZone: { type: String, required: true },
    hours: { type: week, required: true },
    holidays: { type: [String], default: [] },
  },
  { _id: false },
);

const schema = new Schema<TeamDoc>(
  {
    name: { type: String, required: true, trim: true },
    description: { type: String, default: '' },
    businessHours: { type: calendar, default: null },
    floorAlerts: {
      type: new Schema({ maxWaiting: { type: Number, default: null }, maxWaitSeconds: { type: Number, default: null } }, { _id: false }),
      default: null,
    },
  },
  { timestamps: true, collection: 'teams' },
);
schema.index({ name: 1 }, { unique: true });
// Admins edit teams concurrently (name, description, business hours): one update at a time.
schema.plugin(documentLockPlugin);

export type TeamModel = Model<TeamDoc>;
export const createTeamModel = (conn: Connection): TeamModel => conn.model<TeamDoc>('Team', schema);
