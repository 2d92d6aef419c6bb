import { careSubject } from '../care/care-texts';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Types } from 'mongoose';
import type { ChannelId, SurveyOutcome, SurveyPrompt } from '../../channels/contract';
import type { UserModel } from '../auth/user.model';
import type { CareSettings, CsatChannel } from '../care/care-settings.store';
import { CSAT_CHANNELS } from '../care/care-settings.store';
import { derivedId } from '../db/derived-id';
import { isDuplicateKey } from '../db/models';
import type { EventBus } from '../events/event-bus';
import type { IngestResult, StoredInboundMessage } from '../ingest/ingest.pipeline';
import type { MessageModel } from '../tickets/message.model';
import type { Actor } from '../tickets/ticket-event.model';
import type { TicketDoc, TicketModel } from '../tickets/ticket.model';
import { SYSTEM, ticketUpdated, type TicketService } from '../tickets/ticket.service';
import type { CsatLinks } from './csat-token';
import type { CsatAnswerModel, CsatSurveyDoc, CsatSurveyModel } from './csat-survey.model';

export interface CsatServiceDeps {
  Ticket: TicketModel;
  Message: MessageModel;
  User: UserModel;
  CsatSurvey: CsatSurveyModel;
  CsatAnswer: CsatAnswerModel;
  tickets: TicketService;
  bus: EventBus;
  settings: CareSettings;
  links: CsatLinks;
  redis: Redis;
  prefix: string;
  /** Where the hub is reached (the links in the email). */
  publicUrl(): string;
  /** Sends a hub message on the ticket through its channel, once per key (the outbound job); null when it cannot. */
  notify(ticketId: Types.ObjectId, n: { key: string; text: string; html?: string; purpose: string }): Promise<{ messageId: string } | null>;
  /** Live channels: show (or hide, once answered) the rating card. */
  live(channel: ChannelId, prompt: SurveyPrompt, state: 'asked' | 'answered'): void;
  /** Gives the ticket to a user (the team lead), through routing's claim when routing holds it. */
  assign(ticketId: string, userId: string, note: string): Promise<void>;
  now?: () => Date;
}

const SCORE_ONLY = /^\s*([1-5])\s*$/;
const zh = (language: string): boolean => language.toLowerCase().startsWith('zh');

const WORDS = {
  en: {
    scores: ['1 – very unhappy', '2 – unhappy', '3 – okay', '4 – happy', '5 – very happy'],
    mailIntro: (n: number, subject: string) => `Your request #${n}${subject ? ` (“${subject}”)` : ''} has been resolved. How satisfied are you with our help? One click is enough:`,
    mailOutro: 'Each link works once. Thank you!',
    sms: (n: number) => `Your request #${n} has been resolved. How satisfied are you with our help? Reply with one number from 1 (very unhappy) to 5 (very happy).`,
  },
  zh: {
    scores: ['1 – 非常不满意', '2 – 不满意', '3 – 一般', '4 – 满意', '5 – 非常满意'],
    mailIntro: (n: number, subject: string) => `您的请求 #${n}${subject ? `（“${subject}”）` : ''}已解决。您对我们的服务满意吗？点击一次即可：`,
    mailOutro: '每个链接只能使用一次。谢谢！',
    sms: (n: number) => `您的请求 #${n} 已解决。您对我们的服务满意吗？请回复一个数字：1（非常不满意）到 5（非常满意）。`,
  },
} as const;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export type CsatAnswerResult = SurveyOutcome & { ticketId?: string };

/**
 * Customer satisfaction (CSAT): when a ticket is resolved its customer is asked once (the
 * survey's _id derives from the ticket: an insert, not a read-then-write), in the channel they
 * used — a rating card in the chat widget, one signed single-use link per score by email, "reply
 * 1-5" by SMS — as the admins configured per type and channel. The first answer is claimed by
 * one insert (a reused link, a second SMS, another tab find it taken), lands on the ticket and its
 * timeline, goes out as `csat.answered`, and a 1 or 2 opens a care follow-up for the team lead.
 */
export function createCsatService(deps: CsatServiceDeps) {
  const { Ticket, Message, User, CsatSurvey, CsatAnswer, tickets, bus } = deps;
  const now = deps.now ?? (() => new Date());
  const surveyId = (ticketId: string | Types.ObjectId): Types.ObjectId => derivedId('csat-survey', ticketId.toString());

  const promptOf = (s: CsatSurveyDoc): SurveyPrompt => ({
    ticketId: s.ticket.toString(),
    ticketNumber: s.ticketNumber,
    subject: s.subject,
    to: s.address,
    language: s.language,
    askedAt: s.askedAt,
  });

  function linkUrl(ticketId: string, score: number, nonce: string): string {
    return `${deps.publicUrl().replace(/\/$/, '')}/csat/${deps.links.sign({ ticketId, score, nonce })}`;
  }

  function emailBody(s: CsatSurveyDoc): { text: string; html: string } {
    const w = zh(s.language) ? WORDS.zh : WORDS.en;
    const id = s.ticket.toString();
    const links = [1, 2, 3, 4, 5].map((n) => ({ n, label: w.scores[n - 1]!, url: linkUrl(id, n, s.nonce) }));
    const text = [w.mailIntro(s.ticketNumber, s.subject), '', ...links.map((l) => `${l.label}: ${l.url}`), '', w.mailOutro].join('\n');
    const html = `<p>${escapeHtml(w.mailIntro(s.ticketNumber, s.subject))}</p><ul>${links.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></li>`).join('')}</ul><p>${escapeHtml(w.mailOutro)}</p>`;
    return { text, html };
  }

  /** Where the customer wrote from last on the ticket (the address they are asked at). */
  async function customerAddress(t: TicketDoc): Promise<string | null> {
    const last = await Message.find({ ticket: t._id, direction: 'inbound' }, { from: 1 }).sort({ receivedAt: -1 }).limit(1).lean();
    return last[0]?.from.address ?? null;
  }

  /** Asks the customer of a resolved ticket, once; again (the same question) when called again for it. */
  async function ask(ticketId: string): Promise<'asked' | 'already' | 'skipped'> {
    const t = await Ticket.findById(ticketId).lean();
    if (!t || t.status !== 'resolved') return 'skipped';
    if (!(CSAT_CHANNELS as readonly string[]).includes(t.channel)) return 'skipped';
    const settings = await deps.settings.csat();
    if (!settings.ask[t.type][t.channel as CsatChannel]) return 'skipped';
    const address = await customerAddress(t);
    if (!address) return 'skipped';
    const _id = surveyId(t._id);
    let survey: CsatSurveyDoc;
    let first = true;
    try {
      const doc = await CsatSurvey.create({
        _id,
        ticket: t._id,
        ticketNumber: t.number,
        contact: t.contact,
        channel: t.channel,
        ticketType: t.type,
        team: t.team,
        agent: t.assignee,
        address,
        nonce: randomBytes(12).toString('base64url'),
        language: t.language,
        subject: t.subject,
        askedAt: now(),
        answer: null,
      });
      survey = doc.toObject<CsatSurveyDoc>();
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await CsatSurvey.findById(_id).lean();
      if (!existing) throw err;
      // Resolved again after a reopen, or a redelivered event: asked already, answered or not.
      if (existing.answer) return 'already';
      survey = existing;
      first = false;
    }
    await send(survey);
    if (first) {
      await tickets.addEvent(t._id, SYSTEM, 'csat', null, 'asked', { code: 'csat.asked', params: { channel: t.channel }, text: `the customer was asked how satisfied they are (${t.channel})` });
      await bus.publish(ticketUpdated(t, ['csat']));
    }
    return first ? 'asked' : 'already';
  }

  async function send(s: CsatSurveyDoc): Promise<void> {
    const w = zh(s.language) ? WORDS.zh : WORDS.en;
    if (s.channel === 'webchat') {
      deps.live('webchat', promptOf(s), 'asked');
      return;
    }
    if (s.channel === 'email') {
      await deps.notify(s.ticket, { key: 'csat', purpose: 'csat', ...emailBody(s) });
      return;
    }
    await deps.notify(s.ticket, { key: 'csat', purpose: 'csat', text: w.sms(s.ticketNumber) });
  }

  /** A care ticket for the team's lead about a low score, linked to the ticket; opened once. */
  async function followUp(t: TicketDoc, score: number, actor: Actor): Promise<void> {
    const opened = await tickets.open({
      origin: `csat-follow-up:${t._id.toString()}`,
      channel: t.channel,
      contact: t.contact,
      subject: careSubject(t.language, 'lowSatisfaction', { number: t.number, score }, t.subject),
      type: 'care',
      priority: 'high',
      language: t.language,
      classification: { source: 'rules', confidence: 1, matched: ['csat'] },
      previousTicket: t._id,
      team: t.team,
      at: now(),
      actor: SYSTEM,
    });
    const f = opened.ticket;
    if (!opened.created) return;
    await tickets.addEvent(f._id, SYSTEM, 'csat', null, 'follow_up', { code: 'csat.follow_up_for', params: { number: String(t.number), score: String(score) }, text: `care follow-up: the customer rated #${t.number} ${score}/5` });
    await tickets.addEvent(t._id, actor, 'csat', null, 'follow_up', { code: 'csat.follow_up_opened', params: { number: String(f.number), score: String(score) }, text: `low score: care follow-up #${f.number} opened for the team lead` });
    const lead = t.team ? await User.findOne({ role: 'supervisor', active: true, teams: t.team }, { _id: 1 }).sort({ createdAt: 1 }).lean() : null;
    if (lead) {
      await deps.assign(f._id.toString(), lead._id.toString(), `low satisfaction (${score}/5) on #${t.number}`);
    } else {
      // No lead in the team: it waits in the team's queue like any new ticket.
      await bus.publish({ type: 'ticket.created', ticketId: f._id.toString(), number: f.number, ticketType: f.type, priority: f.priority, status: f.status, channel: f.channel, contactId: f.contact.toString(), teamId: f.team?.toString() ?? null, at: now().toISOString() });
    }
  }

  /**
   * An answer: from the customer who was asked (`address`; a signed link is its own proof), to a
   * survey that exists, the first one only. `via`: `link`, `chat`, or `sms:<provider id>`.
   */
  async function answer(a: { ticketId: string; score: number; comment?: string; address?: string; nonce?: string; via: string }): Promise<CsatAnswerResult> {
    if (!Number.isInteger(a.score) || a.score < 1 || a.score > 5) return { ok: false, reason: 'invalid' };
    let survey: CsatSurveyDoc | null;
    try {
      survey = await CsatSurvey.findById(surveyId(a.ticketId)).lean();
    } catch {
      return { ok: false, reason: 'not_asked' };
    }
    if (!survey) return { ok: false, reason: 'not_asked' };
    if (a.nonce !== undefined ? a.nonce !== survey.nonce : a.address !== survey.address) return { ok: false, reason: 'not_yours' };
    const at = now();
    try {
      await CsatAnswer.create({ _id: surveyId(a.ticketId), ticket: survey.ticket, score: a.score, via: a.via, at });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return { ok: false, reason: 'already_answered', ticketId: survey.ticket.toString() };
    }
    const comment = (a.comment ?? '').trim().slice(0, 2000);
    await CsatSurvey.updateOne({ _id: survey._id }, { $set: { answer: { score: a.score, comment, at } } });
    await Ticket.updateOne({ _id: survey.ticket }, { $set: { csat: { score: a.score, comment, at, channel: survey.channel } } });
    const t = await Ticket.findById(survey.ticket).lean();
    const customer: Actor = { kind: 'customer', id: survey.contact.toString(), name: survey.address };
    await tickets.addEvent(survey.ticket, customer, 'csat', null, String(a.score), {
      code: comment ? 'csat.answered_comment' : 'csat.answered',
      params: { score: String(a.score), comment, channel: survey.channel },
      text: `the customer rated the help ${a.score}/5${comment ? `: “${comment}”` : ''}`,
    }, at);
    await bus.publish({
      type: 'csat.answered',
      ticketId: survey.ticket.toString(),
      score: a.score,
      channel: survey.channel,
      ticketType: survey.ticketType,
      teamId: survey.team?.toString() ?? null,
      agentId: survey.agent?.toString() ?? null,
      at: at.toISOString(),
    });
    if (t) await bus.publish(ticketUpdated(t, ['csat']));
    if (survey.channel === 'webchat') deps.live('webchat', promptOf(survey), 'answered');
    if (t && a.score <= 2 && (await deps.settings.csat()).lowScoreFollowUp) await followUp(t, a.score, customer);
    return { ok: true, ticketId: survey.ticket.toString() };
  }

  return {
    ask,
    answer,
    links: deps.links,

    /** The survey a link names (for the confirmation page), or null. */
    survey: (ticketId: string) => CsatSurvey.findById(surveyId(ticketId)).lean(),

    /** The question still open for this customer on a live channel (the newest, within two weeks). */
    async pending(channel: ChannelId, address: string): Promise<SurveyPrompt | null> {
      const since = new Date(now().getTime() - 14 * 86_400_000);
      const s = await CsatSurvey.find({ channel, address, askedAt: { $gte: since } }).sort({ askedAt: -1 }).limit(1).lean();
      return s[0] && !s[0].answer ? promptOf(s[0]) : null;
    },

    /**
     * The comment the customer adds on the confirmation page after answering by link: once (a
     * Redis SET NX claims it), and only on a survey that was answered.
     */
    async comment(ticketId: string, nonce: string, text: string): Promise<'saved' | 'already' | 'refused'> {
      const s = await CsatSurvey.findById(surveyId(ticketId)).lean();
      const comment = text.trim().slice(0, 2000);
      if (!s || s.nonce !== nonce || !s.answer || !comment) return 'refused';
      const claimed = await deps.redis.set(`${deps.prefix}:csat:comment:${ticketId}`, '1', 'EX', 90 * 86_400, 'NX');
      if (claimed !== 'OK' || s.answer.comment) return 'already';
      await CsatSurvey.updateOne({ _id: s._id }, { $set: { 'answer.comment': comment } });
      await Ticket.updateOne({ _id: s.ticket }, { $set: { 'csat.comment': comment } });
      await tickets.addEvent(s.ticket, { kind: 'customer', id: s.contact.toString(), name: s.address }, 'csat', null, 'comment', { code: 'csat.comment', params: { comment }, text: `the customer commented on their rating: “${comment}”` });
      const t = await Ticket.findById(s.ticket).lean();
      if (t) await bus.publish(ticketUpdated(t, ['csat']));
      return 'saved';
    },

    /**
     * An inbound SMS that is just a digit 1–5, from a number asked within the window, is its
     * answer and no message of any ticket. Null: an ordinary message. A provider's redelivery of
     * the same SMS answers the same result.
     */
    async intercept(msg: StoredInboundMessage): Promise<IngestResult | null> {
      if (msg.channel !== 'sms') return null;
      const digit = SCORE_ONLY.exec(msg.text)?.[1];
      if (!digit || msg.attachments.length > 0) return null;
      const { smsWindowHours } = await deps.settings.csat();
      const since = new Date(msg.receivedAt.getTime() - smsWindowHours * 3_600_000);
      const latest = (await CsatSurvey.find({ channel: 'sms', address: msg.from.address, askedAt: { $gte: since } }).sort({ askedAt: -1 }).limit(1).lean())[0];
      if (!latest) return null;
      const via = `sms:${msg.externalId}`;
      const messageId = derivedId('csat-sms', msg.externalId).toString();
      if (latest.answer) {
        // The same SMS again (the provider retried): the answer it already was.
        const claim = await CsatAnswer.findById(latest._id).lean();
        return claim?.via === via ? { messageId, ticketId: latest.ticket.toString(), duplicate: true } : null;
      }
      const r = await answer({ ticketId: latest.ticket.toString(), score: Number(digit), address: msg.from.address, via });
      if (!r.ok && r.reason !== 'already_answered') return null;
      return { messageId, ticketId: latest.ticket.toString(), duplicate: !r.ok };
    },
  };
}
export type CsatService = ReturnType<typeof createCsatService>;
