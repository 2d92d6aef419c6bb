/** Languages a canned response can be written in; empty means any. */
export const CANNED_LOCALES = ['', 'en', 'zh-CN'] as const;
export type CannedLocale = (typeof CANNED_LOCALES)[number];
