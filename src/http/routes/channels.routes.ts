import { z } from 'zod';
import { TICKET_TYPES } from '../../../channels/contract';
import { InstanceInvalid, type ChannelInstanceService, type InstanceView } from '../../channels/channel-instances.service';
import { ChannelInstanceSchema } from '../dto';
import { HttpProblem } from '../problem';
import { Reply, type RouteTable } from '../route';

const Id = z.object({ id: z.string().min(1).max(64) });

const Fields = {
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean(),
  /** Validated by the kind's own schema (GET /api/v1/channels lists the kinds). */
  settings: z.record(z.string().max(100), z.unknown()),
  /** Write-only: a value sets the secret, null clears it; never returned. */
  secrets: z.record(z.string().max(100), z.string().min(1).max(10_000).nullable()),
  team: z.string().max(64).nullable(),
  defaultType: z.enum(TICKET_TYPES).nullable(),
};

const InstanceDto = ChannelInstanceSchema;

/** An instance's health as the API shows it. */
export interface InstanceHealth {
  key: string;
  ok: boolean;
  reason: string | null;
  at: string;
  lastSyncAt: string | null;
}

const dto = (v: InstanceView, health: ReadonlyMap<string, InstanceHealth>): z.infer<typeof InstanceDto> => {
  const h = health.get(v.id);
  return {
    ...v,
    health: h ? { ok: h.ok, reason: h.reason, at: h.at } : null,
    lastSyncAt: h?.lastSyncAt ?? null,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
  };
};

const problem = (err: unknown): never => {
  if (err instanceof InstanceInvalid) {
    throw new HttpProblem(err.status, err.status === 409 ? 'Conflict' : 'Invalid request', err.message, err.errors);
  }
  throw err;
};

export interface ChannelRoutesDeps {
  instances: ChannelInstanceService;
  /** After a change: start / restart / stop the instance here and tell the other processes. */
  changed(id: string, change: 'created' | 'updated' | 'deleted'): Promise<void>;
  /** The instances' last health reports (shared by every hub process). */
  health?(): Promise<InstanceHealth[]>;
}

/** Channel instances (mailboxes, phone numbers, feeds): admins only; secrets are write-only. */
export function registerChannelRoutes(t: RouteTable, deps: ChannelRoutesDeps): void {
  const { instances } = deps;
  const notFound = (id: string) => new HttpProblem(404, 'Not found', `No channel instance ${id}.`);
  /** Health is shown when it can be read; a Redis hiccup does not fail the admin screen. */
  const healthNow = async (): Promise<Map<string, InstanceHealth>> =>
    new Map(((await deps.health?.().catch(() => [])) ?? []).map((h) => [h.key, h]));

  t.route({
    method: 'get',
    path: '/api/v1/channels',
    summary: 'List channel instances (admins); secrets appear only as { set }',
    tags: ['channels'],
    access: 'admin',
    response: z.object({ items: z.array(InstanceDto), kinds: z.array(z.string()) }),
    async handler() {
      const [items, health] = await Promise.all([instances.list(), healthNow()]);
      return { items: items.map((v) => dto(v, health)), kinds: instances.kinds() };
    },
  });

  t.route({
    method: 'post',
    path: '/api/v1/channels',
    summary: 'Create a channel instance (admins); settings and secrets are validated by its kind',
    tags: ['channels'],
    access: 'admin',
    status: 201,
    errors: [409],
    body: z.object({
      kind: z.string().trim().min(1).max(40),
      name: Fields.name,
      enabled: Fields.enabled.default(true),
      settings: Fields.settings.default({}),
      secrets: Fields.secrets.default({}),
      team: Fields.team.default(null),
      defaultType: Fields.defaultType.default(null),
    }),
    response: InstanceDto,
    async handler({ body }) {
      const created = await instances.create(body).catch(problem);
      await deps.changed(created.id, 'created');
      return dto(created, new Map());
    },
  });

  t.route({
    method: 'get',
    path: '/api/v1/channels/:id',
    summary: 'One channel instance (admins)',
    tags: ['channels'],
    access: 'admin',
    params: Id,
    response: InstanceDto,
    errors: [404],
    async handler({ params }) {
      const v = await instances.get(params.id);
      if (!v) throw notFound(params.id);
      return dto(v, await healthNow());
    },
  });

  t.route({
    method: 'patch',
    path: '/api/v1/channels/:id',
    summary: 'Edit a channel instance (admins): settings are merged; a secret set to null is cleared; enabled: false stops it',
    tags: ['channels'],
    access: 'admin',
    params: Id,
    errors: [404, 409],
    body: z
      .object(Fields)
      .partial()
      .refine((b) => Object.keys(b).length > 0, 'nothing to change'),
    response: InstanceDto,
    async handler({ params, body }) {
      const v = await instances.update(params.id, body).catch(problem);
      if (!v) throw notFound(params.id);
      await deps.changed(v.id, 'updated');
      return dto(v, await healthNow());
    },
  });

  t.route({
    method: 'delete',
    path: '/api/v1/channels/:id',
    summary: 'Delete a channel instance (admins): it stops, and its cursors are forgotten',
    tags: ['channels'],
    access: 'admin',
    params: Id,
    status: 204,
    errors: [404],
    async handler({ params }) {
      if (!(await instances.remove(params.id))) throw notFound(params.id);
      await deps.changed(params.id, 'deleted');
      return new Reply(204, undefined);
    },
  });
}
