import { z } from 'zod';
import type { CannedResponseDoc } from '../../canned/canned-response.model';
import { CANNED_LOCALES } from '../../canned/canned.types';
import { ShortcutTaken, type CannedService } from '../../canned/canned.service';
import { HttpProblem } from '../problem';
import { Reply, type RouteTable } from '../route';

const Id = z.object({ id: z.string().min(1).max(64) });

const Fields = {
  shortcut: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'letters, digits, - and _ only (at most 40), starting with a letter or digit'),
  title: z.string().trim().min(1).max(200),
  text: z.string().min(1).max(10_000),
  locale: z.enum(CANNED_LOCALES),
};

const CannedDto = z.object({
  id: z.string(),
  shortcut: z.string(),
  title: z.string(),
  text: z.string(),
  locale: z.enum(CANNED_LOCALES),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const cannedDto = (c: CannedResponseDoc): z.infer<typeof CannedDto> => ({
  id: c._id.toString(),
  shortcut: c.shortcut,
  title: c.title,
  text: c.text,
  locale: c.locale,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

const conflict = (err: unknown): never => {
  if (err instanceof ShortcutTaken) throw new HttpProblem(409, 'Shortcut taken', err.message, [{ field: 'shortcut', message: 'already in use', code: 'already_in_use' }]);
  throw err;
};

/** Canned responses: every signed-in user reads them (the composer's `/` picker); admins manage them. */
export function registerCannedRoutes(t: RouteTable, deps: { canned: CannedService }): void {
  const { canned } = deps;
  const notFound = (id: string) => new HttpProblem(404, 'Not found', `No canned response ${id}.`);

  t.route({
    method: 'get',
    path: '/api/v1/canned-responses',
    summary: 'List canned responses (sorted by shortcut); q filters by shortcut, title or text',
    tags: ['canned responses'],
    access: 'signed-in',
    query: z.object({ q: z.string().max(200).optional(), locale: z.enum(['en', 'zh-CN']).optional() }),
    response: z.object({ items: z.array(CannedDto) }),
    async handler({ query }) {
      return { items: (await canned.list({ q: query.q, locale: query.locale })).map(cannedDto) };
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/canned-responses/:id',
    summary: 'One canned response',
    tags: ['canned responses'],
    access: 'signed-in',
    params: Id,
    response: CannedDto,
    errors: [404],
    async handler({ params }) {
      const c = await canned.get(params.id);
      if (!c) throw notFound(params.id);
      return cannedDto(c);
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/canned-responses',
    summary: 'Create a canned response (admins)',
    tags: ['canned responses'],
    access: 'admin',
    status: 201,
    errors: [409],
    body: z.object({ ...Fields, locale: Fields.locale.default('') }),
    response: CannedDto,
    async handler({ body, principal }) {
      const createdBy = principal?.kind === 'user' ? principal.id : null;
      return cannedDto(await canned.create(body, createdBy).catch(conflict));
    },
  });

  t.route({
    method: 'patch',
    path: '/api/v1/canned-responses/:id',
    summary: 'Edit a canned response (admins)',
    tags: ['canned responses'],
    access: 'admin',
    params: Id,
    errors: [404, 409],
    body: z
      .object(Fields)
      .partial()
      .refine((b) => Object.keys(b).length > 0, 'nothing to change'),
    response: CannedDto,
    async handler({ params, body }) {
      const c = await canned.update(params.id, body).catch(conflict);
      if (!c) throw notFound(params.id);
      return cannedDto(c);
    },
  });

  t.route({
    method: 'delete',
    path: '/api/v1/canned-responses/:id',
    summary: 'Delete a canned response (admins)',
    tags: ['canned responses'],
    access: 'admin',
    params: Id,
    status: 204,
    errors: [404],
    async handler({ params }) {
      if (!(await canned.remove(params.id))) throw notFound(params.id);
      return new Reply(204, undefined);
    },
  });
}
