import type { Lang } from './i18n/index';

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "5 min ago", "in 2 hr" (in the console's language). */
export function relativeTime(iso: string | null | undefined, lang: Lang, now = Date.now()): string {
  if (!iso) return '';
  let diff = new Date(iso).getTime() - now;
  // Clocks differ a little between machines: a moment "in the future" is now.
  if (diff > 0 && diff < 60_000) diff = 0;
  const fmt = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'short' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'second') return fmt.format(Math.round(diff / ms), unit);
  }
  return '';
}

/** "3 min", "2 hr" — a length of time without direction. */
export function duration(ms: number, lang: Lang): string {
  const abs = Math.abs(ms);
  const [unit, size] = abs >= 86_400_000 ? ['day', 86_400_000] : abs >= 3_600_000 ? ['hour', 3_600_000] : abs >= 60_000 ? ['minute', 60_000] : ['second', 1000];
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 0 }).format(Math.max(1, Math.round(abs / size)));
}

export function dateTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** Time only for today, date and time otherwise. */
export function shortTime(iso: string | null | undefined, lang: Lang, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  const today = d.toDateString() === now.toDateString();
  return new Intl.DateTimeFormat(lang, today ? { timeStyle: 'short' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d);
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const isMac = (): boolean => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const sendKeys = (): string => (isMac() ? '⌘+Enter' : 'Ctrl+Enter');

const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\bOPR\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/\b(?:Headless)?Chrome\/(\d+)|\bCriOS\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/\bWindows NT\b/, 'Windows'],
  [/\bAndroid\b/, 'Android'],
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** A short browser name from a User-Agent header: "Chrome 131 · Windows"; null when it names none we know. */
export function browserName(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  const found = BROWSERS.map(([re, name]) => [re.exec(userAgent), name] as const).find(([m]) => m);
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (!found) return system ?? null;
  const [m, name] = found;
  const version = m?.[1] ?? m?.[2];
  return [version ? `${name} ${version}` : name, system].filter(Boolean).join(' · ');
}

/** A page address without its query and fragment, for showing ("example.com/pricing"). */
export function pageLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url;
  }
}
