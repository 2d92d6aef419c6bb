import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ChannelError, ChannelRequestError, type DeliveryReportCode } from '../contract';
import { NOT_A_STATUS, type FaxProvider, type FaxStatus, type OutgoingFax } from './fax.provider';
import { verifyTelnyx } from './fax.verify';

/**
 * Telnyx Programmable Fax as the sending side: `POST {apiBaseUrl}/v2/faxes` (Bearer API key)
 * with `connection_id` (the Fax Application), `to`, `from`, `media_url` (Telnyx fetches the
 * PDF from there), `webhook_url` (this fax's callbacks) and `client_state` (base64 of the hub's
 * message id, echoed in every callback). Its callbacks `fax.queued`, `fax.media.processed`,
 * `fax.sending.started`, `fax.delivered`, `fax.failed` are signed like every Telnyx webhook
 * (Ed25519 over `<telnyx-timestamp>|<body>`).
 */
export interface TelnyxFaxOptions {
  apiBaseUrl: string;
  apiKey: string;
  connectionId: string;
  /** The account's webhook public key (null: every callback is refused). */
  publicKey: KeyObject | null;
  toleranceSeconds: number;
  timeoutMs?: number;
}

/** `failure_reason`s that a later dial may get past. */
const BUSY = new Set(['user_busy']);
const NO_ANSWER = new Set(['receiver_no_answer', 'receiver_no_response']);

export function telnyxFailure(reason: string): { code: DeliveryReportCode; redial: boolean } {
  if (BUSY.has(reason)) return { code: 'busy', redial: true };
  if (NO_ANSWER.has(reason)) return { code: 'no_answer', redial: true };
  return { code: 'not_delivered', redial: false };
}

const ErrorBody = z.object({ errors: z.array(z.looseObject({ code: z.union([z.string(), z.number()]).optional(), title: z.string().optional(), detail: z.string().optional() })) });

/** Telnyx's answer to a refused request → the hub's typed channel error (429 and 5xx retry). */
function refusal(status: number, body: unknown): ChannelError {
  const parsed = ErrorBody.safeParse(body);
  const first = parsed.success ? parsed.data.errors[0] : undefined;
  const said = `Telnyx answered ${status}${first ? `: ${first.code !== undefined ? `${first.code} ` : ''}${first.title ?? ''}${first.detail ? ` (${first.detail})` : ''}` : ''}`.slice(0, 400);
  if (status === 429) return new ChannelError('rate_limited', said, { retryable: true });
  if (status >= 500) return new ChannelError('unavailable', said, { retryable: true });
  if (status === 401 || status === 403) return new ChannelError('auth', said, { retryable: false });
  if (status === 422 || status === 400) return new ChannelError('invalid', said, { retryable: false });
  return new ChannelError('rejected', said, { retryable: false });
}

const Created = z.object({ data: z.looseObject({ id: z.string().min(1).max(200) }) });

const Event = z.object({
  data: z.object({
    event_type: z.string().max(100),
    payload: z.looseObject({
      fax_id: z.string().trim().min(1).max(200),
      status: z.string().max(100).optional(),
      failure_reason: z.string().max(200).nullable().optional(),
      client_state: z.string().max(2000).nullable().optional(),
    }),
  }),
});

const STATUS_OF: Record<string, FaxStatus['status']> = {
  'fax.queued': 'queued',
  'fax.sending.started': 'sending',
  'fax.delivered': 'delivered',
  'fax.failed': 'failed',
};

export const clientState = (messageId: string): string => Buffer.from(messageId, 'utf8').toString('base64');

function messageIdOf(state: string | null | undefined): string | null {
  if (!state) return null;
  const id = Buffer.from(state, 'base64').toString('utf8');
  return /^[0-9a-f]{24}$/.test(id) ? id : null;
}

export function createTelnyxFaxProvider(o: TelnyxFaxOptions): FaxProvider {
  const base = o.apiBaseUrl.replace(/\/+$/, '');
  return {
    async send(fax: OutgoingFax): Promise<string> {
      let res: globalThis.Response;
      try {
        res = await fetch(`${base}/v2/faxes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            connection_id: o.connectionId,
            to: fax.to,
            from: fax.from,
            media_url: fax.mediaUrl,
            webhook_url: fax.statusUrl,
            client_state: clientState(fax.messageId),
          }),
          signal: AbortSignal.timeout(o.timeoutMs ?? 20_000),
        });
      } catch (err) {
        throw new ChannelError('network', `Telnyx could not be reached: ${err instanceof Error ? err.message : String(err)}`, { retryable: true, cause: err });
      }
      const body: unknown = await res.json().catch(() => null);
      if (!res.ok) throw refusal(res.status, body);
      const created = Created.safeParse(body);
      if (!created.success) throw new ChannelError('provider', `Telnyx answered ${res.status} without a fax id`, { retryable: false });
      return created.data.data.id;
    },

    verify(req) {
      return o.publicKey ? verifyTelnyx(req, o.publicKey, o.toleranceSeconds) : { reason: 'unsigned', detail: 'no Telnyx public key configured' };
    },

    parseStatus(body) {
      const event = Event.safeParse(body);
      if (!event.success) {
        const errors = event.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message, code: i.code }));
        throw new ChannelRequestError(422, 'Invalid fax status callback', `The callback has ${errors.length} invalid field(s).`, errors);
      }
      const status = STATUS_OF[event.data.data.event_type];
      if (!status) return NOT_A_STATUS;
      const p = event.data.data.payload;
      const out: FaxStatus = { faxId: p.fax_id, messageId: messageIdOf(p.client_state), status };
      if (status === 'failed') {
        const reason = p.failure_reason?.trim() || 'failed';
        out.failure = { reason, ...telnyxFailure(reason) };
      }
      return out;
    },
  };
}
