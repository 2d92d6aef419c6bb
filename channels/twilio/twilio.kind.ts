import type { Request, Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import {
  ChannelError,
  TICKET_TYPES,
  type ChannelAdapter,
  type ChannelContext,
  type ChannelKind,
  type InboundMessage,
  type OutboundCall,
  type OutboundCallResult,
  type OutboundMessage,
  type SendResult,
} from '../contract';
import { createTwilioClient, fetchTwilioFile, isApiUrl } from './twilio.client';
import { deliveryOf, normalizeSms, statusReason } from './twilio.normalize';
import { mountVoice } from './twilio.voice';
import { signedForm } from './twilio.webhook';

/**
 * A Twilio phone number as a channel instance: SMS/MMS in and out, and (when voice is on) its
 * calls. Webhooks are under `/webhooks/twilio/<instance id>/…`; configure the number in Twilio
 * with `<webhookBaseUrl>/webhooks/twilio/<id>/sms` (A message comes in, HTTP POST) and
 * `<webhookBaseUrl>/webhooks/twilio/<id>/voice` (A call comes in).
 */
export const TwilioSettingsSchema = z.object({
  /** The number, E.164 (`+8610…`, `+1415…`). */
  number: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number: + and 7 to 15 digits'),
  accountSid: z.string().trim().regex(/^AC[0-9a-fA-F]{32}$/, 'AC and 32 hexadecimal digits'),
  /**
   * The public base URL Twilio calls the hub at (what its webhooks are configured with, and what
   * their signatures are checked against). Unset: the hub's PUBLIC_URL.
   */
  webhookBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Where the REST API is reached (an egress gateway that speaks Twilio's API). Unset: Twilio. */
  apiBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The language of the voice menu and voicemail prompts. */
  voiceLanguage: z.enum(['zh-CN', 'en']).default('en'),
  sms: z.boolean().default(true),
  voice: z.boolean().default(true),
  /** A first word of an SMS that chooses the ticket type, e.g. `{ "complaint": ["投诉", "complaint"] }`. */
  typeKeywords: z.partialRecord(z.enum(TICKET_TYPES), z.array(z.string().trim().min(1).max(40)).max(20)).default({}),
  /** Longest voicemail, in seconds. */
  voicemailMaxSeconds: z.number().int().min(5).max(3600).default(120),
  /** Largest MMS media or recording fetched into the attachment store. */
  maxMediaBytes: z.number().int().min(1024).max(20 * 1024 * 1024).default(5 * 1024 * 1024),
});
export type TwilioSettings = z.infer<typeof TwilioSettingsSchema>;

export const TwilioSecretsSchema = z.object({
  authToken: z.string().min(16).max(200).optional(),
});
type TwilioSecrets = z.infer<typeof TwilioSecretsSchema>;

interface RestFailure {
  status?: number;
  code?: number;
  message?: string;
}

/** An SDK failure → the hub's typed channel error: 429 and 5xx (and no answer) retry, other 4xx fail with Twilio's reason. */
export function channelErrorOf(err: unknown): ChannelError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as RestFailure;
  const said = `${e.code ? `Twilio error ${e.code}: ` : ''}${e.message ?? String(err)}`.slice(0, 400);
  if (typeof e.status !== 'number') return new ChannelError('network', said, { retryable: true, cause: err });
  if (e.status === 429) return new ChannelError('rate_limited', said, { retryable: true, cause: err });
  if (e.status >= 500) return new ChannelError('unavailable', said, { retryable: true, cause: err });
  if (e.status === 401 || e.status === 403) return new ChannelError('auth', said, { retryable: false, cause: err });
  return new ChannelError('rejected', said, { retryable: false, cause: err });
}

const EMPTY_TWIML = new twilio.twiml.MessagingResponse().toString();

const twiml = (res: Response, body: string): void => {
  res.status(200).type('text/xml').send(body);
};

export const twilioKind: ChannelKind<TwilioSettings, TwilioSecrets> = {
  kind: 'twilio',
  settings: TwilioSettingsSchema,
  secrets: TwilioSecretsSchema,
  create({ id, settings, secrets }): ChannelAdapter {
    const client = createTwilioClient({ accountSid: settings.accountSid, authToken: secrets.authToken ?? '', apiBaseUrl: settings.apiBaseUrl });
    let base = settings.webhookBaseUrl ?? '';
    const path = `/webhooks/twilio/${id}`;
    const signed = (req: Request) => signedForm(req, { authToken: secrets.authToken, publicBaseUrl: base });

    /** MMS media into attachments; a failed fetch is recorded on the message, not fatal. */
    async function withMedia(ctx: ChannelContext, message: InboundMessage, media: Array<{ url: string; contentType: string }>): Promise<InboundMessage> {
      const attachments: InboundMessage['attachments'] = [];
      const failed: string[] = [];
      for (const [i, m] of media.entries()) {
        try {
          if (!isApiUrl(m.url, settings.apiBaseUrl)) throw new Error(`${m.url} is not on Twilio's API; not fetched with the account's credentials`);
          const file = await fetchTwilioFile(m.url, { accountSid: settings.accountSid, authToken: secrets.authToken ?? '', maxBytes: settings.maxMediaBytes });
          const type = file.contentType !== 'application/octet-stream' ? file.contentType : m.contentType;
          attachments.push({ name: `mms-${i + 1}.${type.split('/')[1]?.replace(/[^a-z0-9]/gi, '').slice(0, 8) || 'bin'}`, contentType: type, size: file.bytes.length, contentBase64: file.bytes.toString('base64') });
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          ctx.logger.warn({ media: i, reason }, 'twilio: MMS media could not be fetched');
          failed.push(`media ${i + 1} (${m.contentType}): ${reason}`);
        }
      }
      return {
        ...message,
        attachments,
        metadata: { ...message.metadata, ...(failed.length > 0 ? { mediaFailed: failed.join('; ').slice(0, 2000) } : {}) },
      };
    }

    async function incomingSms(ctx: ChannelContext, req: Request, res: Response): Promise<void> {
      const params = await signed(req);
      if (!settings.sms) {
        ctx.logger.warn({ sid: params.MessageSid }, 'twilio: SMS is off for this number; message dropped');
        return twiml(res, EMPTY_TWIML);
      }
      const { message, media, keyword } = normalizeSms(params, { number: settings.number, receivedAt: new Date(), typeKeywords: settings.typeKeywords });
      // Idempotent: a retried STOP sets the same state again.
      if (keyword && ctx.optOut) {
        await ctx.optOut({ channel: 'sms', address: message.from.address, optedOut: keyword === 'opt-out', keyword: message.text.trim(), externalId: message.externalId, at: message.receivedAt });
      }
      // Durably enqueued, then answered at once: Twilio's retry of the same MessageSid is a duplicate,
      // whose media are not fetched again.
      const retried = media.length > 0 && ctx.accepted ? await ctx.accepted('sms', message.externalId) : false;
      await ctx.ingest(retried ? message : await withMedia(ctx, message, media), { wait: false });
      twiml(res, EMPTY_TWIML);
    }

    async function smsStatus(ctx: ChannelContext, req: Request, res: Response): Promise<void> {
      const params = await signed(req);
      const status = deliveryOf(params.MessageStatus ?? params.SmsStatus ?? '');
      const sid = params.MessageSid ?? params.SmsSid;
      const messageId = typeof req.query.messageId === 'string' ? req.query.messageId : undefined;
      if (status && sid && ctx.deliveryReport) {
        const changed = await ctx.deliveryReport({
          channel: 'sms',
          externalId: sid,
          ...(messageId ? { messageId } : {}),
          status,
          ...(status === 'failed' ? { reason: statusReason(params.MessageStatus ?? 'failed', params.ErrorCode) } : {}),
        });
        ctx.logger.info({ sid, status: params.MessageStatus, changed }, 'twilio: status callback');
      }
      res.status(204).end();
    }

    async function send(message: OutboundMessage): Promise<SendResult> {
      if (!secrets.authToken) throw new ChannelError('auth', 'the number has no auth token configured', { retryable: false });
      if (!settings.sms) throw new ChannelError('unavailable', `SMS is off for ${settings.number}`, { retryable: false });
      if (message.attachments.length > 0) throw new ChannelError('invalid', 'attachments cannot be sent by SMS from the hub', { retryable: false });
      const to = message.to[0]!.address;
      try {
        const created = await client.messages.create({
          to,
          from: settings.number,
          body: message.text,
          statusCallback: `${base.replace(/\/+$/, '')}${path}/sms/status?messageId=${encodeURIComponent(message.messageId)}`,
        });
        return { externalId: created.sid, status: 'sent' };
      } catch (err) {
        throw channelErrorOf(err);
      }
    }

    /**
     * A "call back": Twilio calls the agent's phone from this number; once they answer, the TwiML
     * says which ticket it is and dials the customer (showing this number). Its status callbacks
     * go to `/voice/call-back/status`, recorded on the ticket's timeline.
     */
    async function callBack(call: OutboundCall): Promise<OutboundCallResult> {
      if (!secrets.authToken) throw new ChannelError('auth', 'the number has no auth token configured', { retryable: false });
      if (!settings.voice) throw new ChannelError('unavailable', `voice is off for ${settings.number}`, { retryable: false });
      const r = new twilio.twiml.VoiceResponse();
      r.say({ language: settings.voiceLanguage === 'zh-CN' ? 'zh-CN' : 'en-US' }, settings.voiceLanguage === 'zh-CN' ? `正在为工单 ${call.ticketNumber} 回拨客户。` : `Calling back the customer of ticket ${call.ticketNumber}.`);
      r.dial({ callerId: settings.number, timeout: 30 }).number(call.customer);
      const q = new URLSearchParams({ ticketId: call.ticketId, callId: call.callId }).toString();
      try {
        const created = await client.calls.create({
          to: call.agentPhone,
          from: settings.number,
          twiml: r.toString(),
          statusCallback: `${base.replace(/\/+$/, '')}${path}/voice/call-back/status?${q}`,
          statusCallbackEvent: ['answered', 'completed'],
          statusCallbackMethod: 'POST',
        });
        return { externalId: created.sid, status: created.status };
      } catch (err) {
        throw channelErrorOf(err);
      }
    }

    async function callBackStatus(ctx: ChannelContext, req: Request, res: Response): Promise<void> {
      const params = await signed(req);
      const ticketId = typeof req.query.ticketId === 'string' ? req.query.ticketId : '';
      const callId = typeof req.query.callId === 'string' ? req.query.callId : '';
      if (ticketId && callId && params.CallSid && params.CallStatus && ctx.callStatus) {
        const duration = Number.parseInt(params.CallDuration ?? '', 10);
        await ctx.callStatus({ ticketId, callId, externalId: params.CallSid, status: params.CallStatus, ...(Number.isFinite(duration) ? { durationSeconds: duration } : {}) });
      }
      res.status(204).end();
    }

    return {
      id: 'sms',
      // With SMS on, the number's call tickets are answered by SMS to the caller.
      answers: settings.sms ? ['voice'] : [],
      callBack,
      normalize: (params: Record<string, string>) => [normalizeSms(params, { number: settings.number, receivedAt: new Date(), typeKeywords: settings.typeKeywords }).message],
      mount(ctx) {
        base ||= ctx.publicUrl;
        ctx.router.post(`${path}/sms`, (req, res) => incomingSms(ctx, req, res));
        ctx.router.post(`${path}/sms/status`, (req, res) => smsStatus(ctx, req, res));
        ctx.router.post(`${path}/voice/call-back/status`, (req, res) => callBackStatus(ctx, req, res));
        mountVoice(ctx, path, {
          number: settings.number,
          language: settings.voiceLanguage,
          accountSid: settings.accountSid,
          authToken: secrets.authToken,
          apiBaseUrl: settings.apiBaseUrl,
          maxMediaBytes: settings.maxMediaBytes,
          voicemailMaxSeconds: settings.voicemailMaxSeconds,
          hookUrl: () => `${base.replace(/\/+$/, '')}${path}`,
          signed,
          enabled: settings.voice,
        });
      },
      send,
    };
  },
};
