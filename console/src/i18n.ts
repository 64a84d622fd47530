/** The console's language: English or Simplified Chinese, switchable and remembered in localStorage. */
import { createContext, useContext } from 'react';
import { en, zh, type MessageKey } from './messages';

export type { MessageKey };

export type Lang = 'en' | 'zh-CN';
const LANG_KEY = 'placard.lang';

export function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function rememberLang(lang: Lang): void {
  localStorage.setItem(LANG_KEY, lang);
}

export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): T {
  const table = lang === 'zh-CN' ? zh : en;
  return (key, vars) => {
    const text = table[key];
    return vars ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? '')) : text;
  };
}

/** A key built from an enum value, e.g. `label(t, 'cat_', account.category)`. */
export function label(t: T, prefix: string, value: string): string {
  return t(`${prefix}${value}` as MessageKey);
}

export const LangContext = createContext<{ lang: Lang; t: T; setLang: (lang: Lang) => void }>({
  lang: 'en',
  t: translator('en'),
  setLang: () => undefined,
});

export function useI18n() {
  return useContext(LangContext);
}
