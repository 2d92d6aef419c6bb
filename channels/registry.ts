import { createApiChannel } from './api/api.adapter';
import type { ChannelAdapter } from './contract';
import { createWebchatChannel, type WebchatOptions } from './webchat/webchat.adapter';

export interface ChannelsConfig {
  inboundApiKey: string | undefined;
  webchat: WebchatOptions;
}

/** The explicit list of channel adapters (no registration by import side effect). */
export function createChannels(config: ChannelsConfig): ChannelAdapter[] {
  return [createApiChannel({ apiKey: config.inboundApiKey }), createWebchatChannel(config.webchat)];
}
