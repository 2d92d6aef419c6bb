import { careSubject, tierName } from '../../src/care/care-texts';

test("subjects of hub-opened tickets follow the customer's language, English otherwise", () => {
  expect(careSubject('zh-CN', 'lowSatisfaction', { number: 12, score: 2 }, '水壶坏了')).toBe('#12 满意度低（2/5）：水壶坏了');
  expect(careSubject('zh', 'tierDrop', { who: '王丽', from: tierName('zh', 'gold'), to: tierName('zh', 'silver') })).toBe('主动关怀：王丽 从黄金降到白银');
  expect(careSubject('en', 'complaintFollowUp', { number: 7 }, 'Parcel damaged')).toBe('Follow-up on complaint #7: Parcel damaged');
  expect(careSubject('', 'declining', { who: 'Ann' })).toBe('Proactive care: Ann is buying less (declining)');
  expect(careSubject('fr', 'tierDrop', { who: 'Zoé', from: tierName('fr', 'platinum'), to: tierName('fr', 'bronze') })).toBe('Proactive care: Zoé dropped from Platinum to Bronze');
  expect(careSubject('en', 'complaintFollowUp', { number: 7 }, 'x'.repeat(300))).toHaveLength(200);
});
