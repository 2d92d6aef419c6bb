import type { RoutingContext } from './routing-context';
import type { RoutingDrain } from './routing-drain';
import type { RoutingOffers } from './routing-offers';
import type { RoutingService } from './routing.service';

const SWEEP_BATCH = 200;

export type RoutingSweep = Pick<RoutingService, 'tick' | 'start'> & {
  /** Stops the timer and waits for a running sweep. */
  stop(): Promise<void>;
};

/**
 * The periodic sweep of what ends with time: expired offers go to the next agent (the one
 * who missed it cools down for that ticket), ended cool-downs route the queue again, ended
 * grace periods make agents away.
 */
export function createRoutingSweep(ctx: RoutingContext, drain: Pick<RoutingDrain, 'drainTeam'>, offers: Pick<RoutingOffers, 'afterRequeue'>): RoutingSweep {
  const { store, now, iso, emit } = ctx;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;

  async function sweepOnce(): Promise<void> {
    const t = now();
    for (;;) {
      const expired = await store.expireOffers(t, SWEEP_BATCH);
      if (expired.length > 0) await offers.afterRequeue(expired, 'offer_expired');
      if (expired.length < SWEEP_BATCH) break;
    }
    for (;;) {
      const cooled = await store.expireCooldowns(t, SWEEP_BATCH);
      for (const teamId of new Set(cooled.map((c) => c.teamId))) await drain.drainTeam(teamId);
      if (cooled.length < SWEEP_BATCH) break;
    }
    for (;;) {
      const away = await store.expireGrace(t, SWEEP_BATCH);
      for (const a of away) {
        await emit({ type: 'agent.presence', agentId: a.agentId, status: 'away', previous: 'online', reason: 'disconnect', at: iso(t) });
        if (a.offers.length > 0) await offers.afterRequeue(a.offers, 'agent_unavailable');
      }
      if (away.length < SWEEP_BATCH) break;
    }
  }

  /** One sweep at a time per process; several processes are safe (each expiry is claimed in Lua). */
  function tick(): Promise<void> {
    ticking ??= sweepOnce().finally(() => {
      ticking = null;
    });
    return ticking;
  }

  return {
    tick,

    start(opts = {}) {
      if (timer) return;
      const every = opts.intervalMs ?? 500;
      timer = setInterval(() => {
        tick().catch((err: unknown) => ctx.logger?.warn({ err }, 'routing: sweep failed'));
      }, every);
      timer.unref();
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await ticking?.catch(() => undefined);
    },
  };
}
