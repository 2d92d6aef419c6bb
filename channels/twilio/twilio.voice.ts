import type { Request, Response } from 'express';
import twilio from 'twilio';
import type { ChannelContext, InboundMessage, InboundMessageInput, TicketType } from '../contract';
import { fetchTwilioFile, isApiUrl } from './twilio.client';
import { toE164, type TwilioParams } from './twilio.normalize';

export type VoiceLanguage = 'zh-CN' | 'en';

/** What the caller hears, per language. */
export const VOICE_PROMPTS: Record<VoiceLanguage, Record<'menu' | 'invalid' | 'noInput' | 'connecting' | 'voicemail' | 'thanks' | 'dialFailed' | 'off', string>> = {
  'zh-CN': {
    menu: '您好，感谢致电。投诉请按1，建议请按2，其他咨询请按3。',
    invalid: '输入无效，请重新选择。',
    noInput: '没有收到您的选择，我们会尽快给您回电。再见。',
    connecting: '正在为您转接客服，请稍候。',
    voicemail: '目前没有客服可以接听。请在提示音后留言，按井号键结束。',
    thanks: '感谢您的留言，我们会尽快与您联系。再见。',
    dialFailed: '抱歉，客服暂时无法接听，我们会尽快给您回电。再见。',
    off: '抱歉，此号码暂不接听电话。再见。',
  },
  en: {
    menu: 'Hello, thank you for calling. For a complaint, press 1. For a suggestion, press 2. For anything else, press 3.',
    invalid: 'Sorry, that is not one of the options.',
    noInput: 'We did not get a choice. We will call you back soon. Goodbye.',
    connecting: 'Connecting you to an agent, please hold.',
    voicemail: 'No agent is available right now. Please leave a message after the tone, and press the pound key when you are done.',
    thanks: 'Thank you for your message. We will get back to you soon. Goodbye.',
    dialFailed: 'Sorry, our agent could not take your call. We will call you back soon. Goodbye.',
    off: 'Sorry, this number does not take calls. Goodbye.',
  },
};

/** The menu: 1 complaint, 2 suggestion, 3 anything else (care). */
export const MENU: Readonly<Record<string, TicketType>> = { '1': 'complaint', '2': 'suggestion', '3': 'care' };

/** Why a call became a "call back" ticket. */
export type MissedReason = 'hung up in the menu' | 'no-answer' | 'busy' | 'failed' | 'canceled' | 'empty voicemail';

export interface VoiceOptions {
  number: string;
  language: VoiceLanguage;
  accountSid: string;
  authToken: string | undefined;
  apiBaseUrl: string | undefined;
  maxMediaBytes: number;
  /** Longest voicemail, in seconds. */
  voicemailMaxSeconds: number;
  /** The public URL of this instance's webhooks (`…/webhooks/twilio/<id>`). */
  hookUrl(): string;
  signed(req: Request): Promise<TwilioParams>;
  enabled: boolean;
}

const sayLanguage = (l: VoiceLanguage): 'zh-CN' | 'en-US' => (l === 'zh-CN' ? 'zh-CN' : 'en-US');
const typeOf = (v: unknown): TicketType | undefined => (typeof v === 'string' && (Object.values(MENU) as string[]).includes(v) ? (v as TicketType) : undefined);
const callRef = (callSid: string): string => `call:${callSid}`;

/** The call's messages (pure): what the hub stores for each step of a call. */
export function callMessage(
  kind: 'call' | 'voicemail' | 'transcript' | 'missed',
  p: { callSid: string; from: string; number: string; type?: TicketType | undefined; text: string; subject?: string; metadata?: Record<string, string>; continues?: boolean },
): InboundMessageInput {
  const from = toE164(p.from);
  return {
    channel: 'voice',
    externalId: `${p.callSid}:${kind}`,
    from: { address: from, kind: 'phone' },
    to: [{ address: p.number, kind: 'phone' }],
    ...(p.subject ? { subject: p.subject } : {}),
    text: p.text,
    // A call that reached no ticket opens one of its own; the steps of a call that did (a dial nobody answered included) share it.
    threadRefs: kind === 'missed' && !p.continues ? [] : [callRef(p.callSid)],
    receivedAt: new Date(),
    ...(p.type ? { chosenType: p.type } : {}),
    metadata: { callSid: p.callSid, ...p.metadata },
  };
}

/**
 * A call that needs a call back. `dialled`: it was put through to an agent who did not answer, so
 * it continues the call's own ticket (with the type the caller chose) instead of opening a care one.
 */
export function missedCallMessage(p: { callSid: string; from: string; number: string; reason: MissedReason; dialled?: { type: TicketType | undefined } }): InboundMessageInput {
  const from = toE164(p.from);
  return callMessage('missed', {
    callSid: p.callSid,
    from: p.from,
    number: p.number,
    type: p.dialled ? p.dialled.type : 'care',
    continues: p.dialled !== undefined,
    subject: `Call back ${from}`,
    text: `Missed call from ${from} (${p.reason}). Call the customer back.`,
    metadata: { missedReason: p.reason },
  });
}

/**
 * The number's voice side: an IVR (`<Gather numDigits=1>` in the number's language), then either
 * `<Dial>` to an online agent of the team (the ticket is created at once and assigned to them) or
 * voicemail (`<Record>` with transcription): the recording (fetched into the attachment store) and
 * later the transcript become the ticket's messages. A call that reached no one (hung up in the
 * menu, an empty voicemail) becomes one care "call back" ticket, once per CallSid (its externalId
 * is `<CallSid>:missed`, so every path that notices it stores it once). A call put through to an
 * agent who did not answer makes its own ticket the call-back one: the missed message joins it
 * (the chosen type stays), it is tagged "call back" and routed again without that agent.
 *
 * Webhooks (all signed): `/voice` (A call comes in), `/voice/menu`, `/voice/dial`,
 * `/voice/recording`, `/voice/transcription`, `/voice/status` (the number's call status callback).
 */
export function mountVoice(ctx: ChannelContext, path: string, o: VoiceOptions): void {
  const prompts = VOICE_PROMPTS[o.language];
  const say = (r: twilio.twiml.VoiceResponse | ReturnType<twilio.twiml.VoiceResponse['gather']>, text: string): void => {
    r.say({ language: sayLanguage(o.language) }, text);
  };
  const send = (res: Response, r: twilio.twiml.VoiceResponse): void => {
    res.status(200).type('text/xml').send(r.toString());
  };
  const url = (p: string, q: Record<string, string> = {}): string => {
    const qs = new URLSearchParams(q).toString();
    return `${o.hookUrl()}${p}${qs ? `?${qs}` : ''}`;
  };
  /** Whether the call reached a ticket (dialed, or a voicemail), kept per CallSid for the status callback. */
  const handled = {
    mark: (sid: string, how: string) => ctx.checkpoint.set(`call-${sid}`, how),
    get: (sid: string) => ctx.checkpoint.get(`call-${sid}`),
  };
  /**
   * The call needs a call back: stored (within the hub's wait), then its ticket is flagged "call
   * back" and, after a dial nobody answered, taken from the agent it rang and routed again.
   */
  const missed = async (p: TwilioParams, reason: MissedReason, dialled?: { type: TicketType | undefined; agentId: string | undefined }): Promise<void> => {
    const message = missedCallMessage({ callSid: p.CallSid ?? '', from: p.From ?? '', number: o.number, reason, ...(dialled ? { dialled: { type: dialled.type } } : {}) });
    const r = await ctx.ingest(message);
    if (r.ticketId && ctx.callBackNeeded) {
      await ctx.callBackNeeded(r.ticketId, { reason, ...(dialled?.agentId ? { agentId: dialled.agentId } : {}) });
    }
    ctx.logger.info({ callSid: p.CallSid, reason, duplicate: r.duplicate === true, ticketId: r.ticketId }, 'twilio: missed call');
  };
  const needCall = (p: TwilioParams): boolean => Boolean(p.CallSid && p.From);

  function menu(r: twilio.twiml.VoiceResponse, attempt: number): void {
    const g = r.gather({ numDigits: 1, timeout: 8, method: 'POST', action: url('/voice/menu', { attempt: String(attempt) }), actionOnEmptyResult: true });
    say(g, prompts.menu);
  }

  ctx.router.post(`${path}/voice`, async (req: Request, res: Response) => {
    await o.signed(req);
    const r = new twilio.twiml.VoiceResponse();
    if (!o.enabled) {
      say(r, prompts.off);
      r.hangup();
      return send(res, r);
    }
    menu(r, 1);
    send(res, r);
  });

  ctx.router.post(`${path}/voice/menu`, async (req: Request, res: Response) => {
    const p = await o.signed(req);
    const r = new twilio.twiml.VoiceResponse();
    const type = MENU[(p.Digits ?? '').trim()];
    if (!type || !needCall(p)) {
      const attempt = Number(req.query.attempt ?? '1');
      if (attempt < 2 && needCall(p)) {
        if (p.Digits) say(r, prompts.invalid);
        menu(r, attempt + 1);
      } else {
        // No choice: the status callback (or this) records a missed call.
        if (needCall(p)) await missed(p, 'hung up in the menu');
        say(r, prompts.noInput);
        r.hangup();
      }
      return send(res, r);
    }
    const callSid = p.CallSid!;
    const agent = ctx.availableAgent ? await ctx.availableAgent() : null;
    if (agent) {
      await handled.mark(callSid, 'dialed');
      // The ticket is created now and handed to the agent, without holding up the call.
      const message = callMessage('call', {
        callSid,
        from: p.From!,
        number: o.number,
        type,
        subject: `Phone call from ${toE164(p.From!)}`,
        text: `Phone call from ${toE164(p.From!)}: pressed ${p.Digits} (${type}); put through to ${agent.name}.`,
        metadata: { agentPhone: agent.phone },
      });
      void ctx
        .ingest(message)
        .then(async (accepted) => {
          if (!accepted.ticketId || !ctx.assignTicket) return;
          const ok = await ctx.assignTicket(accepted.ticketId, agent.id, `phone call put through to ${agent.name}`);
          if (!ok) ctx.logger.warn({ callSid, ticketId: accepted.ticketId }, 'twilio: the call\'s ticket could not be assigned to the agent it rang');
        })
        .catch((err: unknown) => ctx.logger.error({ err, callSid }, 'twilio: could not store the call'));
      say(r, prompts.connecting);
      const dial = r.dial({ action: url('/voice/dial', { type, agent: agent.id }), method: 'POST', timeout: 20, answerOnBridge: true });
      dial.number(agent.phone);
      return send(res, r);
    }
    say(r, prompts.voicemail);
    r.record({
      maxLength: o.voicemailMaxSeconds,
      playBeep: true,
      finishOnKey: '#',
      timeout: 5,
      method: 'POST',
      action: url('/voice/recording', { type }),
      transcribe: true,
      transcribeCallback: url('/voice/transcription', { type }),
    });
    // Reached only when nothing was recorded (Twilio then skips the action).
    r.redirect({ method: 'POST' }, url('/voice/recording', { type, empty: '1' }));
    send(res, r);
  });

  ctx.router.post(`${path}/voice/dial`, async (req: Request, res: Response) => {
    const p = await o.signed(req);
    const r = new twilio.twiml.VoiceResponse();
    const status = p.DialCallStatus ?? '';
    if (needCall(p) && ['no-answer', 'busy', 'failed', 'canceled'].includes(status)) {
      const agentId = typeof req.query.agent === 'string' ? req.query.agent : undefined;
      await missed(p, status as MissedReason, { type: typeOf(req.query.type), agentId });
      say(r, prompts.dialFailed);
    }
    r.hangup();
    send(res, r);
  });

  ctx.router.post(`${path}/voice/recording`, async (req: Request, res: Response) => {
    const p = await o.signed(req);
    const r = new twilio.twiml.VoiceResponse();
    const type = typeOf(req.query.type);
    const duration = Number.parseInt(p.RecordingDuration ?? '0', 10) || 0;
    if (!needCall(p)) {
      r.hangup();
      return send(res, r);
    }
    if (req.query.empty === '1' || !p.RecordingUrl || duration <= 0) {
      await missed(p, 'empty voicemail');
      say(r, prompts.noInput);
      r.hangup();
      return send(res, r);
    }
    await handled.mark(p.CallSid!, 'voicemail');
    const message = callMessage('voicemail', {
      callSid: p.CallSid!,
      from: p.From!,
      number: o.number,
      type,
      subject: `Voicemail from ${toE164(p.From!)}`,
      text: `Voicemail from ${toE164(p.From!)} (${duration} s${type ? `, pressed ${type}` : ''}). The transcript follows when Twilio has it.`,
      metadata: { recordingSid: p.RecordingSid ?? '', recordingSeconds: String(duration) },
    });
    // Stored before answering (within the hub's wait): the transcript, which comes later, then continues its ticket.
    await ctx.ingest(await withRecording(message, p.RecordingUrl));
    say(r, prompts.thanks);
    r.hangup();
    send(res, r);
  });

  /** The recording (`<RecordingUrl>.mp3`) into the attachment store; a failed fetch is noted, not fatal. */
  async function withRecording(message: InboundMessageInput, recordingUrl: string): Promise<InboundMessageInput> {
    const fileUrl = `${recordingUrl}.mp3`;
    try {
      if (!isApiUrl(fileUrl, o.apiBaseUrl)) throw new Error(`${fileUrl} is not on Twilio's API; not fetched with the account's credentials`);
      const file = await fetchTwilioFile(fileUrl, { accountSid: o.accountSid, authToken: o.authToken ?? '', maxBytes: o.maxMediaBytes });
      const attachment: InboundMessage['attachments'][number] = { name: 'voicemail.mp3', contentType: 'audio/mpeg', size: file.bytes.length, contentBase64: file.bytes.toString('base64') };
      return { ...message, attachments: [attachment] };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      ctx.logger.warn({ reason }, 'twilio: the recording could not be fetched');
      return { ...message, text: `${message.text} The recording could not be fetched: ${reason}`, metadata: { ...message.metadata, mediaFailed: `recording: ${reason}`.slice(0, 2000) } };
    }
  }

  ctx.router.post(`${path}/voice/transcription`, async (req: Request, res: Response) => {
    const p = await o.signed(req);
    if (needCall(p)) {
      const ok = p.TranscriptionStatus === 'completed' && (p.TranscriptionText ?? '').trim() !== '';
      await ctx.ingest(
        callMessage('transcript', {
          callSid: p.CallSid!,
          from: p.From!,
          number: o.number,
          type: typeOf(req.query.type),
          text: ok ? `Transcript of the voicemail: ${p.TranscriptionText!.trim()}` : `The voicemail could not be transcribed (${p.TranscriptionStatus ?? 'no status'}); listen to the recording.`,
          metadata: { transcriptionStatus: p.TranscriptionStatus ?? '', ...(p.TranscriptionSid ? { transcriptionSid: p.TranscriptionSid } : {}) },
        }),
        { wait: false },
      );
    }
    res.status(204).end();
  });

  ctx.router.post(`${path}/voice/status`, async (req: Request, res: Response) => {
    const p = await o.signed(req);
    const status = p.CallStatus ?? '';
    // The call ended without reaching a ticket: the caller hung up in the menu (or before the beep).
    if (needCall(p) && ['completed', 'no-answer', 'busy', 'failed', 'canceled'].includes(status) && !(await handled.get(p.CallSid!))) {
      await missed(p, 'hung up in the menu');
    }
    res.status(204).end();
  });
}
