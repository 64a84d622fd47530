import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../shared/errors.js';
import { addIssues } from '../shared/inputs.js';
import { microsInput } from '../shared/money.js';
import { SLOT_FORMATS, SLOT_POSITIONS, type SlotStatus } from './catalog.js';
import { MS_PER_DAY } from '../shared/time.js';

/** A calendar date `YYYY-MM-DD`. Slots are dated in UTC so every region agrees on "the day". */
export const IsoDate = z
  .string()
  .refine((v) => isIsoDate(v), 'must be a date YYYY-MM-DD')
  .meta({ example: '2025-03-03', format: 'date' });
export type IsoDate = string;

const slotShape = {
  position: z.enum(SLOT_POSITIONS),
  format: z.enum(SLOT_FORMATS),
  committedReads: z.number().int().positive().optional().meta({ description: 'Reads the owner commits to; ad_card only' }),
  priceMicros: microsInput('Price of the slot'),
};

/** What an owner sets when listing a sponsored-post slot; `committedReads` goes with `ad_card` only (validateSlotFields). */
export const SlotFields = z.object(slotShape);
export type SlotFields = z.output<typeof SlotFields>;

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

const WEEKDAY = 'must be an integer from 0 (Sunday) to 6 (Saturday)';

/** What an owner sends to list slots (`POST /v1/accounts/{id}/slots`): one dated slot, or a weekday rule over a date range. */
export const SlotListing = z
  .object({
    publishDate: IsoDate.optional().meta({ description: 'One slot on this date (today or later in the market’s time zone: 400 before)…' }),
    from: IsoDate.optional().meta({ description: '…or a recurring rule: every listed weekday from `from` to `to`' }),
    to: IsoDate.optional().meta({ description: `The rule spans at most ${RECURRENCE_LIMITS.maxRangeDays} days, from and to included` }),
    weekdays: z
      .array(z.number().int(WEEKDAY).min(0, WEEKDAY).max(6, WEEKDAY))
      .min(1, 'must list at least one weekday')
      .max(7)
      .optional()
      .meta({ description: '0 = Sunday … 6 = Saturday' }),
    ...slotShape,
  })
  .superRefine((v, ctx) => {
    const rule = v.from !== undefined || v.to !== undefined || v.weekdays !== undefined;
    if ((v.publishDate === undefined) === !rule) {
      ctx.addIssue({ code: 'custom', path: ['publishDate'], message: 'give either publishDate, or from, to and weekdays' });
    }
    if (rule && v.publishDate === undefined) {
      for (const field of ['from', 'to'] as const)
        if (v[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'must be a date YYYY-MM-DD' });
      if (v.weekdays === undefined) ctx.addIssue({ code: 'custom', path: ['weekdays'], message: 'must list at least one weekday' });
      if (isIsoDate(v.from) && isIsoDate(v.to)) addIssues(ctx, rangeIssues(v.from, v.to));
    }
    addIssues(ctx, validateSlotFields(v));
  });
export type SlotListing = z.output<typeof SlotListing>;

/** An owner's change of a slot (`PATCH /v1/slots/{id}`); the changed slot is checked as a whole (validateSlotFields). */
export const SlotPatch = z.object({ publishDate: IsoDate, ...slotShape, status: z.enum(['open', 'closed']) }).partial();
export type SlotPatch = z.output<typeof SlotPatch>;

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

/** The rule across a slot's fields: `committedReads` goes with ad cards, and they need it (empty when valid). */
export function validateSlotFields(fields: SlotFields, pathPrefix = ''): FieldIssue[] {
  const at = (f: string): string => (pathPrefix ? `${pathPrefix}.${f}` : f);
  if (fields.format === 'ad_card' && fields.committedReads === undefined) {
    return [{ field: at('committedReads'), message: 'an ad_card slot needs a positive integer committedReads' }];
  }
  if (fields.format === 'custom_article' && fields.committedReads !== undefined) {
    return [{ field: at('committedReads'), message: 'only ad_card slots carry committedReads' }];
  }
  return [];
}

/** A rule's range: `to` not before `from`, spanning at most `limits.maxRangeDays` days. */
function rangeIssues(from: IsoDate, to: IsoDate, limits: typeof RECURRENCE_LIMITS = RECURRENCE_LIMITS): FieldIssue[] {
  const days = daysBetween(from, to);
  if (days < 0) return [{ field: 'to', message: 'must not be before from' }];
  if (days + 1 > limits.maxRangeDays) return [{ field: 'to', message: `the rule may span at most ${limits.maxRangeDays} days` }];
  return [];
}

/**
 * Expands a parsed recurring rule into one slot draft per matching weekday between `from` and
 * `to` (UTC dates, both included). Its range is checked before any date is expanded (a
 * ValidationError past `limits.maxRangeDays`), so nothing partial is ever listed.
 */
export function expandRecurrence(rule: RecurrenceRule, limits: typeof RECURRENCE_LIMITS = RECURRENCE_LIMITS): SlotDraft[] {
  const { from, to, weekdays, ...fields } = rule;
  const issues = rangeIssues(from, to, limits);
  if (issues.length > 0) throw new ValidationError('Invalid recurrence rule', issues);

  const wanted = new Set(weekdays);
  const dates = datesInRange(from, to).filter((d) => wanted.has(weekdayOf(d)));
  return dates.map((publishDate) => ({ ...copyFields(fields), publishDate }));
}

function copyFields(fields: SlotFields): SlotFields {
  const { position, format, committedReads, priceMicros } = fields;
  return committedReads === undefined ? { position, format, priceMicros } : { position, format, committedReads, priceMicros };
}
