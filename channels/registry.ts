import { createApiChannel } from './api/api.adapter';
import type { ChannelAdapter } from './contract';

export interface ChannelsConfig {
  inboundApiKey: string | undefined;
}

/** The explicit list of channel adapters (no registration by import side effect). */
export function createChannels(config: ChannelsConfig): ChannelAdapter[] {
  return [createApiChannel({ apiKey: config.inboundApiKey })];
}
