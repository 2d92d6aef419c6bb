import type { Redis } from 'ioredis';
import type { FloorAlertLimits } from '../auth/team.model';
import type { EventBus, Unsubscribe } from '../events/event-bus';
import type { DomainEvent, FloorAlertEvent } from '../events/event.types';
import type { FloorService, FloorTeam } from './floor.service';

export interface FloorAlertsDeps {
  redis: Redis;
  prefix: string;
  bus: EventBus;
  floor: Pick<FloorService, 'queueOf'>;
  /** Every team with its alert limits. */
  teams(): Promise<FloorTeam[]>;
  publish(event: DomainEvent): Promise<void>;
  /** How often every team's queue is checked (waits grow without any event). Default 5 s. */
  intervalMs?: number;
  /** Queue events of one team within this window are checked once. Default 250 ms. */
  debounceMs?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

export interface FloorAlerts {
  /** Checks one team's queue against its limits now (publishing `floor.alert` on a crossing). */
  check(teamId: string): Promise<void>;
  stop(): Promise<void>;
}

type Reason = FloorAlertEvent['reason'];

/**
 * Queue alerts for supervisors: after queue events of a team (debounced) and every
 * `intervalMs`, the team's queue is compared with its `floorAlerts` limits. A crossing is
 * claimed with SET NX on `<prefix>:floor-alert:<team>:<reason>` (one alert per crossing
 * whichever hub process sees it first); the key goes once the queue is within the limit again.
 */
export function createFloorAlerts(deps: FloorAlertsDeps): FloorAlerts {
  const key = (teamId: string, reason: Reason) => `${deps.prefix}:floor-alert:${teamId}:${reason}`;
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  async function checkTeam(team: FloorTeam): Promise<void> {
    const limits: FloorAlertLimits = team.floorAlerts ?? { maxWaiting: null, maxWaitSeconds: null };
    const q = await deps.floor.queueOf(team.id);
    const checks: Array<[Reason, number | null, number]> = [
      ['waiting', limits.maxWaiting, q.waiting],
      ['wait', limits.maxWaitSeconds, q.oldestWaitSeconds ?? 0],
    ];
    for (const [reason, limit, value] of checks) {
      if (limit === null || value <= limit) {
        await deps.redis.del(key(team.id, reason));
        continue;
      }
      if ((await deps.redis.set(key(team.id, reason), '1', 'EX', 30 * 86_400, 'NX')) !== 'OK') continue;
      await deps.publish({
        type: 'floor.alert',
        teamId: team.id,
        teamName: team.name,
        reason,
        limit,
        waiting: q.waiting,
        oldestWaitSeconds: q.oldestWaitSeconds,
        at: new Date().toISOString(),
      });
    }
  }

  async function check(teamId: string): Promise<void> {
    const team = (await deps.teams()).find((t) => t.id === teamId);
    if (team) await checkTeam(team);
  }

  const warn = (err: unknown) => deps.logger?.warn({ err }, 'floor alerts: a check failed');

  function soon(teamId: string): void {
    if (stopped || timers.has(teamId)) return;
    const timer = setTimeout(() => {
      timers.delete(teamId);
      check(teamId).catch(warn);
    }, deps.debounceMs ?? 250);
    timer.unref();
    timers.set(teamId, timer);
  }

  // One process of the group hears each queue event; the SET NX keeps it to one alert anyway.
  const unsubscribe: Unsubscribe = deps.bus.subscribe('floor-alerts', (event) => {
    if (event.type === 'routing.queued' || event.type === 'routing.assigned' || event.type === 'routing.offered' || event.type === 'routing.released') soon(event.teamId);
    else if (event.type === 'routing.transferred') soon(event.toTeamId);
  });

  let sweeping = false;
  const interval = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    deps
      .teams()
      .then(async (teams) => {
        for (const team of teams) if (team.floorAlerts) await checkTeam(team);
      })
      .catch(warn)
      .finally(() => {
        sweeping = false;
      });
  }, deps.intervalMs ?? 5000);
  interval.unref();

  return {
    check,
    async stop() {
      stopped = true;
      clearInterval(interval);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await unsubscribe();
    },
  };
}
