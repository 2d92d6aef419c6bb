import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { CHANNELS, TICKET_TYPES, type ChannelId, type TicketType } from '../../channels/contract';
import { documentLockPlugin } from '../db/update-lock';

/** One satisfaction question about one resolved ticket; its _id derives from the ticket, so it is asked once. */
export interface CsatSurveyDoc {
  _id: Types.ObjectId;
  ticket: Types.ObjectId;
  ticketNumber: number;
  contact: Types.ObjectId;
  channel: ChannelId;
  ticketType: TicketType;
  team: Types.ObjectId | null;
  /** Who held the ticket when it was resolved. */
  agent: Types.ObjectId | null;
  /** The customer asked: visitor id, email address or phone number. */
  address: string;
  /** In the signed email links: a link of another survey never answers this one. */
  nonce: string;
  language: string;
  subject: string;
  askedAt: Date;
  answer: { score: number; comment: string; at: Date } | null;
}

/** The claim of a survey's answer: one insert per ticket, so the first answer wins and a reused link finds it taken. */
export interface CsatAnswerDoc {
  _id: Types.ObjectId;
  ticket: Types.ObjectId;
  score: number;
  /** `link`, `chat`, `sms:<provider id of the SMS>` (a provider's redelivery of that SMS is recognised). */
  via: string;
  at: Date;
}

const surveySchema = new Schema<CsatSurveyDoc>(
  {
    ticket: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    ticketNumber: { type: Number, required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    channel: { type: String, enum: CHANNELS, required: true },
    ticketType: { type: String, enum: TICKET_TYPES, required: true },
    team: { type: Schema.Types.ObjectId, ref: 'Team', default: null },
    agent: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    address: { type: String, required: true },
    nonce: { type: String, required: true },
    language: { type: String, default: 'en' },
    subject: { type: String, default: '' },
    askedAt: { type: Date, required: true },
    answer: {
      type: new Schema({ score: { type: Number, required: true }, comment: { type: String, default: '' }, at: { type: Date, required: true } }, { _id: false }),
      default: null,
    },
  },
  { collection: 'csat_surveys', versionKey: false },
);
surveySchema.index({ channel: 1, address: 1, askedAt: -1 });
surveySchema.plugin(documentLockPlugin);

const answerSchema = new Schema<CsatAnswerDoc>(
  {
    ticket: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    score: { type: Number, required: true },
    via: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'csat_answers', versionKey: false },
);

export type CsatSurveyModel = Model<CsatSurveyDoc>;
export type CsatAnswerModel = Model<CsatAnswerDoc>;

export async function createCsatModels(conn: Connection): Promise<{ CsatSurvey: CsatSurveyModel; CsatAnswer: CsatAnswerModel }> {
  const CsatSurvey = conn.model<CsatSurveyDoc>('CsatSurvey', surveySchema);
  const CsatAnswer = conn.model<CsatAnswerDoc>('CsatAnswer', answerSchema);
  await CsatSurvey.init();
  await CsatAnswer.init();
  return { CsatSurvey, CsatAnswer };
}
