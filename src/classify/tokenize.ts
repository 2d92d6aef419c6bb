/** Text normalisation, language detection and tokenisation for the classifier. */

export type Language = 'zh' | 'en';

/** A Chinese word from Intl.Segmenter with its offset in the normalised text. */
export interface Segment {
  word: string;
  index: number;
}

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2ebef}]/gu;
const LATIN = /[a-z]/gi;
/** Boundaries English phrases may not cross. */
const CLAUSE_BREAK = /[.!?;:,\n\r\u3002\uff01\uff1f\uff1b\uff1a\uff0c()"]+/;
const WORD = /[a-z0-9]+(?:'[a-z]+)*/g;
/** Intensifiers dropped from messages and rule terms alike, so "would really help" matches "would help". */
const FILLERS = new Set(['really', 'very', 'actually', 'truly', 'definitely', 'quite', 'certainly', 'honestly', 'super']);

/** NFKC (full-width → ASCII, "？" → "?"), lower case, typographic apostrophes → "'". */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\u2018\u2019\u02bc`]/g, "'");
}

/** Share of CJK characters among CJK characters and Latin letters (0 when there are none). */
export function cjkShare(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  const latin = text.match(LATIN)?.length ?? 0;
  return cjk + latin === 0 ? 0 : cjk / (cjk + latin);
}

export function detectLanguage(text: string, zhThreshold: number): Language {
  const share = cjkShare(text);
  return share > 0 && share >= zhThreshold ? 'zh' : 'en';
}

/** Word tokens per clause of (normalised) English text, without filler intensifiers. */
export function englishClauses(text: string): string[][] {
  return text
    .split(CLAUSE_BREAK)
    .map((clause) => (clause.match(WORD) ?? []).filter((t) => !FILLERS.has(t)))
    .filter((tokens) => tokens.length > 0);
}

/** Word-like segments of (normalised) Chinese text. */
export function segmentChinese(segmenter: Intl.Segmenter, text: string): Segment[] {
  const out: Segment[] = [];
  for (const s of segmenter.segment(text)) {
    if (s.isWordLike !== false) out.push({ word: s.segment, index: s.index });
  }
  return out;
}
