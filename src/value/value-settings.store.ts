import type { Redis } from 'ioredis';
import { z } from 'zod';

const Score = z.number().int().min(1).max(5);
/** A tier's minimum R, F and M scores (1-5): a customer gets the first tier whose three minimums hold. */
const Minimums = z.object({ r: Score, f: Score, m: Score });
const TeamRef = z.string().regex(/^[0-9a-fA-F]{24}$/, 'must be a team id').nullable();

/** What admins configure for customer value (kept in Redis, shared by every process). */
export const ValueSettingsSchema = z.object({
  /** The currency `monetary` is counted in; orders in another one count through `rates`. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'a 3-letter currency code'),
  /** Value of one unit of a currency in `currency` (e.g. `{"USD": 7.1}` when `currency` is CNY). */
  rates: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().positive()).default({}),
  /** Bronze is everyone with orders who meets none of these. */
  tiers: z.object({ platinum: Minimums, gold: Minimums, silver: Minimums }),
  stage: z.object({
    /** Length of "the period" the declining rule compares with the one before it. */
    periodDays: z.number().int().min(7).max(730),
    /** At least this many orders, the first at least `stableMinDays` ago: stable. */
    stableMinOrders: z.number().int().min(2).max(1000),
    stableMinDays: z.number().int().min(1).max(3650),
  }),
  /** The team that takes a customer's care tickets, by their tier; `fallback` for the rest (null: the default team). */
  careTeams: z.object({ platinum: TeamRef, gold: TeamRef, silver: TeamRef, bronze: TeamRef, fallback: TeamRef }),
});
export type ValueSettings = z.infer<typeof ValueSettingsSchema>;

export const DEFAULT_VALUE_SETTINGS: ValueSettings = Object.freeze({
  currency: 'CNY',
  rates: {},
  tiers: { platinum: { r: 4, f: 4, m: 4 }, gold: { r: 3, f: 3, m: 3 }, silver: { r: 2, f: 2, m: 2 } },
  stage: { periodDays: 90, stableMinOrders: 4, stableMinDays: 180 },
  careTeams: { platinum: null, gold: null, silver: null, bronze: null, fallback: null },
}) as ValueSettings;
/** Number of K-means segments until a supervisor chooses another. */
export const DEFAULT_SEGMENTS_K = 4;
export const SegmentsKSchema = z.number().int().min(2).max(12);

export function createValueSettingsStore(redis: Redis, prefix: string) {
  const key = `${prefix}:value-settings`;
  return {
    async get(): Promise<{ settings: ValueSettings; custom: boolean }> {
      const raw = await redis.get(key);
      if (!raw) return { settings: DEFAULT_VALUE_SETTINGS, custom: false };
      const parsed = ValueSettingsSchema.safeParse(JSON.parse(raw));
      return parsed.success ? { settings: parsed.data, custom: true } : { settings: DEFAULT_VALUE_SETTINGS, custom: false };
    },
    async set(settings: ValueSettings): Promise<ValueSettings> {
      const valid = ValueSettingsSchema.parse(settings);
      await redis.set(key, JSON.stringify(valid));
      return valid;
    },
    /** The number of segments, a key of its own: supervisors choose it, the rest is for admins. */
    async segmentsK(): Promise<number> {
      const k = Number(await redis.get(`${key}:segments-k`));
      return SegmentsKSchema.safeParse(k).success ? k : DEFAULT_SEGMENTS_K;
    },
    async setSegmentsK(k: number): Promise<number> {
      await redis.set(`${key}:segments-k`, String(SegmentsKSchema.parse(k)));
      return k;
    },
    async reset(): Promise<void> {
      await redis.del(key);
    },
  };
}
export type ValueSettingsStore = ReturnType<typeof createValueSettingsStore>;
