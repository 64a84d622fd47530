/** Money from integer micros in the deployment's currency, dates in the viewer's own zone. */
import type { Lang } from './i18n';

export function money(micros: number, currency: string, lang: Lang): string {
  return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(micros / 1_000_000);
}

/** "12.5" → 12 500 000 micros, exactly (no floating point); null when it is not an amount. */
export function parseMoney(text: string): number | null {
  const match = /^\s*(\d+)(?:[.,](\d{0,6}))?\s*$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

export function dateTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A calendar date (YYYY-MM-DD) as the viewer's locale writes it; it names a day, so no zone shift. */
export function day(isoDate: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`));
}

export function num(n: number, lang: Lang): string {
  return new Intl.NumberFormat(lang).format(n);
}

export function percent(share: number, lang: Lang): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

/** Today in the viewer's zone, as YYYY-MM-DD. */
export function today(offsetDays = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
