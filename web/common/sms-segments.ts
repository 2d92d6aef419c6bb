/**
 * How many SMS segments a text takes, by the rules carriers (and Twilio) apply: GSM-7 when every
 * character is in the GSM 03.38 alphabet (160 per message, 153 per part of a longer one; the
 * extension characters ^{}\[~]|€ take two), otherwise UCS-2 (70, then 67 per part, counted in
 * UTF-16 code units, so an emoji takes two). Twilio splits the text; the console shows the count.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

export interface SmsSegments {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as the encoding counts them (GSM-7 septets, UCS-2 code units). */
  units: number;
  segments: number;
  /** Units per segment for this length (160/153 or 70/67). */
  perSegment: number;
}

export function smsSegments(text: string): SmsSegments {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (BASIC.has(ch)) septets += 1;
    else if (EXTENSION.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  const [units, single, multi] = gsm ? [septets, 160, 153] : [text.length, 70, 67];
  if (units === 0) return { encoding: gsm ? 'GSM-7' : 'UCS-2', units: 0, segments: 0, perSegment: single };
  const segments = units <= single ? 1 : Math.ceil(units / multi);
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments, perSegment: segments === 1 ? single : multi };
}
