import type { ChannelErrorCode } from '../../channels/contract';

/**
 * Why a reply failed, as a stable code clients translate (the provider's own words stay in
 * `deliveryError`): the channel adapter's error code, or what the outbound side found itself.
 */
export const DELIVERY_ERROR_CODES = [
  'auth', 'network', 'rejected', 'rate_limited', 'invalid', 'unavailable', 'provider',
  'no_adapter', 'not_sendable', 'ticket_gone', 'not_delivered', 'bounced', 'opted_out', 'unknown',
] as const;
export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];
/** Every channel error code is a delivery error code (the compiler checks). */
export const channelErrorCode = (code: ChannelErrorCode): DeliveryErrorCode => code;
