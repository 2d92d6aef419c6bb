import { z } from 'zod';
import { CHANNELS, PRIORITIES, TICKET_TYPES } from '../../../channels/contract';
import type { FloorService } from '../../stats/floor.service';
import { scopeFloor, scopeStats, StatsForbidden, type StatsQuery } from '../../stats/stats.scope';
import { FloorSchema } from '../dto';
import { BACKLOG_AGES, SERIES_INTERVALS, type StatsService } from '../../stats/stats.service';
import { PERIODS, resolvePeriod, TimeZone } from '../../stats/stats.period';
import { HttpProblem } from '../problem';
import type { RouteTable } from '../route';

const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

const QueryFields = z.object({
  period: z.enum(PERIODS).optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  tz: TimeZone.optional(),
  team: z.string().min(1).max(64).optional(),
  channel: z.enum(CHANNELS).optional(),
  type: z.enum(TICKET_TYPES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  agent: z.string().min(1).max(64).optional(),
});

const customNeedsBounds = (q: { period?: string; from?: string; to?: string }) => q.period !== 'custom' || (q.from !== undefined && q.to !== undefined);
const customError = { message: 'a custom period needs from and to', path: ['from'] };
const Query = QueryFields.refine(customNeedsBounds, customError);
const SeriesQuery = QueryFields.extend({ interval: z.enum(SERIES_INTERVALS).default('day') }).refine(customNeedsBounds, customError);

const Durations = z.object({
  count: z.number().int(),
  medianMinutes: z.number().nullable(),
  p90Minutes: z.number().nullable(),
  averageMinutes: z.number().nullable(),
});

const Summary = z.object({
  from: z.string(),
  to: z.string(),
  volumes: z.object({ total: z.number().int(), byChannel: z.record(z.string(), z.number().int()), byType: z.record(z.string(), z.number().int()) }),
  wait: Durations,
  firstResponse: Durations,
  resolution: Durations,
  nextResponse: Durations,
  handleTime: Durations,
  sla: z.object({ tracked: z.number().int(), met: z.number().int(), compliancePercent: z.number().nullable() }),
  csat: z
    .object({ answers: z.number().int(), satisfied: z.number().int(), csatPercent: z.number().nullable(), averageScore: z.number().nullable() })
    .describe('satisfaction answers given in the period; csatPercent: the share of 4 and 5'),
  backlog: z.object({ total: z.number().int(), byAge: z.array(z.object({ age: z.enum(BACKLOG_AGES), count: z.number().int() })) }),
});

const Sla = z.object({ tracked: z.number().int(), met: z.number().int(), compliancePercent: z.number().nullable() });

const Agent = z.object({ agentId: z.string(), name: z.string(), handled: z.number().int(), firstResponse: Durations, nextResponse: Durations, resolution: Durations, handleTime: Durations });

const Team = z.object({
  teamId: z.string(),
  name: z.string(),
  created: z.number().int(),
  handled: z.number().int(),
  firstResponse: Durations,
  nextResponse: Durations,
  resolution: Durations,
  handleTime: Durations,
  sla: Sla,
});

const Counts = z.record(z.string(), z.number().int());
const Series = z.object({
  from: z.string(),
  to: z.string(),
  tz: z.string(),
  interval: z.enum(SERIES_INTERVALS),
  points: z.array(z.object({ start: z.string(), label: z.string(), total: z.number().int(), byChannel: Counts, byType: Counts, firstResponse: Durations, resolution: Durations })),
});

/** Response-time reports from the hourly buckets: supervisors their teams, admins all, agents their own. */
export interface StatsRouteDeps {
  stats: StatsService;
  floor?: FloorService;
  /** The user's saved time zone (null: none, UTC). */
  savedZone?: (userId: string) => Promise<string | null>;
  now?: () => Date;
}

export function registerStatsRoutes(t: RouteTable, deps: StatsRouteDeps): void {
  const now = deps.now ?? (() => new Date());
  const filter = async (principal: Parameters<typeof scopeStats>[0] | null, q: z.infer<typeof Query>) => {
    if (!principal) throw new HttpProblem(401, 'Unauthorized', 'Sign in first.');
    const tz = q.tz ?? (principal.kind === 'user' ? await deps.savedZone?.(principal.id) : null) ?? 'UTC';
    const { from, to } = resolvePeriod({ period: q.period, from: q.from, to: q.to, tz }, now());
    if (from.getTime() >= to.getTime()) throw new HttpProblem(400, 'Invalid request', 'The query is not valid.', [{ field: 'query.from', message: 'from must be before to', code: 'invalid' }], 'validation');
    const query: StatsQuery = { ...q, from, to };
    try {
      return { ...scopeStats(principal, query), tz };
    } catch (err) {
      if (err instanceof StatsForbidden) throw new HttpProblem(403, 'Forbidden', err.message);
      throw err;
    }
  };

  t.route({
    method: 'get',
    path: '/api/v1/stats/summary',
    summary: 'Volumes by channel and type, wait / first response / resolution median and p90, SLA compliance and backlog by age for a period',
    tags: ['stats'],
    access: 'signed-in',
    query: Query,
    response: Summary,
    async handler({ principal, query }) {
      return deps.stats.summary(await filter(principal, query));
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/stats/agents',
    summary: 'Per agent for a period: tickets handled (resolved), first response, next response, resolution and handle time median and p90',
    tags: ['stats'],
    access: 'signed-in',
    query: Query,
    response: z.object({ items: z.array(Agent) }),
    async handler({ principal, query }) {
      return { items: await deps.stats.agents(await filter(principal, query)) };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/stats/teams',
    summary: 'Per team for a period: tickets created and handled, first response, next response, resolution and handle time median and p90, SLA compliance',
    tags: ['stats'],
    access: 'signed-in',
    query: Query,
    response: z.object({ items: z.array(Team) }),
    async handler({ principal, query }) {
      return { items: await deps.stats.teams(await filter(principal, query)) };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/stats/series',
    summary: "Volumes by channel and type, first response and resolution per hour or day of the period, in the zone's local hours and days",
    tags: ['stats'],
    access: 'signed-in',
    query: SeriesQuery,
    response: Series,
    async handler({ principal, query }) {
      return deps.stats.series(await filter(principal, query), query.interval);
    },
  });

  const floor = deps.floor;
  if (floor) {
    t.route({
      method: 'get',
      path: '/api/v1/stats/floor',
      summary:
        'The live floor (supervisors their teams, admins all; agents 403): per team the queues by channel (waiting, oldest wait), members with presence, load against capacity and held tickets, offers pending, tickets at SLA risk and breached now',
      tags: ['stats'],
      access: 'signed-in',
      query: z.object({ team: z.string().min(1).max(64).optional() }),
      errors: [403],
      response: FloorSchema,
      async handler({ principal, query }) {
        if (!principal) throw new HttpProblem(401, 'Unauthorized', 'Sign in first.');
        try {
          return await floor.floor(scopeFloor(principal, query.team));
        } catch (err) {
          if (err instanceof StatsForbidden) throw new HttpProblem(403, 'Forbidden', err.message);
          throw err;
        }
      },
    });
  }
}
