import { Router, type NextFunction, type Request, type Response } from 'express';
import type {
  AvailableAgent,
  ChannelAdapter,
  ChannelContext,
  ChannelLogger,
  HealthReport,
  InboundMessageInput,
  IngestOptions,
  IngestResult,
  TicketType,
} from '../../channels/contract';
import type { ChannelHealthStore } from './channel-health.store';
import type { ChannelInstanceService, RunnableInstance } from './channel-instances.service';
import type { CheckpointStore } from './channel-checkpoint.store';
import type { ChannelScheduler } from './channel-scheduler';
import type { FaxIntakeService } from '../documents/fax-intake';

interface Logger extends ChannelLogger {
  child(bindings: Record<string, string>): Logger;
}

/** What every adapter's context shares; the runtime adds the per-adapter parts. */
export type SharedContext = Omit<ChannelContext, 'router' | 'ingest' | 'ingestFax' | 'reportHealth' | 'schedule' | 'checkpoint' | 'instance' | 'logger' | 'countInWindow' | 'availableAgent'>;

export interface ChannelRuntimeDeps {
  shared: SharedContext;
  /** The hub's ingest: `team` and `defaultType` come from the instance. */
  ingest(message: InboundMessageInput, options: IngestOptions & { team?: string }): Promise<IngestResult>;
  /** Voice: an agent who can take a call now, in this team (null: the default team). */
  availableAgent?(team: string | null): Promise<AvailableAgent | null>;
  instances: ChannelInstanceService;
  health: ChannelHealthStore;
  checkpoints: CheckpointStore;
  scheduler: ChannelScheduler;
  /** Occurrence counts shared by the hub's processes (keys are namespaced per adapter instance here). */
  counters?: { countInWindow(key: string, id: string, at: Date, windowMs: number): Promise<number> };
  /** Reads received faxes in a job (`ctx.ingestFax`); absent: adapters cannot hand faxes over. */
  faxIntake?: FaxIntakeService;
  /** How often adapters that have `health()` (the email channel's SMTP check) are checked. */
  healthIntervalMs: number;
  logger: Logger;
}

interface Running {
  adapter: ChannelAdapter;
  router: Router;
  tasks: Set<string>;
  updatedAt: number;
}

const TASK_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * Starts channel adapters with their contexts: the built-in ones (api, webchat, email) once,
 * and one adapter per enabled channel instance from the database, started, restarted and
 * stopped as instances are created, edited, disabled and deleted. `apply(id)` is called by
 * the process that made the change and, through the `channel.instance.changed` domain event,
 * by every other hub process; an event missed (events are at-most-once) is caught up at the
 * next start of that process.
 */
export function createChannelRuntime(deps: ChannelRuntimeDeps) {
  const { health, checkpoints, scheduler, logger } = deps;
  const running = new Map<string, Running>();
  const chains = new Map<string, Promise<unknown>>();
  /** Scheduled task → whose it is (for failure reports). */
  const taskOwner = new Map<string, { key: string; channel: string; name: string }>();

  /** Webhook routes of the instances, mounted once on the app: each request goes through the running instances' routers. */
  const instancesRouter = (req: Request, res: Response, next: NextFunction): void => {
    const routers = [...running.values()].map((r) => r.router);
    let i = 0;
    const step = (err?: unknown): void => {
      if (err !== undefined && err !== 'route' && err !== 'router') return next(err);
      const r = routers[i++];
      if (!r) return next();
      r(req, res, step);
    };
    step();
  };

  /** Each instance's last health write: a disabled instance's report is forgotten only after it landed. */
  const reporting = new Map<string, Promise<void>>();
  function report(who: { key: string; channel: string; name: string }, r: HealthReport): void {
    const write = (reporting.get(who.key) ?? Promise.resolve())
      .then(() => health.report(who, r))
      .catch((err: unknown) => logger.warn({ err, channel: who.key }, 'channel: could not record health'));
    reporting.set(who.key, write);
    void write.then(() => {
      if (reporting.get(who.key) === write) reporting.delete(who.key);
    });
  }

  function contextFor(
    key: string,
    adapter: ChannelAdapter,
    router: Router,
    tasks: Set<string>,
    instance?: { id: string; kind: string; name: string; team: string | null; defaultType: TicketType | null },
  ): ChannelContext {
    const who = { key, channel: adapter.id, name: instance?.name ?? adapter.id };
    const log = logger.child(instance ? { channel: adapter.id, instance: instance.id } : { channel: adapter.id });
    return {
      ...deps.shared,
      router,
      logger: log,
      ingest(message, options = {}) {
        if (!instance) return deps.ingest(message, options);
        const withInstance: InboundMessageInput = {
          ...message,
          ...(message.chosenType === undefined && instance.defaultType ? { chosenType: instance.defaultType } : {}),
          metadata: { ...message.metadata, channelInstance: instance.id },
        };
        return deps.ingest(withInstance, { ...options, ...(instance.team ? { team: instance.team } : {}) });
      },
      ...(deps.faxIntake
        ? {
            ingestFax: (fax) =>
              deps.faxIntake!.enqueue(fax, {
                ...(instance?.team ? { team: instance.team } : {}),
                ...(instance ? { metadata: { channelInstance: instance.id } } : {}),
                ...(instance?.defaultType ? { chosenType: instance.defaultType } : {}),
              }),
          }
        : {}),
      // A run that ends after its instance was stopped (disabled, deleted, replaced) reports nothing.
      reportHealth: (r) => {
        if (instance && running.get(instance.id)?.adapter !== adapter) return;
        report(who, r);
      },
      ...(deps.availableAgent ? { availableAgent: () => deps.availableAgent!(instance?.team ?? null) } : {}),
      schedule(name, everyMs, task) {
        if (!TASK_NAME.test(name)) throw new Error(`schedule name ${JSON.stringify(name)}: lowercase letters, digits and - only`);
        if (!Number.isInteger(everyMs) || everyMs < 100) throw new Error('schedule interval: an integer of at least 100 ms');
        const taskKey = `${key}-${name}`;
        tasks.add(taskKey);
        taskOwner.set(taskKey, who);
        scheduler.register(taskKey, everyMs, task).catch((err: unknown) => {
          log.error({ err, task: name }, 'channel: could not schedule');
          report(who, { ok: false, reason: `could not schedule ${name}` });
        });
      },
      checkpoint: checkpoints.for(key),
      ...(deps.counters ? { countInWindow: (k: string, id: string, at: Date, windowMs: number) => deps.counters!.countInWindow(`${key}:${k}`, id, at, windowMs) } : {}),
      ...(instance ? { instance: { id: instance.id, kind: instance.kind, name: instance.name } } : {}),
    };
  }

  /** Adapters with `health()` are checked on one process every interval, and the result reported. */
  function watchHealth(adapter: ChannelAdapter, ctx: ChannelContext): void {
    const check = adapter.health?.bind(adapter);
    if (!check) return;
    ctx.schedule('health', deps.healthIntervalMs, async () => {
      const r = await check();
      ctx.reportHealth(r.ok ? { ok: true } : { ok: false, reason: r.detail ?? 'unhealthy' });
    });
  }

  async function stopRunning(id: string, removeSchedules: boolean): Promise<void> {
    const r = running.get(id);
    if (!r) return;
    running.delete(id);
    for (const t of r.tasks) {
      taskOwner.delete(t);
      await scheduler.unregister(t, removeSchedules).catch((err: unknown) => logger.warn({ err, task: t }, 'channel: could not unschedule'));
    }
    await r.adapter.stop?.().catch((err: unknown) => logger.warn({ err, instance: id }, 'channel: stopping failed'));
  }

  async function start(inst: RunnableInstance): Promise<void> {
    const adapter = inst.kind.create({ id: inst.id, kind: inst.kind.kind, name: inst.name, settings: inst.settings, secrets: inst.secrets });
    const router = Router();
    const tasks = new Set<string>();
    const ctx = contextFor(inst.id, adapter, router, tasks, { id: inst.id, kind: inst.kind.kind, name: inst.name, team: inst.team, defaultType: inst.defaultType });
    running.set(inst.id, { adapter, router, tasks, updatedAt: inst.updatedAt.getTime() });
    try {
      await adapter.mount(ctx);
      watchHealth(adapter, ctx);
    } catch (err) {
      logger.error({ err, instance: inst.id }, 'channel: instance failed to start');
      report({ key: inst.id, channel: adapter.id, name: inst.name }, { ok: false, reason: `failed to start: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  /** Brings this process in line with the stored instance (start, restart, stop); one change at a time per instance. */
  function apply(id: string): Promise<void> {
    const previous = chains.get(id) ?? Promise.resolve();
    const next = previous.then(async () => {
      const inst = await deps.instances.runnable(id).catch((err: unknown) => {
        logger.error({ err, instance: id }, 'channel: could not load instance');
        return undefined;
      });
      if (inst === undefined) return;
      if (!inst || !inst.enabled) {
        await stopRunning(id, true);
        if (!inst) await checkpoints.clear(id).catch(() => undefined);
        await reporting.get(id);
        await health.forget(id).catch(() => undefined);
        return;
      }
      // The process that made the change hears its own event too: the same version is not restarted.
      if (running.get(id)?.updatedAt === inst.updatedAt.getTime()) return;
      // An edit of a running instance restarts its schedules too, so the changed settings are tried
      // at once (a corrected password), not at the old schedule's next tick.
      await stopRunning(id, running.has(id));
      await start(inst);
    });
    const settled = next.catch(() => undefined);
    chains.set(id, settled);
    void settled.then(() => {
      if (chains.get(id) === settled) chains.delete(id);
    });
    return next;
  }

  return {
    router: instancesRouter,
    /** Mounts a built-in adapter (api, webchat, email) on the shared channel router. */
    async mountBuiltIn(adapter: ChannelAdapter, router: Router): Promise<void> {
      const ctx = contextFor(adapter.id, adapter, router, new Set());
      await adapter.mount(ctx);
      watchHealth(adapter, ctx);
    },
    /** Starts every enabled instance (at hub start). */
    async startAll(): Promise<void> {
      for (const id of await deps.instances.enabledIds()) await apply(id);
    },
    apply,
    /** Which instance a scheduled task belongs to (for failure reports). */
    ownerOf: (taskKey: string): { key: string; channel: string; name: string } | null => taskOwner.get(taskKey) ?? null,
    runningIds: (): string[] => [...running.keys()],
    /** A running instance's adapter, when it sends (a mailbox's SMTP side). */
    senderOf: (id: string): ChannelAdapter | undefined => {
      const a = running.get(id)?.adapter;
      return a?.send ? a : undefined;
    },
    /** Whether some running instance of `channel` sends replies. */
    instancesCanSend: (channel: string): boolean => [...running.values()].some((r) => r.adapter.id === channel && r.adapter.send !== undefined),
    /** The channel a running instance answers tickets of `channel` on (a phone number answers call tickets by SMS), or null. */
    instancesAnswering: (channel: string): ChannelAdapter['id'] | null =>
      [...running.values()].find((r) => r.adapter.send !== undefined && (r.adapter.answers ?? []).some((c) => c === channel))?.adapter.id ?? null,
    /** A running instance's adapter, when it places calls (a phone number's "call back"). */
    callerOf: (id: string): ChannelAdapter | undefined => {
      const a = running.get(id)?.adapter;
      return a?.callBack ? a : undefined;
    },
    /** Process shutdown: the instances' schedules stay for the other processes. */
    async stopAll(): Promise<void> {
      for (const id of [...running.keys()]) await stopRunning(id, false);
    },
    report,
  };
}
export type ChannelRuntime = ReturnType<typeof createChannelRuntime>;
