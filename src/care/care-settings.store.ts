import type { Redis } from 'ioredis';
import { z } from 'zod';
import { TICKET_TYPES } from '../../channels/contract';

/** The channels the hub asks satisfaction questions on (each in its own way: card, links, "reply 1-5"). */
export const CSAT_CHANNELS = ['webchat', 'email', 'sms'] as const;
export type CsatChannel = (typeof CSAT_CHANNELS)[number];

const PerChannel = z.object({ webchat: z.boolean(), email: z.boolean(), sms: z.boolean() });

export const CsatSettingsSchema = z.object({
  /** Whether resolving a ticket of this type on this channel asks its customer. */
  ask: z.object({ complaint: PerChannel, suggestion: PerChannel, care: PerChannel }),
  /** How long after the question an SMS that is just a digit 1–5 counts as the answer. */
  smsWindowHours: z.number().min(0.001).max(24 * 60),
  /** A score of 1 or 2 opens a care follow-up ticket for the team's lead. */
  lowScoreFollowUp: z.boolean(),
});
export type CsatSettings = z.infer<typeof CsatSettingsSchema>;

export const ComplaintSettingsSchema = z.object({
  /** The causes an agent picks from when resolving a complaint. */
  causes: z.array(z.string().trim().min(1).max(80)).min(1).max(50).refine((c) => new Set(c).size === c.length, 'causes must differ'),
  /** Days after resolution that the care follow-up ticket is opened (fractions allowed: 0.5 = 12 hours). */
  followUpDays: z.number().min(0).max(365),
});
export type ComplaintSettings = z.infer<typeof ComplaintSettingsSchema>;

const all = { webchat: true, email: true, sms: true };
export const DEFAULT_CSAT_SETTINGS: CsatSettings = {
  ask: Object.fromEntries(TICKET_TYPES.map((t) => [t, { ...all }])) as CsatSettings['ask'],
  smsWindowHours: 72,
  lowScoreFollowUp: true,
};
export const DEFAULT_COMPLAINT_SETTINGS: ComplaintSettings = {
  causes: ['product_defect', 'delivery', 'billing', 'service', 'other'],
  followUpDays: 7,
};

/**
 * Admins' customer-care settings (CSAT, complaint follow-through), one JSON value each in Redis,
 * shared by every hub process and read on use (they change rarely; a read is one GET).
 */
export function createCareSettings(redis: Redis, prefix: string) {
  const key = (name: string) => `${prefix}:settings:${name}`;
  async function read<T>(name: string, schema: z.ZodType<T>, fallback: T): Promise<T> {
    const raw = await redis.get(key(name));
    if (!raw) return fallback;
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : fallback;
  }
  return {
    csat: () => read('csat', CsatSettingsSchema, DEFAULT_CSAT_SETTINGS),
    complaints: () => read('complaints', ComplaintSettingsSchema, DEFAULT_COMPLAINT_SETTINGS),
    async setCsat(s: CsatSettings): Promise<CsatSettings> {
      await redis.set(key('csat'), JSON.stringify(s));
      return s;
    },
    async setComplaints(s: ComplaintSettings): Promise<ComplaintSettings> {
      await redis.set(key('complaints'), JSON.stringify(s));
      return s;
    },
  };
}
export type CareSettings = ReturnType<typeof createCareSettings>;
