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
    const level = (list: TermSet): Term[] => uniqueTerms(findHits(doc, list).filter((h) => !negated(h)));
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

function compileLanguage(lang: LanguageRules): { types: TermSet; urgent: TermSet; high: TermSet; low: TermSet } {
  const plain = (list: string[]): TermSet => termSet(list.map((term) => compileTerm(term, 1, null)));
  return {
    types: termSet(TYPES.flatMap((type) => lang.types[type].map((t) => compileTerm(t.term, t.weight, type)))),
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

/**
 * A list of terms with an index by what a match must start with: English terms by their first
 * word (prefix patterns apart), single Chinese characters by the character. A document is then
 * compared with the terms that can start at each position instead of with every term.
 */
interface TermSet {
  list: Term[];
  /** English: term indexes by exact first token. */
  byFirstToken: Map<string, number[]>;
  /** English: terms whose first token is a pattern ("crash*", "*"). */
  patternFirst: number[];
  /** Chinese: single-character terms by their character; longer ones are found with indexOf. */
  singles: Map<string, number[]>;
  longer: number[];
}

function termSet(list: Term[]): TermSet {
  const set: TermSet = { list, byFirstToken: new Map(), patternFirst: [], singles: new Map(), longer: [] };
  const add = (m: Map<string, number[]>, key: string, i: number) => {
    const at = m.get(key);
    if (at) at.push(i);
    else m.set(key, [i]);
  };
  list.forEach((term, i) => {
    const first = term.tokens[0];
    if (first !== undefined) {
      if (first.endsWith('*')) set.patternFirst.push(i);
      else add(set.byFirstToken, first, i);
    }
    if ([...term.term].length > 1) set.longer.push(i);
    else add(set.singles, term.term, i);
  });
  return set;
}

/**
 * All occurrences of the terms in the document (positions: token indexes for English, char
 * offsets for Chinese), ordered by term, then position.
 */
function findHits(doc: Doc, terms: TermSet): Hit[] {
  const found: Array<{ i: number; start: number; end: number }> = [];
  if (doc.language === 'en') {
    const tokens = doc.tokens;
    const matchesAt = (i: number, term: Term): boolean => {
      const n = term.tokens.length;
      if (i + n > tokens.length) return false;
      for (let k = 0; k < n; k++) if (!tokenMatches(tokens[i + k] ?? BREAK, term.tokens[k]!)) return false;
      return true;
    };
    const tryAt = (pos: number, i: number) => {
      const term = terms.list[i]!;
      if (matchesAt(pos, term)) found.push({ i, start: pos, end: pos + term.tokens.length });
    };
    for (let pos = 0; pos < tokens.length; pos++) {
      const token = tokens[pos]!;
      if (token === BREAK) continue;
      for (const i of terms.byFirstToken.get(token) ?? []) tryAt(pos, i);
      for (const i of terms.patternFirst) tryAt(pos, i);
    }
  } else {
    for (const i of terms.longer) {
      const term = terms.list[i]!.term;
      for (let at = doc.text.indexOf(term); at >= 0; at = doc.text.indexOf(term, at + 1)) found.push({ i, start: at, end: at + term.length });
    }
    if (terms.singles.size > 0) {
      // A single character only counts as a whole word ("慢" in "太|慢|了", not inside "慢慢来").
      for (const seg of doc.segments) {
        for (const i of terms.singles.get(seg.word) ?? []) found.push({ i, start: seg.index, end: seg.index + seg.word.length });
      }
    }
  }
  found.sort((a, b) => a.i - b.i || a.start - b.start);
  return found.map((f) => ({ term: terms.list[f.i]!, start: f.start, end: f.end }));
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
