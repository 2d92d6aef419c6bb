import type { DeliveryReportCode } from '../contract';
import type { SignedRequest, VerifyFailure } from './fax.verify';

/**
 * What the hub needs of a fax provider to send faxes: hand it a fax (the provider fetches the
 * document from `mediaUrl`), check that a status callback is genuine, and read one. Telnyx's
 * REST API is implemented (telnyx.provider.ts); others fit behind the same interface.
 */
export interface OutgoingFax {
  /** The hub's id of the reply (the provider's client state: echoed in its callbacks). */
  messageId: string;
  /** E.164. */
  to: string;
  /** E.164: the instance's number. */
  from: string;
  /** Where the provider fetches the PDF (a signed, expiring hub URL). */
  mediaUrl: string;
  /** Where the provider posts the fax's status callbacks. */
  statusUrl: string;
}

/** A provider's status callback about a sent fax. */
export interface FaxStatus {
  /** The provider's fax id (what {@link FaxProvider.send} answered). */
  faxId: string;
  /** The hub's id of the reply, when the provider echoes it. */
  messageId: string | null;
  /**
   * `queued`: the provider has it; `sending`: on the line; `delivered`; `failed` (see `failure`).
   */
  status: 'queued' | 'sending' | 'delivered' | 'failed';
  failure?: {
    /** The provider's words (its reason code). */
    reason: string;
    code: DeliveryReportCode;
    /** Worth dialling again later (a busy line, no answer). */
    redial: boolean;
  };
}

/** Not a status the hub records (another event type, an intermediate step): answered 200 and ignored. */
export const NOT_A_STATUS = Symbol('not a status');

export interface FaxProvider {
  /** Hands the fax to the provider; answers its fax id. Throws ChannelError (retryable or not). */
  send(fax: OutgoingFax): Promise<string>;
  /** Whether a status callback is genuine and fresh (null) or why not. */
  verify(req: SignedRequest): VerifyFailure | null;
  /** A verified status callback's body → its status. Throws ChannelRequestError when it is malformed. */
  parseStatus(body: unknown): FaxStatus | typeof NOT_A_STATUS;
}
