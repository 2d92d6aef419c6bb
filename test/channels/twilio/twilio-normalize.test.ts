/**
 * Twilio's incoming-message webhook → the hub's message, as a pure function: the MessageSid is
 * the id, the sender's number is E.164, MMS media are listed, keywords are recognized, and a
 * status callback's state maps to what the agent sees.
 */
import { ChannelRequestError } from '../../../channels/contract';
import { deliveryOf, normalizeSms, smsKeyword, statusReason, toE164 } from '../../../channels/twilio/twilio.normalize';

const at = new Date('2026-12-03T10:00:00Z');
const base = { MessageSid: 'SM0123456789abcdef0123456789abcdef', AccountSid: 'AC0123456789abcdef0123456789abcdef', From: '+8613800138000', To: '+14155550100', Body: 'Hello', NumMedia: '0' };

test('an SMS: MessageSid as externalId, E.164 sender, thread of (our number, theirs), same output for the same input', () => {
  const a = normalizeSms(base, { number: '+14155550100', receivedAt: at });
  expect(a.message).toMatchObject({
    channel: 'sms',
    externalId: base.MessageSid,
    from: { address: '+8613800138000', kind: 'phone' },
    to: [{ address: '+14155550100', kind: 'phone' }],
    text: 'Hello',
    threadRefs: ['sms:+14155550100:+8613800138000'],
    receivedAt: at,
  });
  expect(a.media).toEqual([]);
  expect(a.keyword).toBeNull();
  expect(normalizeSms(base, { number: '+14155550100', receivedAt: at })).toEqual(a);
});

test('numbers are tidied to E.164; short codes stay', () => {
  expect(toE164('+86 138-0013-8000')).toBe('+8613800138000');
  expect(toE164('0086 13800138000')).toBe('+8613800138000');
  expect(toE164('(415) 555')).toBe('(415) 555');
  expect(toE164('12345')).toBe('12345');
});

test('MMS media are listed in order with their types', () => {
  const r = normalizeSms(
    { ...base, NumMedia: '2', MediaUrl0: 'https://api.twilio.com/m0', MediaContentType0: 'image/jpeg', MediaUrl1: 'https://api.twilio.com/m1', MediaContentType1: 'video/mp4' },
    { number: '+14155550100', receivedAt: at },
  );
  expect(r.media).toEqual([
    { url: 'https://api.twilio.com/m0', contentType: 'image/jpeg' },
    { url: 'https://api.twilio.com/m1', contentType: 'video/mp4' },
  ]);
});

test('keywords: STOP, UNSUBSCRIBE, 退订 opt out; START opts in; a type keyword chooses the ticket type', () => {
  for (const w of ['STOP', 'stop', ' Unsubscribe ', '退订', 'STOP.']) expect(smsKeyword(w)).toBe('opt-out');
  expect(smsKeyword('START')).toBe('opt-in');
  expect(smsKeyword('please stop calling me')).toBeNull();
  const stop = normalizeSms({ ...base, Body: '退订' }, { number: '+14155550100', receivedAt: at });
  expect(stop.keyword).toBe('opt-out');
  expect(stop.message.metadata?.smsKeyword).toBe('退订');
  const typed = normalizeSms({ ...base, Body: '投诉：快递员态度很差' }, { number: '+14155550100', receivedAt: at, typeKeywords: { complaint: ['投诉'] } });
  expect(typed.message.chosenType).toBe('complaint');
});

test('a webhook without MessageSid or From is refused naming the field', () => {
  expect(() => normalizeSms({ ...base, MessageSid: '' }, { number: '+14155550100', receivedAt: at })).toThrow(ChannelRequestError);
  try {
    normalizeSms({ ...base, From: '' }, { number: '+14155550100', receivedAt: at });
  } catch (err) {
    expect((err as ChannelRequestError).errors).toEqual([{ field: 'From', message: 'required' }]);
  }
  expect.assertions(2);
});

test('status callbacks: delivered/undelivered/failed map to the delivery status, with the error code in words', () => {
  expect(['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'].map(deliveryOf)).toEqual([null, null, 'sent', 'delivered', 'failed', 'failed']);
  expect(statusReason('undelivered', '30005')).toBe('undelivered: Twilio error 30005 (unknown destination handset)');
  expect(statusReason('failed', '12345')).toBe('failed: Twilio error 12345');
  expect(statusReason('failed', undefined)).toBe('failed');
});
