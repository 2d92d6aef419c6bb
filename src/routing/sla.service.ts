import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { QUEUES } from '../jobs/queues';
import type { Redis } from 'ioredis';
import type { Priority, TicketType } from '../../channels/contract';
import type { DomainEvent, SlaClock } from '../events/event.types';
import { advance, elapsed, type BusinessCalendar } from './business-hours.calculator';
import type { CustomerTier } from './routing.types';
import { DEFAULT_SLA_POLICIES, SLA_CLOCKS, clockTimes, computeDueTimes, selectPolicy, type SlaPolicy } from './sla.calculator';

/** Queue name of the SLA timers (add it to src/jobs/queues.ts when wiring). */
export const SLA_QUEUE = QUEUES.sla;

export interface SlaDueTimes {
  firstResponseDueAt: Date | null;
  nextResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
}

export interface SlaPorts {
  /** Store the due times on the ticket (`ticket.sla`). */
  persistDueTimes?(ticketId: string, due: SlaDueTimes): Promise<void>;
  /** Raise the ticket's priority one step; returns the new priority (null if unchanged). */
  raisePriority?(ticketId: string): Promise<Priority | null>;
  /** Take the ticket from its agent and route it to someone else; true if it moved. */
  reassign?(ticketId: string): Promise<boolean>;
}

export interface SlaServiceDeps {
  redis: Redis;
  prefix: string;
  /** BullMQ connection for the timer queue and its worker. */
  connection: ConnectionOptions;
  publish(event: DomainEvent): Promise<void>;
  now?: () => number;
  /** The policies, or a getter for the ones in force now (admins can change them; new tickets use them). */
  policies?: readonly SlaPolicy[] | (() => readonly SlaPolicy[]);
  /** The business calendar of a team (null = around the clock). */
  calendarFor?: (teamId: string | null) => BusinessCalendar | null;
  ports?: SlaPorts;
  /** Worker concurrency (default 4). */
  concurrency?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

export interface TrackInput {
  ticketId: string;
  type: TicketType;
  priority: Priority;
  tier: CustomerTier;
  teamId: string | null;
  /** When the clocks start (ticket creation). */
  createdAt: Date;
}

export type ClockStatus = 'idle' | 'running' | 'paused' | 'met';

export interface ClockState {
  status: ClockStatus;
  targetMs: number;
  warnAt: number | null;
  dueAt: number | null;
  pausedAt: number | null;
  gen: number;
  warned: boolean;
  breached: boolean;
}

export interface SlaState {
  ticketId: string;
  policyId: string;
  teamId: string | null;
  businessHours: boolean;
  warnRatio: number;
  clocks: Record<SlaClock, ClockState>;
}

export interface SlaService {
  /** Starts first-response and resolution clocks for a new ticket (idempotent). */
  track(input: TrackInput): Promise<SlaDueTimes | null>;
  /** A public agent reply: first response and next response are met. */
  agentReplied(ticketId: string, at?: Date): Promise<void>;
  /** A customer message: starts the next-response clock unless one is already running. */
  customerMessaged(ticketId: string, at?: Date): Promise<void>;
  /** The ticket went `pending`: the resolution clock stops counting. */
  pause(ticketId: string, at?: Date): Promise<boolean>;
  /** Back from `pending`: the resolution due time moves by the paused (business) time. */
  resume(ticketId: string, at?: Date): Promise<boolean>;
  /** Resolved or closed: every clock stops. */
  complete(ticketId: string, at?: Date): Promise<void>;
  state(ticketId: string): Promise<SlaState | null>;
  /**
   * The running clocks of these tickets whose warning has fired (one pipelined read): per
   * ticket id, each such clock with its due time (epoch ms) and whether it breached too.
   */
  warnedClocks(ticketIds: string[]): Promise<Map<string, Array<{ clock: SlaClock; dueAt: number; breached: boolean }>>>;
  /** Starts the worker that fires warning and breach timers. */
  runWorker(): Worker;
  close(): Promise<void>;
}

interface TimerJob {
  ticketId: string;
  clock: SlaClock;
  phase: 'warning' | 'breach';
  gen: number;
}

/** Creates the state once; a second `track` for the same ticket (another process) changes nothing. */
const TRACK = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`;

/** Compare-and-set on one clock's generation; bumps it so timers of the old generation are stale. */
const CAS = `local cur = redis.call('HGET', KEYS[1], ARGV[1] .. ':gen')
if cur == false or cur ~= ARGV[2] then return -1 end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return redis.call('HINCRBY', KEYS[1], ARGV[1] .. ':gen', 1)`;

/** A timer fires at most once: only for the current generation of a running clock. */
const FIRE = `local f = redis.call('HMGET', KEYS[1], ARGV[1] .. ':gen', ARGV[1] .. ':status', ARGV[1] .. ':' .. ARGV[3], 'policy', 'team', ARGV[1] .. ':dueAt')
if f[1] ~= ARGV[2] or f[2] ~= 'running' or f[3] == '1' then return false end
redis.call('HSET', KEYS[1], ARGV[1] .. ':' .. ARGV[3], '1')
return {f[4], f[5] or '', f[6] or ''}`;

const FLAG = { warning: 'warned', breach: 'breached' } as const;
const KEEP_SECONDS = 30 * 86_400;

export function createSlaService(deps: SlaServiceDeps): SlaService {
  const now = deps.now ?? Date.now;
  const configured = deps.policies ?? DEFAULT_SLA_POLICIES;
  const policies = (): readonly SlaPolicy[] => (typeof configured === 'function' ? configured() : configured);
  const ports = deps.ports ?? {};
  const queue = new Queue<TimerJob>(SLA_QUEUE, { connection: deps.connection, prefix: deps.prefix });
  let worker: Worker<TimerJob> | null = null;
  const key = (ticketId: string) => `${deps.prefix}:sla:${ticketId}`;
  const iso = (ms: number) => new Date(ms).toISOString();

  async function emit(event: DomainEvent): Promise<void> {
    try {
      await deps.publish(event);
    } catch (err) {
      deps.logger?.warn({ err, event: event.type }, 'sla: publishing an event failed');
    }
  }

  function calendar(s: Pick<SlaState, 'businessHours' | 'teamId'>): BusinessCalendar | null {
    return s.businessHours ? (deps.calendarFor?.(s.teamId) ?? null) : null;
  }

  async function state(ticketId: string): Promise<SlaState | null> {
    const h = await deps.redis.hgetall(key(ticketId));
    if (!h.policy) return null;
    const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
    const clocks = {} as Record<SlaClock, ClockState>;
    for (const c of SLA_CLOCKS) {
      clocks[c] = {
        status: (h[`${c}:status`] as ClockStatus | undefined) ?? 'idle',
        targetMs: num(h[`${c}:target`]) ?? 0,
        warnAt: num(h[`${c}:warnAt`]),
        dueAt: num(h[`${c}:dueAt`]),
        pausedAt: num(h[`${c}:pausedAt`]),
        gen: num(h[`${c}:gen`]) ?? 0,
        warned: h[`${c}:warned`] === '1',
        breached: h[`${c}:breached`] === '1',
      };
    }
    return {
      ticketId,
      policyId: h.policy,
      teamId: h.team || null,
      businessHours: h.bh === '1',
      warnRatio: Number(h.ratio ?? '0.75'),
      clocks,
    };
  }

  const jobId = (t: Omit<TimerJob, 'phase'>, phase: TimerJob['phase']) => `sla-${t.ticketId}-${t.clock}-${phase}-${t.gen}`;

  async function schedule(ticketId: string, clock: SlaClock, c: Pick<ClockState, 'warnAt' | 'dueAt' | 'warned' | 'breached'>, gen: number): Promise<void> {
    const t = now();
    const jobs: Array<[TimerJob['phase'], number]> = [];
    if (!c.warned && c.warnAt !== null) jobs.push(['warning', c.warnAt]);
    if (!c.breached && c.dueAt !== null) jobs.push(['breach', c.dueAt]);
    for (const [phase, at] of jobs) {
      const data: TimerJob = { ticketId, clock, phase, gen };
      await queue.add(phase, data, { jobId: jobId(data, phase), delay: Math.max(0, at - t), removeOnComplete: true, removeOnFail: 1000 });
    }
  }

  /** Timers of an older generation would be ignored anyway; removing them keeps the queue small. */
  async function unschedule(ticketId: string, clock: SlaClock, gen: number): Promise<void> {
    for (const phase of ['warning', 'breach'] as const) {
      await queue.remove(jobId({ ticketId, clock, gen }, phase)).catch(() => 0);
    }
  }

  async function cas(ticketId: string, clock: SlaClock, expectedGen: number, fields: Record<string, string>): Promise<number | null> {
    const args = Object.entries(fields).flatMap(([f, v]) => [`${clock}:${f}`, v]);
    const r = Number(await deps.redis.eval(CAS, 1, key(ticketId), clock, String(expectedGen), ...args));
    return r < 0 ? null : r;
  }

  /** Re-reads and retries when another process changed the clock meanwhile. */
  async function update(
    ticketId: string,
    clock: SlaClock,
    change: (s: SlaState, c: ClockState) => { fields: Record<string, string>; next: Pick<ClockState, 'warnAt' | 'dueAt' | 'warned' | 'breached'> | null } | null,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const s = await state(ticketId);
      if (!s) return false;
      const c = s.clocks[clock];
      const plan = change(s, c);
      if (!plan) return false;
      const gen = await cas(ticketId, clock, c.gen, plan.fields);
      if (gen === null) continue;
      await unschedule(ticketId, clock, c.gen);
      if (plan.next) await schedule(ticketId, clock, plan.next, gen);
      return true;
    }
    deps.logger?.warn({ ticketId, clock }, 'sla: gave up after repeated concurrent changes');
    return false;
  }

  async function persist(ticketId: string): Promise<SlaDueTimes | null> {
    const s = await state(ticketId);
    if (!s) return null;
    const due = (c: ClockState, onlyRunning: boolean) =>
      c.dueAt !== null && c.status !== 'idle' && c.status !== 'paused' && (!onlyRunning || c.status === 'running') ? new Date(c.dueAt) : null;
    const times: SlaDueTimes = {
      firstResponseDueAt: due(s.clocks.first_response, false),
      nextResponseDueAt: due(s.clocks.next_response, true),
      resolutionDueAt: due(s.clocks.resolution, false),
    };
    try {
      await ports.persistDueTimes?.(ticketId, times);
    } catch (err) {
      deps.logger?.warn({ err, ticketId }, 'sla: persisting due times failed');
    }
    return times;
  }

  const stopFields = (at: number) => ({ status: 'met', metAt: String(at) });

  async function fire(job: Job<TimerJob>): Promise<void> {
    const { ticketId, clock, phase, gen } = job.data;
    const r = (await deps.redis.eval(FIRE, 1, key(ticketId), clock, String(gen), FLAG[phase])) as [string, string, string] | null;
    if (!r) return;
    const [policyId, team, due] = r;
    const teamId = team || null;
    const at = iso(now());
    const dueAt = iso(Number(due));
    if (phase === 'warning') {
      await emit({ type: 'sla.warning', ticketId, clock, policyId, teamId, dueAt, at });
      return;
    }
    await emit({ type: 'sla.breached', ticketId, clock, policyId, teamId, dueAt, at });
    const policy = policies().find((p) => p.id === policyId);
    if (!policy) return;
    const esc = policy.escalation;
    let priorityRaisedTo: Priority | null = null;
    let reassigned = false;
    if (esc.raisePriority && ports.raisePriority) {
      priorityRaisedTo = await ports.raisePriority(ticketId).catch((err: unknown) => {
        deps.logger?.warn({ err, ticketId }, 'sla: raising priority failed');
        return null;
      });
    }
    if (esc.reassign && ports.reassign) {
      reassigned = await ports.reassign(ticketId).catch((err: unknown) => {
        deps.logger?.warn({ err, ticketId }, 'sla: reassigning failed');
        return false;
      });
    }
    await emit({ type: 'sla.escalated', ticketId, clock, policyId, teamId, notifySupervisors: esc.notifySupervisors, priorityRaisedTo, reassigned, at: iso(now()) });
  }

  return {
    async track(input) {
      const policy = selectPolicy({ type: input.type, priority: input.priority, tier: input.tier }, policies());
      if (!policy) return null;
      const cal = policy.businessHours ? (deps.calendarFor?.(input.teamId) ?? null) : null;
      let due: ReturnType<typeof computeDueTimes>;
      try {
        due = computeDueTimes(input.createdAt, policy, cal);
      } catch (err) {
        // A calendar that never opens must not leave the ticket without clocks: wall time then.
        deps.logger?.warn({ err, ticketId: input.ticketId, teamId: input.teamId }, 'sla: business calendar unusable; counting around the clock');
        due = computeDueTimes(input.createdAt, policy, null);
      }
      const fields: Record<string, string> = {
        policy: policy.id,
        team: input.teamId ?? '',
        bh: policy.businessHours ? '1' : '0',
        ratio: String(policy.warnRatio ?? 0.75),
        'next_response:status': 'idle',
        'next_response:gen': '1',
        'next_response:target': String(policy.targets.nextResponseMs ?? 0),
      };
      const started: Array<[SlaClock, NonNullable<typeof due.firstResponse>]> = [];
      if (due.firstResponse) started.push(['first_response', due.firstResponse]);
      if (due.resolution) started.push(['resolution', due.resolution]);
      for (const clock of ['first_response', 'resolution'] as const) {
        fields[`${clock}:status`] = 'idle';
        fields[`${clock}:gen`] = '1';
      }
      for (const [clock, t] of started) {
        Object.assign(fields, {
          [`${clock}:status`]: 'running',
          [`${clock}:target`]: String(t.targetMs),
          [`${clock}:warnAt`]: String(t.warnAt),
          [`${clock}:dueAt`]: String(t.dueAt),
          [`${clock}:warned`]: '0',
          [`${clock}:breached`]: '0',
        });
      }
      const created = Number(await deps.redis.eval(TRACK, 1, key(input.ticketId), ...Object.entries(fields).flat())) === 1;
      if (created) {
        await deps.redis.expire(key(input.ticketId), KEEP_SECONDS);
        for (const [clock, t] of started) await schedule(input.ticketId, clock, { ...t, warned: false, breached: false }, 1);
      }
      return persist(input.ticketId);
    },

    async agentReplied(ticketId, at = new Date(now())) {
      let changed = false;
      for (const clock of ['first_response', 'next_response'] as const) {
        changed =
          (await update(ticketId, clock, (_s, c) => (c.status === 'running' ? { fields: stopFields(at.getTime()), next: null } : null))) || changed;
      }
      if (changed) await persist(ticketId);
    },

    async customerMessaged(ticketId, at = new Date(now())) {
      const changed = await update(ticketId, 'next_response', (s, c) => {
        if (c.status === 'running' || c.targetMs <= 0) return null;
        if (s.clocks.first_response.status === 'running') return null;
        const t = clockTimes(at.getTime(), c.targetMs, calendar(s), s.warnRatio);
        return {
          fields: { status: 'running', warnAt: String(t.warnAt), dueAt: String(t.dueAt), warned: '0', breached: '0', startedAt: String(at.getTime()) },
          next: { warnAt: t.warnAt, dueAt: t.dueAt, warned: false, breached: false },
        };
      });
      if (changed) await persist(ticketId);
    },

    async pause(ticketId, at = new Date(now())) {
      const changed = await update(ticketId, 'resolution', (_s, c) =>
        c.status === 'running' ? { fields: { status: 'paused', pausedAt: String(at.getTime()) }, next: null } : null,
      );
      if (changed) await persist(ticketId);
      return changed;
    },

    async resume(ticketId, at = new Date(now())) {
      const t = at.getTime();
      const changed = await update(ticketId, 'resolution', (s, c) => {
        if (c.status !== 'paused' || c.pausedAt === null) return null;
        const cal = calendar(s);
        const pausedAt = c.pausedAt;
        // What was left at the pause is what is left now: the due time moves by the paused time.
        const shift = (x: number | null) => (x === null ? null : x > pausedAt ? advance(t, elapsed(pausedAt, x, cal), cal) : x);
        const warnAt = c.warned ? c.warnAt : shift(c.warnAt);
        const dueAt = c.breached ? c.dueAt : shift(c.dueAt);
        return {
          fields: { status: 'running', pausedAt: '', warnAt: String(warnAt ?? ''), dueAt: String(dueAt ?? '') },
          next: { warnAt, dueAt, warned: c.warned, breached: c.breached },
        };
      });
      if (changed) await persist(ticketId);
      return changed;
    },

    async complete(ticketId, at = new Date(now())) {
      let changed = false;
      for (const clock of SLA_CLOCKS) {
        changed =
          (await update(ticketId, clock, (_s, c) => (c.status === 'running' || c.status === 'paused' ? { fields: stopFields(at.getTime()), next: null } : null))) ||
          changed;
      }
      if (changed) await persist(ticketId);
    },

    state,

    async warnedClocks(ticketIds) {
      const out = new Map<string, Array<{ clock: SlaClock; dueAt: number; breached: boolean }>>();
      if (ticketIds.length === 0) return out;
      const fields = SLA_CLOCKS.flatMap((c) => [`${c}:status`, `${c}:warned`, `${c}:breached`, `${c}:dueAt`]);
      const pipe = deps.redis.pipeline();
      for (const id of ticketIds) pipe.hmget(key(id), ...fields);
      const replies = (await pipe.exec()) ?? [];
      replies.forEach(([err, values], i) => {
        if (err || !Array.isArray(values)) return;
        const v = values as Array<string | null>;
        const clocks: Array<{ clock: SlaClock; dueAt: number; breached: boolean }> = [];
        SLA_CLOCKS.forEach((clock, j) => {
          const [status, warned, breached, dueAt] = v.slice(j * 4, j * 4 + 4);
          if (status === 'running' && warned === '1' && dueAt) clocks.push({ clock, dueAt: Number(dueAt), breached: breached === '1' });
        });
        if (clocks.length > 0) out.set(ticketIds[i]!, clocks);
      });
      return out;
    },

    runWorker() {
      if (worker) return worker;
      worker = new Worker<TimerJob>(SLA_QUEUE, fire, { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 4 });
      worker.on('failed', (job, err) => deps.logger?.warn({ err, jobId: job?.id }, 'sla: timer job failed'));
      worker.on('error', (err) => deps.logger?.warn({ err }, 'sla: worker error'));
      return worker;
    },

    async close() {
      await worker?.close();
      worker = null;
      await queue.close();
    },
  };
}
