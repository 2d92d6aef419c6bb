import type { RoutingContext } from './routing-context';
import type { RoutingDrain } from './routing-drain';
import type { RoutingPresence } from './routing-presence';
import type { RoutingService } from './routing.service';
import type { AgentProfile, TeamRoutingConfig } from './routing.types';

export type RoutingRegistry = Pick<RoutingService, 'upsertAgent' | 'removeAgent' | 'syncAgents' | 'configureTeam' | 'teamConfig'>;

/** Who routes and how: agents' profiles (teams, skills, limits) and teams' routing settings. */
export function createRoutingRegistry(
  ctx: RoutingContext,
  drain: Pick<RoutingDrain, 'drainTeam' | 'fillAgent'>,
  presence: Pick<RoutingPresence, 'setStatus'>,
  agentLoader: (() => Promise<AgentProfile[]>) | undefined,
): RoutingRegistry {
  const { store } = ctx;

  return {
    async upsertAgent(p) {
      await store.upsertAgent(p);
      // Higher limits or a new team can mean work for an online agent right away.
      await drain.fillAgent(p.agentId);
    },

    async removeAgent(agentId) {
      await presence.setStatus(agentId, 'offline');
      const view = await store.agentView(agentId);
      if (view) await store.upsertAgent({ agentId, teams: [], skills: view.agent.skills, languages: view.agent.languages, limits: view.agent.limits });
    },

    async syncAgents() {
      if (!agentLoader) return 0;
      const profiles = await agentLoader();
      for (const p of profiles) {
        await store.upsertAgent(p);
        await drain.fillAgent(p.agentId);
      }
      return profiles.length;
    },

    async configureTeam(partial) {
      const base = await store.teamConfig(partial.teamId);
      const cfg: TeamRoutingConfig = {
        ...base,
        ...partial,
        autoAccept: { ...base.autoAccept, ...partial.autoAccept },
      };
      await store.configureTeam(cfg);
      await drain.drainTeam(cfg.teamId);
      return cfg;
    },

    teamConfig: (teamId) => store.teamConfig(teamId),
  };
}
