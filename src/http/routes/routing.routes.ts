import { z } from 'zod';
import type { Principal } from '../../auth/principal';
import { AGENT_STATUSES, STRATEGY_NAMES } from '../../routing/routing.types';
import { QueueRulesSchema, type QueueRulesStore } from '../../routing/queue-rules.store';
import type { RoutingService } from '../../routing/routing.service';
import { SlaPoliciesSchema, type SlaPolicyStore } from '../../routing/sla-policies.store';
import { HttpProblem } from '../problem';
import type { RouteTable } from '../route';

const TicketId = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'a ticket id') });
const TeamId = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'a team id') });

export interface RoutingRouteDeps {
  routing: RoutingService;
  rules: QueueRulesStore;
  /** Whether the principal may see the ticket (outside scope answers 404). */
  visible(p: Principal, ticketId: string): Promise<boolean>;
  /** Admin-defined SLA policies (absent: the routes are not offered). */
  slaPolicies?: SlaPolicyStore;
  /** Active people in teams (who can take work), for handovers. */
  colleagues?(): Promise<Array<{ id: string; name: string; teams: string[] }>>;
  /** Routing's presence service, the console's path too (routing, then what consoles show), in order per agent. */
  setPresence?(agentId: string, status: 'online' | 'away' | 'offline'): Promise<{ previous: string }>;
}

const userOnly = (p: Principal | null): string => {
  if (!p || p.kind !== 'user') throw new HttpProblem(403, 'Forbidden', 'Only signed-in agents take part in routing.');
  return p.id;
};

/** Presence, offers (accept / decline), transfers, queues and per-team routing settings. */
export function registerRoutingRoutes(t: RouteTable, deps: RoutingRouteDeps): void {
  const { routing } = deps;
  const scoped = async (p: Principal | null, id: string) => {
    if (!p || !(await deps.visible(p, id))) throw new HttpProblem(404, 'Not found', `No ticket ${id}.`);
  };

  t.route({
    method: 'put',
    path: '/api/v1/me/presence',
    summary: 'Set my routing status: online (takes work), away, offline (offers go back to the queue)',
    tags: ['routing'],
    access: 'agent',
    body: z.object({ status: z.enum(AGENT_STATUSES) }),
    async handler({ principal, body }) {
      const me = userOnly(principal);
      if (deps.setPresence) {
        if (!(await routing.agentState(me))) throw new HttpProblem(409, 'Conflict', 'You are not registered for routing (no team).');
        // The console's own path: routing and every open console agree, in order.
        const r = await deps.setPresence(me, body.status);
        return { status: body.status, previous: r.previous };
      }
      const r = await routing.setStatus(me, body.status);
      if (!r) throw new HttpProblem(409, 'Conflict', 'You are not registered for routing (no team).');
      return { status: r.status, previous: r.previous };
    },
  });

  const slaPolicies = deps.slaPolicies;
  if (slaPolicies) {
    const PoliciesView = z.object({ policies: SlaPoliciesSchema, source: z.enum(['default', 'custom']) });
    t.route({
      method: 'get',
      path: '/api/v1/sla/policies',
      summary: 'SLA policies in order (the first whose type × priority × customer tier match applies), targets in minutes',
      tags: ['sla'],
      access: 'supervisor',
      response: PoliciesView,
      async handler() {
        return slaPolicies.view();
      },
    });
    t.route({
      method: 'put',
      path: '/api/v1/sla/policies',
      summary: 'Replace the SLA policies (admins); tickets created from now on use them, running clocks keep theirs',
      tags: ['sla'],
      access: 'admin',
      body: z.object({ policies: SlaPoliciesSchema }),
      response: PoliciesView,
      async handler({ body }) {
        await slaPolicies.set(body.policies);
        return slaPolicies.view();
      },
    });
    t.route({
      method: 'delete',
      path: '/api/v1/sla/policies',
      summary: 'Go back to the built-in SLA policies (admins)',
      tags: ['sla'],
      access: 'admin',
      response: PoliciesView,
      async handler() {
        await slaPolicies.set(null);
        return slaPolicies.view();
      },
    });
  }

  t.route({
    method: 'get',
    path: '/api/v1/colleagues',
    summary: 'Who can take work, for handovers: active people in teams with their routing status and load, online first',
    tags: ['routing'],
    access: 'agent',
    query: z.object({ team: z.string().regex(/^[0-9a-f]{24}$/i, 'a team id').optional() }),
    response: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          teams: z.array(z.string()),
          status: z.enum(AGENT_STATUSES),
          load: z.object({ chat: z.number(), async: z.number() }),
          limits: z.object({ chat: z.number(), async: z.number() }).nullable(),
        }),
      ),
    }),
    async handler({ query }) {
      const people = deps.colleagues ? await deps.colleagues() : [];
      const inTeam = query.team ? people.filter((p) => p.teams.includes(query.team!)) : people;
      const rank = { online: 0, away: 1, offline: 2 } as const;
      const items = await Promise.all(
        inTeam.map(async (p) => {
          const st = await routing.agentState(p.id);
          return { ...p, status: st?.status ?? 'offline', load: st?.load ?? { chat: 0, async: 0 }, limits: st?.limits ?? null };
        }),
      );
      items.sort((a, b) => rank[a.status] - rank[b.status] || a.name.localeCompare(b.name));
      return { items };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/me/routing',
    summary: 'My routing state: status, load and limits, open offers, tickets held',
    tags: ['routing'],
    access: 'agent',
    async handler({ principal }) {
      const state = await routing.agentState(userOnly(principal));
      if (!state) return { status: 'offline', offers: [], tickets: { chat: [], async: [] }, load: { chat: 0, async: 0 }, limits: null };
      return state;
    },
  });

  for (const action of ['accept', 'decline'] as const) {
    t.route({
      method: 'post',
      path: `/api/v1/tickets/:id/${action}`,
      summary: action === 'accept' ? 'Accept a ticket offered to me' : 'Decline a ticket offered to me (it goes to the next agent)',
      tags: ['routing'],
      access: 'agent',
      params: TicketId,
      errors: [404, 409],
      async handler({ principal, params }) {
        const me = userOnly(principal);
        if (action === 'decline') {
          if (!(await routing.decline(params.id, me))) throw new HttpProblem(409, 'Conflict', 'This ticket is not offered to you.');
          return { ok: true };
        }
        const r = await routing.accept(params.id, me);
        if (!r.ok) throw new HttpProblem(409, 'Conflict', r.reason === 'expired' ? 'The offer expired.' : r.reason === 'not_offered' ? 'This ticket is not offered to you.' : 'The assignment could not be saved; it went back to the queue.');
        return { ok: true };
      },
    });
  }

  t.route({
    method: 'post',
    path: '/api/v1/tickets/:id/transfer',
    summary: 'Hand a ticket over to another agent or team, with a note (the chat customer is told)',
    tags: ['routing'],
    access: 'agent',
    params: TicketId,
    errors: [404, 409],
    body: z
      .object({ toAgentId: z.string().regex(/^[0-9a-f]{24}$/i).optional(), toTeamId: z.string().regex(/^[0-9a-f]{24}$/i).optional(), note: z.string().trim().max(2000).default('') })
      .refine((b) => Boolean(b.toAgentId) !== Boolean(b.toTeamId), { message: 'give exactly one of toAgentId or toTeamId', path: ['toAgentId'], params: { code: 'one_target' } }),
    async handler({ principal, params, body }) {
      await scoped(principal, params.id);
      const p = principal!;
      const r = await routing.transfer({
        ticketId: params.id,
        // Agents hand over what they hold; supervisors and admins move whoever holds it.
        fromAgentId: p.role === 'agent' ? p.id : null,
        to: body.toAgentId ? { agentId: body.toAgentId, force: p.role !== 'agent' } : { teamId: body.toTeamId! },
        note: body.note,
        actorId: p.kind === 'user' ? p.id : null,
      });
      if (!r.ok) throw new HttpProblem(409, 'Conflict', `The transfer did not happen: ${r.reason.replace(/_/g, ' ')}.`);
      return r;
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/tickets/:id/queue-position',
    summary: "A ticket's place in its queue and the expected wait",
    tags: ['routing'],
    access: 'agent',
    params: TicketId,
    errors: [404],
    async handler({ principal, params }) {
      await scoped(principal, params.id);
      return (await routing.queuePosition(params.id)) ?? { ticketId: params.id, state: 'unknown', position: 0, queueLength: 0, expectedWaitMs: null };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/teams/:id/queue',
    summary: "A team's queue in routing order (priority, customer tier, waiting time)",
    tags: ['routing'],
    access: 'supervisor',
    params: TeamId,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    async handler({ params, query }) {
      return { items: await routing.listQueue(params.id, query.limit) };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/teams/:id/routing',
    summary: "A team's routing settings",
    tags: ['routing'],
    access: 'supervisor',
    params: TeamId,
    async handler({ params }) {
      return routing.teamConfig(params.id);
    },
  });

  t.route({
    method: 'put',
    path: '/api/v1/teams/:id/routing',
    summary: "Change a team's routing: strategy, offer timeout, missed-offer cool-down, auto-accept per kind (admins)",
    tags: ['routing'],
    access: 'admin',
    params: TeamId,
    body: z.object({
      strategy: z.enum(STRATEGY_NAMES).optional(),
      offerTimeoutMs: z.number().int().min(1000).max(600_000).optional(),
      missedOfferCooldownMs: z.number().int().min(0).max(3_600_000).optional(),
      autoAccept: z.object({ chat: z.boolean(), async: z.boolean() }).optional(),
    }),
    async handler({ params, body }) {
      const config = await routing.configureTeam({ teamId: params.id, ...body });
      await routing.drainTeam(params.id);
      return config;
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/routing/rules',
    summary: 'Queue rules: which team (and required skills) a new ticket joins, by channel, type, language, tier, keywords',
    tags: ['routing'],
    access: 'supervisor',
    async handler() {
      return deps.rules.get();
    },
  });

  t.route({
    method: 'put',
    path: '/api/v1/routing/rules',
    summary: 'Replace the queue rules (admins); the first matching rule wins, else the fallback team',
    tags: ['routing'],
    access: 'admin',
    body: QueueRulesSchema,
    async handler({ body }) {
      return deps.rules.set(body);
    },
  });
}
