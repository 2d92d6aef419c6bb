import i18next from 'i18next';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, type Messages } from './en';
import { zhCN } from './zh-CN';

export const LANGS = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_NAMES: Record<Lang, string> = { en: 'English', 'zh-CN': '简体中文' };

/** Every key of the tables, as `group.key` (typos are compile errors). */
type Paths<T> = { [K in keyof T & string]: T[K] extends string ? K : `${K}.${Paths<T[K]>}` }[keyof T & string];
export type MsgKey = Paths<Messages>;
export type Translate = (key: MsgKey, vars?: Record<string, string | number>) => string;

const i18n = i18next.createInstance();
void i18n.init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...LANGS],
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

const STORAGE_KEY = 'omnihub.console.lang';

export const isLang = (v: unknown): v is Lang => v === 'en' || v === 'zh-CN';

/** The language the agent picked here before, if any. */
export function chosenLang(): Lang | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return isLang(v) ? v : null;
  } catch {
    return null;
  }
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* private mode: not remembered */
  }
}

/** The agent's own choice, else the account's locale, else the browser's language. */
export function initialLang(userLocale?: string | null): Lang {
  const chosen = chosenLang();
  if (chosen) return chosen;
  if (isLang(userLocale)) return userLocale;
  const browser = typeof navigator !== 'undefined' ? [...(navigator.languages ?? []), navigator.language] : [];
  for (const l of browser) {
    if (!l) continue;
    if (/^zh\b/i.test(l)) return 'zh-CN';
    if (/^en\b/i.test(l)) return 'en';
  }
  return 'en';
}

export function translator(lang: Lang): Translate {
  const t = i18n.getFixedT(lang);
  return (key, vars) => t(key, vars ?? {});
}

export interface I18n {
  lang: Lang;
  t: Translate;
  setLang(lang: Lang): void;
}

export const I18nContext = createContext<I18n>({ lang: 'en', t: translator('en'), setLang: () => undefined });
export const useI18n = (): I18n => useContext(I18nContext);
