import { z } from 'zod';
import { LoginThrottled, type AuthService } from '../../auth/auth.service';
import { ROLES } from '../../auth/roles';
import type { UserService } from '../../auth/user.service';
import { apiTokenDto, userDto } from '../dto';
import { SESSION_COOKIE } from '../authenticate';
import { HttpProblem } from '../problem';
import { Reply, type RouteTable } from '../route';

const Id = z.object({ id: z.string().min(1).max(64) });

export function registerAuthRoutes(t: RouteTable, deps: { auth: AuthService; users: UserService; secureCookies: boolean }): void {
  const { auth, users } = deps;

  t.route({
    method: 'post',
    path: '/api/v1/auth/login',
    summary: 'Sign in with email and password; answers a bearer token and sets an httpOnly session cookie',
    tags: ['auth'],
    access: 'public',
    body: z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) }),
    response: z.object({ token: z.string(), expiresAt: z.string(), user: z.object({ id: z.string(), role: z.enum(ROLES) }).loose() }),
    errors: [429],
    async handler({ body, req, res }) {
      let result;
      try {
        result = await auth.login(body.email, body.password, req.ip ?? 'unknown');
      } catch (err) {
        if (err instanceof LoginThrottled) {
          res.set('Retry-After', String(err.retryAfterSeconds));
          throw new HttpProblem(429, 'Too many attempts', err.message);
        }
        throw err;
      }
      if (!result) throw new HttpProblem(401, 'Sign-in failed', 'Wrong email or password, or the account is deactivated.', [], 'sign_in_failed');
      const user = await users.get(result.principal.id);
      res.cookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        expires: result.expiresAt,
        path: '/',
      });
      return { token: result.token, expiresAt: result.expiresAt.toISOString(), user: user ? userDto(user) : null };
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/auth/logout',
    summary: 'End this session (the token and cookie stop working at once)',
    tags: ['auth'],
    access: 'signed-in',
    status: 204,
    async handler({ principal, res }) {
      await auth.logout(principal!);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      return new Reply(204, undefined);
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/me',
    summary: 'Who am I: the signed-in user (or API token) with role and teams',
    tags: ['auth'],
    access: 'signed-in',
    async handler({ principal }) {
      const p = principal!;
      const user = p.kind === 'user' ? await users.get(p.id) : null;
      return user ? { kind: 'user', ...userDto(user) } : { kind: p.kind, id: p.id, name: p.name, role: p.role, teams: p.teams };
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/api-tokens',
    summary: 'Create an integrator API token (shown once, stored hashed)',
    tags: ['api tokens'],
    access: 'admin',
    status: 201,
    body: z.object({
      name: z.string().trim().min(1).max(100),
      role: z.enum(ROLES).default('agent'),
      teams: z.array(z.string().regex(/^[0-9a-f]{24}$/i, 'a team id')).max(50).default([]),
    }),
    async handler({ body, principal }) {
      const { token, doc } = await auth.createApiToken({ ...body, createdBy: principal!.id });
      return { token, ...apiTokenDto(doc) };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/api-tokens',
    summary: 'List integrator API tokens (never the tokens themselves)',
    tags: ['api tokens'],
    access: 'admin',
    async handler() {
      return { items: (await auth.listApiTokens()).map(apiTokenDto) };
    },
  });

  t.route({
    method: 'delete',
    path: '/api/v1/api-tokens/:id',
    summary: 'Revoke an integrator API token',
    tags: ['api tokens'],
    access: 'admin',
    params: Id,
    status: 204,
    errors: [404],
    async handler({ params }) {
      if (!(await auth.revokeApiToken(params.id))) throw new HttpProblem(404, 'Not found', `No active API token ${params.id}.`);
      return new Reply(204, undefined);
    },
  });
}
