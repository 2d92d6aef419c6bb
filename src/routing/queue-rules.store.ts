import type { Redis } from 'ioredis';
import { z } from 'zod';
import { CHANNELS, PRIORITIES, TICKET_TYPES } from '../../channels/contract';
import type { QueueRules } from './queue.selector';
import { CUSTOMER_TIERS } from './routing.types';

const ObjectIdString = z.string().regex(/^[0-9a-f]{24}$/i, 'a team id');
const Skills = z.array(z.string().trim().min(1).max(50)).max(20);

export const QueueRulesSchema = z.object({
  rules: z
    .array(
      z.object({
        id: z.string().trim().min(1).max(60),
        channels: z.array(z.enum(CHANNELS)).optional(),
        types: z.array(z.enum(TICKET_TYPES)).optional(),
        priorities: z.array(z.enum(PRIORITIES)).optional(),
        languages: z.array(z.string().trim().min(2).max(20)).optional(),
        tiers: z.array(z.enum(CUSTOMER_TIERS)).optional(),
        keywords: z.array(z.string().trim().min(1).max(100)).max(200).optional(),
        teamId: ObjectIdString,
        requiredSkills: Skills.optional(),
      }),
    )
    .max(200),
  fallback: z.object({ teamId: ObjectIdString, requiredSkills: Skills.optional() }),
});

/**
 * The admin's queue rules, kept in Redis beside the rest of routing's state so every hub
 * process reads the same ones; cached briefly per process. Until an admin sets rules,
 * every ticket goes to the fallback (default) team.
 */
export function createQueueRulesStore(redis: Redis, prefix: string, defaultTeamId: string, cacheMs = 2000) {
  const key = `${prefix}:rt:queue-rules`;
  let cached: { at: number; rules: QueueRules } | null = null;
  const defaults: QueueRules = { rules: [], fallback: { teamId: defaultTeamId, requiredSkills: [] } };

  return {
    async get(): Promise<QueueRules> {
      if (cached && Date.now() - cached.at < cacheMs) return cached.rules;
      const raw = await redis.get(key);
      const parsed = raw ? QueueRulesSchema.safeParse(JSON.parse(raw)) : null;
      const rules = parsed?.success ? parsed.data : defaults;
      cached = { at: Date.now(), rules };
      return rules;
    },
    async set(rules: QueueRules): Promise<QueueRules> {
      const valid = QueueRulesSchema.parse(rules);
      await redis.set(key, JSON.stringify(valid));
      cached = { at: Date.now(), rules: valid };
      return valid;
    },
  };
}
export type QueueRulesStore = ReturnType<typeof createQueueRulesStore>;
