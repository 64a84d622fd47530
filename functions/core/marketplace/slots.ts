import { ValidationError, type FieldIssue } from '../shared/errors.js';
import { isMicros } from '../shared/money.js';
import { SLOT_FORMATS, SLOT_POSITIONS, isOneOf, type SlotFormat, type SlotPosition, type SlotStatus } from './catalog.js';
import { MS_PER_DAY } from '../shared/time.js';

/** A calendar date `YYYY-MM-DD`. Slots are dated in UTC so every region agrees on "the day". */
export type IsoDate = string;

/** What an owner sets when listing a sponsored-post slot. */
export interface SlotFields {
  position: SlotPosition;
  format: SlotFormat;
  /** Reads the owner commits to; required for `ad_card`, absent for `custom_article`. */
  committedReads?: number;
  priceMicros: number;
}

export interface SlotDraft extends SlotFields {
  publishDate: IsoDate;
}

export interface Slot extends SlotDraft {
  id: string;
  accountId: string;
  status: SlotStatus;
}

export const RECURRENCE_LIMITS = {
  /**
   * Longest range one rule may span, both ends included: at most a year of daily slots, as
   * bigger lists are almost always a typo. Checked before any date is expanded, so a rule over
   * centuries costs no more to refuse than one over a week.
   */
  maxRangeDays: 366,
};

export interface RecurrenceRule extends SlotFields {
  from: IsoDate;
  to: IsoDate;
  /** Days of the week to create slots on: 0 = Sunday … 6 = Saturday (as `Date#getUTCDay`). */
  weekdays: readonly number[];
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_PER_WEEK = 7;

/** True for a real calendar date in `YYYY-MM-DD` form (rejects 2024-02-30). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return formatIsoDate(new Date(ms)) === value;
}

/** Days since 1970-01-01 (UTC); throws on a malformed date, which is a programming error here. */
export function toEpochDay(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`Not a YYYY-MM-DD date: ${date}`);
  return Math.round(Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY);
}

export function fromEpochDay(day: number): IsoDate {
  return formatIsoDate(new Date(day * MS_PER_DAY));
}

/** The calendar date of an instant in an IANA time zone. */
export function localDate(instant: Date, timeZone: string): IsoDate {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** A slot dated before `today` is past: it cannot be listed, booked or shown as open. */
export const isPast = (publishDate: IsoDate, today: IsoDate): boolean => publishDate < today;

/** Refuses (400, naming `field`) a slot date before `today` in the market's time zone: a past slot can never run. */
export function assertNotPast(field: string, date: IsoDate, today: IsoDate, timeZone: string): void {
  if (isPast(date, today))
    throw new ValidationError('Slots cannot be dated in the past', [{ field, message: `must be today (${today} in ${timeZone}) or later` }]);
}

/** The UTC calendar date of an instant. */
export function formatIsoDate(instant: Date): IsoDate {
  return instant.toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: IsoDate): number {
  // 1970-01-01 was a Thursday (4).
  const thursday = 4;
  return (((toEpochDay(date) + thursday) % DAYS_PER_WEEK) + DAYS_PER_WEEK) % DAYS_PER_WEEK;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

/** Every date from `from` to `to`, both included; empty when `to` is before `from`. */
export function datesInRange(from: IsoDate, to: IsoDate): IsoDate[] {
  const start = toEpochDay(from);
  const end = toEpochDay(to);
  const out: IsoDate[] = [];
  for (let d = start; d <= end; d++) out.push(fromEpochDay(d));
  return out;
}

/** Problems with the owner-set fields of a slot (empty when valid). */
export function validateSlotFields(fields: SlotFields, pathPrefix = ''): FieldIssue[] {
  const at = (f: string): string => (pathPrefix ? `${pathPrefix}.${f}` : f);
  const issues: FieldIssue[] = [];
  if (!isOneOf(SLOT_POSITIONS, fields.position)) {
    issues.push({ field: at('position'), message: `must be one of ${SLOT_POSITIONS.join(', ')}` });
  }
  if (!isOneOf(SLOT_FORMATS, fields.format)) {
    issues.push({ field: at('format'), message: `must be one of ${SLOT_FORMATS.join(', ')}` });
  }
  if (!isMicros(fields.priceMicros) || fields.priceMicros === 0) {
    issues.push({ field: at('priceMicros'), message: 'must be a positive integer number of micros' });
  }
  if (fields.format === 'ad_card') {
    const reads = fields.committedReads;
    if (reads === undefined || !Number.isSafeInteger(reads) || reads <= 0) {
      issues.push({ field: at('committedReads'), message: 'an ad_card slot needs a positive integer committedReads' });
    }
  } else if (fields.format === 'custom_article' && fields.committedReads !== undefined) {
    issues.push({ field: at('committedReads'), message: 'only ad_card slots carry committedReads' });
  }
  return issues;
}

/**
 * Expands a recurring rule into one slot draft per matching weekday between `from` and `to`
 * (UTC dates, both included). Throws a ValidationError listing every problem, including a rule
 * spanning more than `limits.maxRangeDays` days, so nothing partial is ever listed.
 */
export function expandRecurrence(rule: RecurrenceRule, limits: typeof RECURRENCE_LIMITS = RECURRENCE_LIMITS): SlotDraft[] {
  const { from, to, weekdays, ...fields } = rule;
  const issues: FieldIssue[] = [];
  if (!isIsoDate(from)) issues.push({ field: 'from', message: 'must be a date YYYY-MM-DD' });
  if (!isIsoDate(to)) issues.push({ field: 'to', message: 'must be a date YYYY-MM-DD' });
  if (issues.length === 0) {
    const days = daysBetween(from, to);
    if (days < 0) issues.push({ field: 'to', message: 'must not be before from' });
    else if (days + 1 > limits.maxRangeDays) issues.push({ field: 'to', message: `the rule may span at most ${limits.maxRangeDays} days` });
  }
  if (weekdays.length === 0) {
    issues.push({ field: 'weekdays', message: 'must list at least one weekday' });
  }
  weekdays.forEach((w, i) => {
    if (!Number.isInteger(w) || w < 0 || w >= DAYS_PER_WEEK) {
      issues.push({ field: `weekdays.${i}`, message: 'must be an integer from 0 (Sunday) to 6 (Saturday)' });
    }
  });
  issues.push(...validateSlotFields(fields));
  if (issues.length > 0) throw new ValidationError('Invalid recurrence rule', issues);

  const wanted = new Set(weekdays);
  const dates = datesInRange(from, to).filter((d) => wanted.has(weekdayOf(d)));
  return dates.map((publishDate) => ({ ...copyFields(fields), publishDate }));
}

function copyFields(fields: SlotFields): SlotFields {
  const { position, format, committedReads, priceMicros } = fields;
  return committedReads === undefined ? { position, format, priceMicros } : { position, format, committedReads, priceMicros };
}
