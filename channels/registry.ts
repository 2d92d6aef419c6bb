import { createApiChannel, type ApiWebhookOptions } from './api/api.adapter';
import type { ChannelAdapter } from './contract';
import { createWebchatChannel, type WebchatOptions } from './webchat/webchat.adapter';

export interface ChannelsConfig {
  inboundApiKey: string | undefined;
  /** Where and how replies on API-channel tickets are delivered (API_WEBHOOK_URL / _SECRET). */
  apiWebhook?: ApiWebhookOptions;
  webchat: WebchatOptions;
}

/** The explicit list of channel adapters (no registration by import side effect). */
export function createChannels(config: ChannelsConfig): ChannelAdapter[] {
  return [createApiChannel({ apiKey: config.inboundApiKey, webhook: config.apiWebhook }), createWebchatChannel(config.webchat)];
}
