import { createApiChannel, type ApiWebhookOptions } from './api/api.adapter';
import type { ChannelAdapter, ChannelKind } from './contract';
import { createEmailChannel, type EmailOptions } from './email/email.adapter';
import { faxKind } from './fax/fax.kind';
import { feedKind } from './feed/feed.adapter';
import { mailboxKind } from './email/mailbox.kind';
import { twilioKind } from './twilio/twilio.kind';
import { createWebchatChannel, type WebchatOptions } from './webchat/webchat.adapter';

export interface ChannelsConfig {
  inboundApiKey: string | undefined;
  /** Where and how replies on API-channel tickets are delivered (API_WEBHOOK_URL / _SECRET). */
  apiWebhook?: ApiWebhookOptions;
  webchat: WebchatOptions;
  /** Outgoing email (SMTP_URL); without it the hub sends no email. */
  email?: EmailOptions;
}

/** The explicit list of channel adapters (no registration by import side effect). */
export function createChannels(config: ChannelsConfig): ChannelAdapter[] {
  return [
    createApiChannel({ apiKey: config.inboundApiKey, webhook: config.apiWebhook }),
    createWebchatChannel(config.webchat),
    ...(config.email ? [createEmailChannel(config.email)] : []),
  ];
}

/**
 * The kinds of channel instances admins configure in the database (several mailboxes, several
 * phone numbers, several feeds): one adapter per enabled instance. The explicit list again.
 */
export const CHANNEL_KINDS: readonly ChannelKind[] = [feedKind as ChannelKind, mailboxKind as ChannelKind, twilioKind as ChannelKind, faxKind as ChannelKind];
