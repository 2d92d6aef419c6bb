import type { ChannelErrorCode, DeliveryReportCode } from '../../channels/contract';

/**
 * Why a reply failed, as a stable code clients translate (the provider's own words stay in
 * `deliveryError`): the channel adapter's error code, or what the outbound side found itself.
 */
export const DELIVERY_ERROR_CODES = [
  'auth', 'network', 'rejected', 'rate_limited', 'invalid', 'unavailable', 'provider',
  'no_adapter', 'not_sendable', 'ticket_gone', 'not_delivered', 'bounced', 'opted_out', 'unknown',
  // A fax (a call) that did not get through: the line was busy, nobody answered.
  'busy', 'no_answer',
] as const;
export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];
/** Every channel error code is a delivery error code (the compiler checks). */
export const channelErrorCode = (code: ChannelErrorCode): DeliveryErrorCode => code;
/** Every provider delivery report code is a delivery error code (the compiler checks). */
export const reportErrorCode = (code: DeliveryReportCode): DeliveryErrorCode => code;
