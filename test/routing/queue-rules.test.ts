import { BAND_WIDTH, queueScore, raisePriority, scoreWaitingSince } from '../../src/routing/queue.score';
import { DEFAULT_QUEUE_RULES, selectQueue, type QueueRules } from '../../src/routing/queue.selector';
import type { TicketFacts } from '../../src/routing/routing.types';
import { estimateWaitMs } from '../../src/routing/wait.estimator';

const facts = (o: Partial<TicketFacts> = {}): TicketFacts => ({ channel: 'email', type: 'care', priority: 'normal', language: 'en', tier: 'none', text: '', ...o });

describe('queue score', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');
  it('orders priority over tier over waiting time', () => {
    const sorted = [
      ['urgent-none-new', queueScore('urgent', 'none', now)],
      ['high-platinum-old', queueScore('high', 'platinum', now - 86_400_000)],
      ['normal-gold-new', queueScore('normal', 'gold', now)],
      ['normal-gold-old', queueScore('normal', 'gold', now - 1)],
      ['normal-silver-ancient', queueScore('normal', 'silver', 0)],
      ['low-platinum', queueScore('low', 'platinum', now)],
    ] as const;
    const order = [...sorted].sort((a, b) => a[1] - b[1]).map(([n]) => n);
    expect(order).toEqual(['urgent-none-new', 'high-platinum-old', 'normal-gold-old', 'normal-gold-new', 'normal-silver-ancient', 'low-platinum']);
  });
  it('is an exact integer that keeps the waiting time', () => {
    const s = queueScore('low', 'none', now);
    expect(Number.isSafeInteger(s)).toBe(true);
    expect(scoreWaitingSince(s)).toBe(now);
    expect(queueScore('low', 'none', BAND_WIDTH - 1)).toBeLessThan(Number.MAX_SAFE_INTEGER);
    expect(() => queueScore('low', 'none', BAND_WIDTH)).toThrow(RangeError);
  });
  it('raises priority one step at a time, up to urgent', () => {
    expect(['low', 'normal', 'high', 'urgent'].map((p) => raisePriority(p as 'low'))).toEqual(['normal', 'high', 'urgent', 'urgent']);
  });
});

describe('selectQueue', () => {
  const rules: QueueRules = {
    rules: [
      { id: 'zh-chat', channels: ['webchat', 'voice'], languages: ['zh'], teamId: 'zh-live', requiredSkills: ['mandarin'] },
      { id: 'vip-complaint', types: ['complaint'], tiers: ['platinum', 'gold'], teamId: 'vip', requiredSkills: ['complaints'] },
      { id: 'refunds', keywords: ['refund', '退款'], teamId: 'billing', requiredSkills: ['billing'] },
      { id: 'urgent-fax', channels: ['fax'], priorities: ['urgent'], teamId: 'backoffice' },
    ],
    fallback: { teamId: 'general' },
  };

  it('first matching rule wins; every present condition must hold', () => {
    expect(selectQueue(facts({ channel: 'webchat', language: 'zh-CN', text: 'refund please' }), rules)).toEqual({ teamId: 'zh-live', requiredSkills: ['mandarin'], ruleId: 'zh-chat' });
    expect(selectQueue(facts({ channel: 'email', language: 'zh', text: '我要退款' }), rules)).toEqual({ teamId: 'billing', requiredSkills: ['billing'], ruleId: 'refunds' });
    expect(selectQueue(facts({ type: 'complaint', tier: 'gold', text: 'Refund!' }), rules).teamId).toBe('vip');
    expect(selectQueue(facts({ type: 'complaint', tier: 'silver', text: 'REFUND now' }), rules).teamId).toBe('billing');
    expect(selectQueue(facts({ channel: 'fax', priority: 'urgent' }), rules).teamId).toBe('backoffice');
    expect(selectQueue(facts({ channel: 'fax', priority: 'high' }), rules)).toEqual({ teamId: 'general', requiredSkills: [], ruleId: 'fallback' });
  });

  it('has defaults the caller can replace', () => {
    expect(selectQueue(facts({ tier: 'platinum' })).teamId).toBe('vip');
    expect(selectQueue(facts({ text: 'Where is my invoice?' }))).toEqual({ teamId: 'support', requiredSkills: ['billing'], ruleId: 'billing' });
    expect(selectQueue(facts()).ruleId).toBe('fallback');
    expect(DEFAULT_QUEUE_RULES.fallback.teamId).toBe('support');
  });
});

describe('expected wait', () => {
  it('position × handle time / online capacity; median of samples once there are enough', () => {
    expect(estimateWaitMs({ position: 4, onlineCapacity: 2, handleSamplesMs: [], defaultHandleMs: 1000 })).toBe(2000);
    expect(estimateWaitMs({ position: 4, onlineCapacity: 2, handleSamplesMs: [100, 100, 100, 100, 100_000], defaultHandleMs: 1000 })).toBe(200);
    expect(estimateWaitMs({ position: 1, onlineCapacity: 0, handleSamplesMs: [], defaultHandleMs: 1000 })).toBeNull();
    expect(estimateWaitMs({ position: 0, onlineCapacity: 0, handleSamplesMs: [], defaultHandleMs: 1000 })).toBe(0);
  });
});
