/**
 * Finds http(s) URLs in plain text, for the widget and the console to show as links. A small
 * tokenizer rather than a library (linkify-it is only here as a dependency of mailparser, and
 * the widget has a size budget). Only `http:` and `https:` URLs written out in full become
 * links; the text around them stays text. Both sides build DOM nodes / elements from the parts,
 * never HTML.
 */
export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/** What every link gets: a new tab, no opener, no referrer, no endorsement. */
export const LINK_REL = 'noopener noreferrer nofollow';

// A URL runs over printable ASCII except characters that cannot appear unescaped in one; it stops
// at whitespace and at anything else (e.g. Chinese text written right after it).
const CANDIDATE = /\bhttps?:\/\/[!#$%&(-;=?-[\]_a-z~]+/gi;
const TRAILING = /[.,;:!?'"*_~-]$/;

function trimEnd(url: string): string {
  let u = url;
  for (;;) {
    if (TRAILING.test(u)) u = u.slice(0, -1);
    else if (u.endsWith(')') && (u.match(/\(/g)?.length ?? 0) < (u.match(/\)/g)?.length ?? 0)) u = u.slice(0, -1);
    else if (u.endsWith(']') && (u.match(/\[/g)?.length ?? 0) < (u.match(/\]/g)?.length ?? 0)) u = u.slice(0, -1);
    else return u;
  }
}

/** The URL as a link target, or null when it is not a usable http(s) URL. */
function href(candidate: string): string | null {
  // A host right after the slashes: the parser would read "https:///x" as the host "x".
  if (!/^https?:\/\/[a-z0-9[]/i.test(candidate)) return null;
  try {
    const u = new URL(candidate);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname ? u.href : null;
  } catch {
    return null;
  }
}

export function textParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(CANDIDATE)) {
    const start = m.index;
    const candidate = trimEnd(m[0]);
    const target = href(candidate);
    if (!target) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: candidate, href: target });
    last = start + candidate.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}
