import { Types } from 'mongoose';
import type { z } from 'zod';
import type { ChannelKind, TicketType } from '../../channels/contract';
import { isDuplicateKey } from '../db/models';
import type { ChannelInstanceDoc, ChannelInstanceModel } from './channel-instance.model';
import type { SecretBox } from './secret-box';

export interface FieldError {
  field: string;
  message: string;
  /** zod's issue code (`too_small`, `invalid_format`, …), for clients to translate. */
  code?: string;
}

/** The request names fields that are not valid (422), or a name that is taken (409). */
export class InstanceInvalid extends Error {
  constructor(
    readonly status: 409 | 422,
    readonly errors: FieldError[],
  ) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'InstanceInvalid';
  }
}

export interface InstanceInput {
  kind: string;
  name: string;
  enabled?: boolean;
  settings?: Record<string, unknown>;
  /** Field → value to set, or null to clear. */
  secrets?: Record<string, string | null>;
  team?: string | null;
  defaultType?: TicketType | null;
}

export type InstanceChanges = Partial<Omit<InstanceInput, 'kind'>>;

/** An instance as the admin API shows it: secrets only as whether they are set. */
export interface InstanceView {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  secrets: Record<string, { set: boolean }>;
  team: string | null;
  defaultType: TicketType | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An instance as its adapter is started with (secrets decrypted). */
export interface RunnableInstance {
  id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  settings: unknown;
  secrets: Record<string, string>;
  team: string | null;
  defaultType: TicketType | null;
  updatedAt: Date;
}

export interface ChannelInstanceDeps {
  ChannelInstance: ChannelInstanceModel;
  kinds: ReadonlyMap<string, ChannelKind>;
  box: SecretBox;
  /** Whether a team with this id exists. */
  teamExists(id: string): Promise<boolean>;
}

const oid = (id: string): Types.ObjectId | null => (/^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null);

const issues = (err: z.ZodError, root: string): FieldError[] =>
  err.issues.map((i) => ({ field: [root, ...i.path.map(String)].join('.'), message: i.message, code: i.code }));

/**
 * Channel instances (several mailboxes, several phone numbers) in `channel_instances`:
 * settings validated by the kind's schema, secrets sealed at rest and write-only.
 */
export function createChannelInstanceService(deps: ChannelInstanceDeps) {
  const { ChannelInstance, kinds, box } = deps;

  function view(d: ChannelInstanceDoc): InstanceView {
    const kind = kinds.get(d.kind);
    const fields = new Set([...Object.keys(kind?.secrets.shape ?? {}), ...Object.keys(d.secrets ?? {})]);
    return {
      id: d._id.toString(),
      kind: d.kind,
      name: d.name,
      enabled: d.enabled,
      settings: d.settings ?? {},
      secrets: Object.fromEntries([...fields].sort().map((f) => [f, { set: d.secrets?.[f] !== undefined }])),
      team: d.team?.toString() ?? null,
      defaultType: d.defaultType ?? null,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }

  /** Validates settings, secrets and team for `kind`; throws {@link InstanceInvalid} naming every bad field. */
  async function check(
    kindName: string,
    settings: Record<string, unknown>,
    secrets: Record<string, string | null>,
    team: string | null | undefined,
  ): Promise<{ kind: ChannelKind; settings: Record<string, unknown> }> {
    const kind = kinds.get(kindName);
    if (!kind) throw new InstanceInvalid(422, [{ field: 'kind', message: `unknown kind; one of: ${[...kinds.keys()].join(', ')}` }]);
    const errors: FieldError[] = [];
    const s = kind.settings.safeParse(settings);
    if (!s.success) errors.push(...issues(s.error, 'settings'));
    const known = kind.secrets.shape;
    for (const [field, value] of Object.entries(secrets)) {
      if (!(field in known)) errors.push({ field: `secrets.${field}`, message: `not a secret of ${kindName}` });
      else if (value !== null) {
        const r = known[field]!.safeParse(value);
        if (!r.success) errors.push(...issues(r.error, `secrets.${field}`));
      }
    }
    if (team && !(oid(team) && (await deps.teamExists(team)))) errors.push({ field: 'team', message: 'no such team' });
    if (errors.length > 0) throw new InstanceInvalid(422, errors);
    return { kind, settings: s.data as Record<string, unknown> };
  }

  const sealed = (secrets: Record<string, string | null>): Record<string, string> =>
    Object.fromEntries(Object.entries(secrets).flatMap(([f, v]) => (v === null ? [] : [[f, box.seal(v)]])));

  const named = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      if (isDuplicateKey(err)) throw new InstanceInvalid(409, [{ field: 'name', message: 'another channel instance has this name' }]);
      throw err;
    }
  };

  async function doc(id: string): Promise<ChannelInstanceDoc | null> {
    const _id = oid(id);
    return _id ? ChannelInstance.findById(_id).lean<ChannelInstanceDoc>() : null;
  }

  return {
    kinds: (): string[] => [...kinds.keys()],
    async list(): Promise<InstanceView[]> {
      return (await ChannelInstance.find({}).sort({ name: 1 }).limit(1000).lean<ChannelInstanceDoc[]>()).map(view);
    },
    async get(id: string): Promise<InstanceView | null> {
      const d = await doc(id);
      return d && view(d);
    },
    async create(input: InstanceInput): Promise<InstanceView> {
      const { settings } = await check(input.kind, input.settings ?? {}, input.secrets ?? {}, input.team);
      const created = await named(() =>
        ChannelInstance.create({
          kind: input.kind,
          name: input.name,
          enabled: input.enabled ?? true,
          settings,
          secrets: sealed(input.secrets ?? {}),
          team: input.team ? oid(input.team) : null,
          defaultType: input.defaultType ?? null,
        }),
      );
      return view(created.toObject<ChannelInstanceDoc>());
    },
    /** Null when there is no such instance. Settings given are merged over the current ones, then validated whole. */
    async update(id: string, changes: InstanceChanges): Promise<InstanceView | null> {
      const current = await doc(id);
      if (!current) return null;
      const merged = { ...(current.settings ?? {}), ...(changes.settings ?? {}) };
      const { settings } = await check(current.kind, merged, changes.secrets ?? {}, changes.team);
      // Field by field: a concurrent edit of other settings or secrets is not undone.
      const $set: Record<string, unknown> = { updatedAt: new Date() };
      const $unset: Record<string, ''> = {};
      for (const key of Object.keys(changes.settings ?? {})) {
        if (settings[key] === undefined) $unset[`settings.${key}`] = '';
        else $set[`settings.${key}`] = settings[key];
      }
      for (const [field, value] of Object.entries(changes.secrets ?? {})) {
        if (value === null) $unset[`secrets.${field}`] = '';
        else $set[`secrets.${field}`] = box.seal(value);
      }
      if (changes.name !== undefined) $set.name = changes.name;
      if (changes.enabled !== undefined) $set.enabled = changes.enabled;
      if (changes.team !== undefined) $set.team = changes.team ? oid(changes.team) : null;
      if (changes.defaultType !== undefined) $set.defaultType = changes.defaultType;
      const res = await named(() => ChannelInstance.updateOne({ _id: current._id }, { $set, ...(Object.keys($unset).length ? { $unset } : {}) }, { timestamps: false }));
      if (res.matchedCount === 0) return null;
      return this.get(id);
    },
    async remove(id: string): Promise<boolean> {
      const _id = oid(id);
      return _id ? (await ChannelInstance.deleteOne({ _id })).deletedCount === 1 : false;
    },
    /** What the runtime starts the instance with; null when it is gone or its kind is unknown here. */
    async runnable(id: string): Promise<RunnableInstance | null> {
      const d = await doc(id);
      const kind = d && kinds.get(d.kind);
      if (!d || !kind) return null;
      const settings = kind.settings.parse(d.settings ?? {});
      const secrets = Object.fromEntries(Object.entries(d.secrets ?? {}).map(([f, v]) => [f, box.open(v)]));
      return { id, kind, name: d.name, enabled: d.enabled, settings, secrets, team: d.team?.toString() ?? null, defaultType: d.defaultType ?? null, updatedAt: d.updatedAt };
    },
    async enabledIds(): Promise<string[]> {
      return (await ChannelInstance.find({ enabled: true }, { _id: 1 }).limit(1000).lean()).map((d) => d._id.toString());
    },
  };
}
export type ChannelInstanceService = ReturnType<typeof createChannelInstanceService>;
