import { z } from 'zod';
import { CHANNELS, PRIORITIES, TICKET_TYPES } from '../../../channels/contract';
import type { FloorService } from '../../stats/floor.service';
import { scopeFloor, scopeStats, StatsForbidden, type StatsQuery } from '../../stats/stats.scope';
import { BACKLOG_AGES, type StatsService } from '../../stats/stats.service';
import { FloorSchema } from '../dto';
import { HttpProblem } from '../problem';
import type { RouteTable } from '../route';

const Query = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    team: z.string().min(1).max(64).optional(),
    channel: z.enum(CHANNELS).optional(),
    type: z.enum(TICKET_TYPES).optional(),
    priority: z.enum(PRIORITIES).optional(),
    agent: z.string().min(1).max(64).optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['from'] });

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
  sla: z.object({ tracked: z.number().int(), met: z.number().int(), compliancePercent: z.number().nullable() }),
  backlog: z.object({ total: z.number().int(), byAge: z.array(z.object({ age: z.enum(BACKLOG_AGES), count: z.number().int() })) }),
});

const Agent = z.object({ agentId: z.string(), name: z.string(), handled: z.number().int(), firstResponse: Durations, resolution: Durations });

const DAY_MS = 86_400_000;

/** Response-time reports from the hourly buckets: supervisors their teams, admins all, agents their own. */
export function registerStatsRoutes(t: RouteTable, deps: { stats: StatsService; floor?: FloorService }): void {
  const filter = (principal: Parameters<typeof scopeStats>[0] | null, q: z.infer<typeof Query>) => {
    if (!principal) throw new HttpProblem(401, 'Unauthorized', 'Sign in first.');
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY_MS);
    const query: StatsQuery = { ...q, from, to };
    try {
      return scopeStats(principal, query);
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
      return deps.stats.summary(filter(principal, query));
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/stats/agents',
    summary: 'Per agent for a period: tickets handled (resolved), first response and resolution median and p90',
    tags: ['stats'],
    access: 'signed-in',
    query: Query,
    response: z.object({ items: z.array(Agent) }),
    async handler({ principal, query }) {
      return { items: await deps.stats.agents(filter(principal, query)) };
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
