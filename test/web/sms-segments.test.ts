/** The SMS segment count the composer shows before an SMS reply is sent (GSM-7 160/153, UCS-2 70/67). */
import { smsSegments } from '../../web/common/sms-segments';

test('GSM-7: 160 characters fit one segment, 161 take two of 153', () => {
  expect(smsSegments('')).toMatchObject({ segments: 0 });
  expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1, perSegment: 160 });
  expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2, perSegment: 153 });
  expect(smsSegments('a'.repeat(306))).toMatchObject({ segments: 2 });
  expect(smsSegments('a'.repeat(307))).toMatchObject({ segments: 3 });
});

test('extension characters count twice; accented letters of the GSM alphabet stay GSM-7', () => {
  expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1, perSegment: 160 });
  expect(smsSegments(`${'a'.repeat(159)}[`)).toMatchObject({ encoding: 'GSM-7', units: 161, segments: 2 });
  expect(smsSegments('Café à Zürich, señor')).toMatchObject({ encoding: 'GSM-7', segments: 1 });
});

test('UCS-2 for Chinese and emoji: 70 fit one segment, then 67 per segment; an emoji is two units', () => {
  expect(smsSegments('您'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1, perSegment: 70 });
  expect(smsSegments('您'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2, perSegment: 67 });
  expect(smsSegments('您'.repeat(135))).toMatchObject({ segments: 3 });
  expect(smsSegments('ok 👍')).toMatchObject({ encoding: 'UCS-2', units: 5, segments: 1 });
  // One non-GSM character turns the whole text UCS-2.
  expect(smsSegments(`${'a'.repeat(100)}ç`)).toMatchObject({ encoding: 'UCS-2', segments: 2 });
});
