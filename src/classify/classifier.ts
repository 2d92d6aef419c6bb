/**
 * Rule-based ticket classification (type, priority, language) for Chinese and English.
 *
 * Evidence = weighted rule terms found in subject + text. Overlapping matches keep the
 * longest term; a negated term (e.g. "not helpful", "不满意") is ignored for negatable
 * types. The type with most evidence wins; the customer's explicit choice wins over it.
 */
import type { Priority, TicketType } from '../../channels/contract';
import type { ClassificationRules, LanguageRules } from '../../config/classification.rules';
import { detectLanguage, englishClauses, normalize, segmentChinese, type Language, type Segment } from './tokenize';

export interface ClassifyInput {
  text: string;
  subject?: string;
  chosenType?: TicketType;
}

export interface Classification {
  type: TicketType;
  priority: Priority;
  language: Language;
  source: 'customer' | 'rules';
  /** In [0,1]; 1 when the customer chose the type. */
  confidence: number;
  /** Rule terms that fired (type evidence first, then priority signals). */
  matched: string[];
}

export interface Classifier {
  classify(input: ClassifyInput): Classification;
}

export type { Language };

/** Only this much of a message is examined; classification needs the opening, not a 200 kB thread. */
const MAX_CHARS = 20_000;
const TYPES: readonly TicketType[] = ['complaint', 'suggestion', 'care'];
/** Sentinel between English clauses; never produced by the tokenizer, so phrases cannot span clauses. */
const BREAK = '|';

interface Term {
  term: string;
  weight: number;
  type: TicketType | null;
  /** English: word tokens ("crash*" = prefix); Chinese: unused. */
  tokens: string[];
}

interface Hit {
  term: Term;
  start: number;
  end: number;
}

interface Doc {
  language: Language;
  text: string;
  tokens: string[];
  segments: Segment[];
}

export function createClassifier(rules: ClassificationRules): Classifier {
  const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
  const compiled = {
    en: compileLanguage(rules.languages.en),
    zh: compileLanguage(rules.languages.zh),
  };

  function classify(input: ClassifyInput): Classification {
    const raw = [input.subject, input.text].filter((s): s is string => !!s && s.trim() !== '').join('\n');
    const text = normalize(raw.slice(0, MAX_CHARS));
    const language = detectLanguage(text, rules.zhThreshold);
    const lang = rules.languages[language];
    const terms = compiled[language];
    const doc: Doc = {
      language,
      text,
      tokens: language === 'en' ? englishClauses(text).flatMap((c) => [...c, BREAK]) : [],
      segments: language === 'zh' ? segmentChinese(segmenter, text) : [],
    };
    const negated = (hit: Hit): boolean => isNegated(doc, hit.start, lang.negators);

    // Type evidence: longest non-overlapping, non-negated matches; each distinct term counts once.
    const negatable = new Set<TicketType>(lang.negatableTypes);
    const candidates = findHits(doc, terms.types).filter(
      (h) => h.term.type === null || !negatable.has(h.term.type) || !negated(h),
    );
    const typeHits = uniqueTerms(longestNonOverlapping(candidates));
    const scores: Record<TicketType, number> = { complaint: 0, suggestion: 0, care: 0 };
    for (const t of typeHits) if (t.type) scores[t.type] += t.weight;
    const matched = typeHits.map((t) => t.term);
    if (lang.questionWeight > 0 && text.includes('?')) {
      scores.care += lang.questionWeight;
      matched.push('?');
    }

    const ruled = pickType(scores, rules);
    const type = input.chosenType ?? ruled.type;

    // Priority signals.
    const level = (list: Term[]): Term[] => uniqueTerms(findHits(doc, list).filter((h) => !negated(h)));
    const urgent = level(terms.urgent);
    const high = level(terms.high);
    const low = level(terms.low);
    const exclamations = (text.match(/!/g) ?? []).length;
    const shouting = rules.exclamationsForHigh > 0 && type === 'complaint' && exclamations >= rules.exclamationsForHigh;
    let priority: Priority = rules.defaultPriority[type];
    let signals: Term[] = [];
    if (urgent.length > 0) [priority, signals] = ['urgent', urgent];
    else if (high.length > 0 || shouting) [priority, signals] = ['high', high];
    else if (low.length > 0 && type !== 'complaint') [priority, signals] = ['low', low];
    for (const s of signals) if (!matched.includes(s.term)) matched.push(s.term);

    return {
      type,
      priority,
      language,
      source: input.chosenType ? 'customer' : 'rules',
      confidence: input.chosenType ? 1 : ruled.confidence,
      matched,
    };
  }

  return { classify };
}

function compileLanguage(lang: LanguageRules): { types: Term[]; urgent: Term[]; high: Term[]; low: Term[] } {
  const plain = (list: string[]): Term[] => list.map((term) => compileTerm(term, 1, null));
  return {
    types: TYPES.flatMap((type) => lang.types[type].map((t) => compileTerm(t.term, t.weight, type))),
    urgent: plain(lang.priority.urgent),
    high: plain(lang.priority.high),
    low: plain(lang.priority.low),
  };
}

function compileTerm(term: string, weight: number, type: TicketType | null): Term {
  const norm = normalize(term.trim());
  const tokens = englishClauses(norm.replace(/\*/g, 'wildcard')).flat().map((t) => t.replace(/wildcard$/, '*'));
  return { term: norm, weight, type, tokens };
}

/** All occurrences of the terms in the document (positions: token indexes for English, char offsets for Chinese). */
function findHits(doc: Doc, terms: Term[]): Hit[] {
  const hits: Hit[] = [];
  for (const term of terms) {
    if (doc.language === 'en') {
      const n = term.tokens.length;
      if (n === 0) continue;
      for (let i = 0; i + n <= doc.tokens.length; i++) {
        if (term.tokens.every((t, k) => tokenMatches(doc.tokens[i + k] ?? BREAK, t))) {
          hits.push({ term, start: i, end: i + n });
        }
      }
    } else if ([...term.term].length > 1) {
      for (let i = doc.text.indexOf(term.term); i >= 0; i = doc.text.indexOf(term.term, i + 1)) {
        hits.push({ term, start: i, end: i + term.term.length });
      }
    } else {
      // A single character only counts as a whole word ("慢" in "太|慢|了", not inside "慢慢来").
      for (const s of doc.segments) {
        if (s.word === term.term) hits.push({ term, start: s.index, end: s.index + s.word.length });
      }
    }
  }
  return hits;
}

function tokenMatches(token: string, pattern: string): boolean {
  if (token === BREAK) return false;
  if (pattern === '*') return true;
  return pattern.endsWith('*') ? token.startsWith(pattern.slice(0, -1)) : token === pattern;
}

function isNegated(doc: Doc, start: number, negators: string[]): boolean {
  if (doc.language === 'en') {
    const prev = doc.tokens[start - 1];
    return prev !== undefined && negators.includes(prev);
  }
  return negators.some((n) => start >= n.length && doc.text.startsWith(n, start - n.length));
}

/** Greedy maximal munch: longer matches first (then heavier), dropping anything overlapping a kept match. */
function longestNonOverlapping(hits: Hit[]): Hit[] {
  const sorted = [...hits].sort((a, b) => b.end - b.start - (a.end - a.start) || b.term.weight - a.term.weight);
  const kept: Hit[] = [];
  for (const h of sorted) {
    if (!kept.some((k) => h.start < k.end && k.start < h.end)) kept.push(h);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function uniqueTerms(hits: Hit[]): Term[] {
  const seen = new Map<string, Term>();
  for (const h of hits) if (!seen.has(h.term.term)) seen.set(h.term.term, h.term);
  return [...seen.values()];
}

/**
 * Best-scoring type (ties: complaint, then suggestion, then care). Confidence grows with
 * the winner's share of all evidence and with the amount of evidence, from the fallback
 * confidence up to at most 0.99 (1 is reserved for the customer's own choice).
 */
function pickType(scores: Record<TicketType, number>, rules: ClassificationRules): { type: TicketType; confidence: number } {
  const total = TYPES.reduce((sum, t) => sum + scores[t], 0);
  if (total <= 0) return { ...rules.fallback };
  const type = TYPES.reduce((best, t) => (scores[t] > scores[best] ? t : best));
  const best = scores[type];
  const share = best / total;
  const strength = best / (best + 3);
  const floor = rules.fallback.confidence;
  const confidence = floor + (0.99 - floor) * share * strength;
  return { type, confidence: Math.round(confidence * 100) / 100 };
}
