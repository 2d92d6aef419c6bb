import { z } from 'zod';
import { generatePassword } from '../../auth/password';
import { ROLES } from '../../auth/roles';
import type { TeamDoc } from '../../auth/team.model';
import type { UserDoc } from '../../auth/user.model';
import type { UserService } from '../../auth/user.service';
import { TeamInUse, type TeamRemoval } from '../../auth/team-removal.service';
import { BusinessCalendarSchema } from '../../routing/business-calendar.schema';
import { FloorAlertsSchema, TeamSchema, teamDto, userDto } from '../dto';
import { TimeZone } from '../../stats/stats.period';
import { HttpProblem } from '../problem';
import type { RouteTable } from '../route';

const Id = z.object({ id: z.string().min(1).max(64) });
const Limits = z.object({ chat: z.number().int().min(0).max(100), async: z.number().int().min(0).max(1000) });
const UserFields = {
  name: z.string().trim().min(1).max(200),
  role: z.enum(ROLES),
  teams: z.array(z.string().regex(/^[0-9a-f]{24}$/i, 'a team id')).max(50),
  skills: z.array(z.string().trim().min(1).max(50)).max(100),
  languages: z.array(z.string().trim().min(2).max(20)).max(20),
  maxConcurrent: Limits,
  locale: z.enum(['en', 'zh-CN']),
  /** Where calls for this agent ring (a voice menu connecting a caller); empty: none. */
  phone: z.union([z.literal(''), z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number: + and 7 to 15 digits')]),
  /** The IANA zone their reports use ('' for UTC). */
  timeZone: z.union([z.literal(''), TimeZone]),
};

const TeamFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000),
  businessHours: BusinessCalendarSchema.nullable(),
  floorAlerts: FloorAlertsSchema.nullable(),
};

export interface UserRouteDeps {
  users: UserService;
  onChange?: (u: UserDoc) => Promise<unknown>;
  /** A team was created or edited (its business hours reach the SLA clocks at once). */
  onTeamChange?: (t: TeamDoc) => void;
  /** Deleting teams (refused while anything still refers to them). */
  teamRemoval?: TeamRemoval;
}

export function registerUserRoutes(t: RouteTable, deps: UserRouteDeps): void {
  const { users } = deps;
  const notFound = (id: string) => new HttpProblem(404, 'Not found', `No user ${id}.`);

  t.route({
    method: 'get',
    path: '/api/v1/users',
    summary: 'List users (supervisors and admins)',
    tags: ['users'],
    access: 'supervisor',
    query: z.object({ team: z.string().optional(), role: z.enum(ROLES).optional(), active: z.enum(['true', 'false']).optional() }),
    async handler({ query }) {
      const list = await users.list({ team: query.team, role: query.role, active: query.active === undefined ? undefined : query.active === 'true' });
      return { items: list.map(userDto) };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/users/:id',
    summary: 'One user',
    tags: ['users'],
    access: 'supervisor',
    params: Id,
    errors: [404],
    async handler({ params }) {
      const u = await users.get(params.id);
      if (!u) throw notFound(params.id);
      return userDto(u);
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/users',
    summary: 'Create a user (admins); without a password the hub makes one up and answers it once (`password`)',
    tags: ['users'],
    access: 'admin',
    status: 201,
    errors: [409],
    body: z.object({
      email: z.email().max(320),
      password: z.string().min(8).max(1024).optional(),
      ...UserFields,
      teams: UserFields.teams.default([]),
      skills: UserFields.skills.default([]),
      languages: UserFields.languages.default([]),
      maxConcurrent: Limits.optional(),
      locale: UserFields.locale.optional(),
      phone: UserFields.phone.optional(),
      timeZone: UserFields.timeZone.optional(),
    }),
    async handler({ body }) {
      const password = body.password ?? generatePassword();
      const u = await users.create({ ...body, password });
      await deps.onChange?.(u);
      // A password the hub made up is shown this once; one the admin chose is never echoed.
      return body.password === undefined ? { ...userDto(u), password } : userDto(u);
    },
  });

  t.route({
    method: 'patch',
    path: '/api/v1/users/:id',
    summary: 'Edit or deactivate a user (admins); deactivation ends their sessions at once',
    tags: ['users'],
    access: 'admin',
    params: Id,
    errors: [404, 409],
    body: z
      .object({ ...UserFields, active: z.boolean(), password: z.string().min(8).max(1024) })
      .partial()
      .refine((b) => Object.keys(b).length > 0, 'nothing to change'),
    async handler({ principal, params, body }) {
      // An admin cannot lock themselves out (the last way back in would be the database).
      if (principal?.kind === 'user' && principal.id === params.id) {
        if (body.active === false) throw new HttpProblem(409, 'Conflict', 'You cannot deactivate yourself.', [{ field: 'active', message: 'not your own account', code: 'own_account' }]);
        if (body.role !== undefined && body.role !== 'admin') throw new HttpProblem(409, 'Conflict', 'You cannot take away your own admin role.', [{ field: 'role', message: 'not your own account', code: 'own_account' }]);
      }
      const u = await users.update(params.id, body);
      if (!u) throw notFound(params.id);
      await deps.onChange?.(u);
      return userDto(u);
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/teams',
    summary: 'List teams',
    tags: ['teams'],
    access: 'signed-in',
    response: z.object({ items: z.array(TeamSchema) }),
    async handler() {
      return { items: (await users.listTeams()).map(teamDto) };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/teams/:id',
    summary: 'One team, with its business hours',
    tags: ['teams'],
    access: 'signed-in',
    params: z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'a team id') }),
    errors: [404],
    response: TeamSchema,
    async handler({ params }) {
      const team = await users.getTeam(params.id);
      if (!team) throw new HttpProblem(404, 'Not found', `No team ${params.id}.`);
      return teamDto(team);
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/teams',
    summary: 'Create a team (admins), optionally with business hours for its SLA clocks',
    tags: ['teams'],
    access: 'admin',
    status: 201,
    errors: [409],
    response: TeamSchema,
    body: z.object({ name: TeamFields.name, description: TeamFields.description.default(''), businessHours: TeamFields.businessHours.default(null), floorAlerts: TeamFields.floorAlerts.default(null) }),
    async handler({ body }) {
      const team = await users.createTeam(body.name, body.description, body.businessHours, body.floorAlerts);
      deps.onTeamChange?.(team);
      return teamDto(team);
    },
  });

  t.route({
    method: 'patch',
    path: '/api/v1/teams/:id',
    summary: 'Edit a team (admins): name, description, business hours (null: around the clock), queue alert limits (null: none)',
    tags: ['teams'],
    access: 'admin',
    params: Id,
    errors: [404, 409],
    response: TeamSchema,
    body: z.object(TeamFields).partial(),
    async handler({ params, body }) {
      const team = await users.updateTeam(params.id, body);
      if (!team) throw new HttpProblem(404, 'Not found', `No team ${params.id}.`);
      deps.onTeamChange?.(team);
      return teamDto(team);
    },
  });

  const { teamRemoval } = deps;
  if (teamRemoval) {
    t.route({
      method: 'delete',
      path: '/api/v1/teams/:id',
      summary:
        "Delete a team (admins). 409 (code team_in_use) while it still has open tickets, members, queue rules (or the fallback) or channel instances pointing at it: errors name each (field tickets|members|rules|fallback|channels, with params), to move first; the default team (field team) is never deleted",
      tags: ['teams'],
      access: 'admin',
      status: 204,
      params: Id,
      errors: [404, 409],
      async handler({ params, res }) {
        try {
          if (!(await teamRemoval.remove(params.id))) throw new HttpProblem(404, 'Not found', `No team ${params.id}.`);
        } catch (err) {
          if (err instanceof TeamInUse) {
            throw new HttpProblem(409, 'Conflict', err.message, err.references.map((r) => ({ field: r.field, message: r.message, code: r.code, params: r.params })), 'team_in_use');
          }
          throw err;
        }
        res.status(204).end();
        return undefined;
      },
    });
  }
}
