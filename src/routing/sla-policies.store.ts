import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PRIORITIES, TICKET_TYPES } from '../../channels/contract';
import { CUSTOMER_TIERS } from './routing.types';
import { DEFAULT_SLA_POLICIES, type SlaPolicy } from './sla.calculator';

const MINUTE_MS = 60_000;
/** A target in minutes (fractions allowed, at most a year); null = no target for that clock. */
const Minutes = z.number().positive().max(525_600).nullable();

/** One SLA policy as admins write it (targets in minutes). The first matching policy applies. */
export const SlaPolicyInputSchema = z.object({
  id: z.string().trim().regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, _ and - (1 to 60)'),
  match: z
    .object({
      types: z.array(z.enum(TICKET_TYPES)).max(TICKET_TYPES.length).optional(),
      priorities: z.array(z.enum(PRIORITIES)).max(PRIORITIES.length).optional(),
      tiers: z.array(z.enum(CUSTOMER_TIERS)).max(CUSTOMER_TIERS.length).optional(),
    })
    .default({}),
  targets: z.object({ firstResponseMinutes: Minutes, nextResponseMinutes: Minutes, resolutionMinutes: Minutes }),
  /** Count only the open hours of the ticket's team calendar (teams without one: around the clock). */
  businessHours: z.boolean().default(true),
  /** Share of a target at which the warning fires. */
  warnRatio: z.number().min(0.1).max(0.99).default(0.75),
  escalation: z
    .object({ notifySupervisors: z.boolean().default(true), raisePriority: z.boolean().default(false), reassign: z.boolean().default(false) })
    .default({ notifySupervisors: true, raisePriority: false, reassign: false }),
});
export type SlaPolicyInput = z.infer<typeof SlaPolicyInputSchema>;

export const SlaPoliciesSchema = z
  .array(SlaPolicyInputSchema)
  .max(100)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', message: `duplicate policy id "${p.id}"`, path: [i, 'id'], params: { code: 'already_in_use' } });
      seen.add(p.id);
    });
  });

const toMs = (m: number | null): number | null => (m === null ? null : Math.round(m * MINUTE_MS));
const toMinutes = (ms: number | null): number | null => (ms === null ? null : ms / MINUTE_MS);

export function policyFromInput(p: SlaPolicyInput): SlaPolicy {
  return {
    id: p.id,
    match: p.match,
    targets: { firstResponseMs: toMs(p.targets.firstResponseMinutes), nextResponseMs: toMs(p.targets.nextResponseMinutes), resolutionMs: toMs(p.targets.resolutionMinutes) },
    businessHours: p.businessHours,
    warnRatio: p.warnRatio,
    escalation: p.escalation,
  };
}

export function policyToInput(p: SlaPolicy): SlaPolicyInput {
  return {
    id: p.id,
    match: p.match,
    targets: {
      firstResponseMinutes: toMinutes(p.targets.firstResponseMs),
      nextResponseMinutes: toMinutes(p.targets.nextResponseMs),
      resolutionMinutes: toMinutes(p.targets.resolutionMs),
    },
    businessHours: p.businessHours,
    warnRatio: p.warnRatio ?? 0.75,
    escalation: p.escalation,
  };
}

/**
 * The admins' SLA policies, kept in Redis beside routing's state so every hub process uses the
 * same ones. The SLA service asks synchronously, so the list lives in memory: loaded at start,
 * replaced at once when changed here, re-read periodically for changes made by other processes.
 * Until an admin sets policies (or after a reset) the built-in defaults apply.
 */
export function createSlaPolicyStore(redis: Redis, prefix: string, opts: { refreshMs?: number; logger?: { warn(obj: object, msg?: string): void } } = {}) {
  const key = `${prefix}:sla-policies`;
  let current: { policies: readonly SlaPolicy[]; custom: boolean } = { policies: DEFAULT_SLA_POLICIES, custom: false };
  let timer: ReturnType<typeof setInterval> | null = null;

  async function load(): Promise<void> {
    const raw = await redis.get(key);
    if (raw === null) {
      current = { policies: DEFAULT_SLA_POLICIES, custom: false };
      return;
    }
    const parsed = SlaPoliciesSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) {
      opts.logger?.warn({ issues: parsed.error.issues.slice(0, 3) }, 'sla: stored policies are invalid; keeping the ones in use');
      return;
    }
    current = { policies: parsed.data.map(policyFromInput), custom: true };
  }

  return {
    /** The policies in force now (synchronous, for the SLA clocks). */
    policies: (): readonly SlaPolicy[] => current.policies,
    view(): { policies: SlaPolicyInput[]; source: 'default' | 'custom' } {
      return { policies: current.policies.map(policyToInput), source: current.custom ? 'custom' : 'default' };
    },
    /** Replaces the policies (validated already by the route); null goes back to the defaults. */
    async set(list: SlaPolicyInput[] | null): Promise<void> {
      if (list === null) await redis.del(key);
      else await redis.set(key, JSON.stringify(SlaPoliciesSchema.parse(list)));
      await load();
    },
    async start(): Promise<void> {
      await load();
      timer = setInterval(() => void load().catch((err: unknown) => opts.logger?.warn({ err }, 'sla: reloading policies failed')), opts.refreshMs ?? 10_000);
      timer.unref?.();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
export type SlaPolicyStore = ReturnType<typeof createSlaPolicyStore>;
