import { MS_PER_SECOND } from '../shared/time.js';

/**
 * Even daily pacing and schedules, in the campaign's own time zone.
 *
 * Pacing: by a fraction f of the local day, a campaign may have spent dailyBudget × f, plus a
 * short look-ahead so that a campaign at the very start of its day (or just after a win) is not
 * shut out for lack of a few micros. A campaign at or above that line is throttled:
 * - `even`: serve iff spent < allowed. Deterministic; spend follows the line in small steps.
 * - `probabilistic`: serve with probability (allowed − spent) / look-ahead budget, capped at 1,
 *   drawn from the injected random source, so that spend near the line is spread over requests
 *   instead of going to whichever request comes first.
 *
 * Local days come from Intl (tz database), so DST days of 23 or 25 hours pace over their real
 * length. Formatters are cached per zone: creating one costs far more than using it.
 */

export const PACING_OPTIONS = {
  /** How far ahead of the even line a campaign may spend, as a span of the day. */
  lookAheadMs: 2 * 60 * MS_PER_SECOND,
  mode: 'even' as PacingMode,
};

export type PacingMode = 'even' | 'probabilistic';
export type PacingOptions = typeof PACING_OPTIONS;

export interface LocalTime {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** 0–23. */
  hour: number;
  minute: number;
  second: number;
}

export interface DayPosition {
  /** Epoch ms of the local day's first instant. */
  dayStartMs: number;
  /** Epoch ms of the next local day's first instant. */
  dayEndMs: number;
  elapsedMs: number;
  /** elapsed ÷ day length, in [0, 1). */
  fraction: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // Throws RangeError for an unknown zone: a campaign with a bad zone is a data error.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time in `timeZone` at the instant `epochMs`. */
export function localTime(epochMs: number, timeZone: string): LocalTime {
  const t: LocalTime = { year: 0, month: 0, day: 0, weekday: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(epochMs)) {
    switch (part.type) {
      case 'year':
        t.year = Number(part.value);
        break;
      case 'month':
        t.month = Number(part.value);
        break;
      case 'day':
        t.day = Number(part.value);
        break;
      case 'weekday':
        t.weekday = WEEKDAYS[part.value] ?? 0;
        break;
      case 'hour':
        t.hour = Number(part.value);
        break;
      case 'minute':
        t.minute = Number(part.value);
        break;
      case 'second':
        t.second = Number(part.value);
        break;
      default:
        break;
    }
  }
  return t;
}

/** The zone's offset from UTC at an instant, in ms (whole seconds: sub-second offsets do not exist since 1972). */
function offsetMs(epochMs: number, timeZone: string): number {
  const t = localTime(epochMs, timeZone);
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return wall - Math.floor(epochMs / MS_PER_SECOND) * MS_PER_SECOND;
}

/**
 * The instant a local wall-clock time (given as if it were UTC) happens. Two passes settle the
 * offset across a DST change; a wall time that a spring-forward skips resolves to just after it.
 */
function instantOf(wallAsUtcMs: number, timeZone: string): number {
  const first = wallAsUtcMs - offsetMs(wallAsUtcMs, timeZone);
  return wallAsUtcMs - offsetMs(first, timeZone);
}

/** Where `now` falls in its local day in `timeZone`. */
export function dayPosition(now: Date | number, timeZone: string): DayPosition {
  const epochMs = typeof now === 'number' ? now : now.getTime();
  const t = localTime(epochMs, timeZone);
  const dayStartMs = instantOf(Date.UTC(t.year, t.month - 1, t.day), timeZone);
  const dayEndMs = instantOf(Date.UTC(t.year, t.month - 1, t.day + 1), timeZone);
  const elapsedMs = epochMs - dayStartMs;
  return { dayStartMs, dayEndMs, elapsedMs, fraction: elapsedMs / (dayEndMs - dayStartMs) };
}

export interface PacingInput {
  dailyBudgetMicros: number;
  spentTodayMicros: number;
  day: DayPosition;
}

/** What the campaign may have spent by now: the even line plus the look-ahead, never above the budget. */
export function allowedSpendMicros(input: PacingInput, options: Partial<PacingOptions> = {}): number {
  const { lookAheadMs } = { ...PACING_OPTIONS, ...options };
  const dayMs = input.day.dayEndMs - input.day.dayStartMs;
  const fraction = Math.min(1, (input.day.elapsedMs + lookAheadMs) / dayMs);
  return Math.floor(input.dailyBudgetMicros * fraction);
}

/** Whether pacing lets the campaign take this request. `random` is only drawn in probabilistic mode. */
export function shouldServe(input: PacingInput, random: () => number, options: Partial<PacingOptions> = {}): boolean {
  const opts = { ...PACING_OPTIONS, ...options };
  const headroom = allowedSpendMicros(input, opts) - input.spentTodayMicros;
  if (headroom <= 0) return false;
  if (opts.mode === 'even') return true;
  const dayMs = input.day.dayEndMs - input.day.dayStartMs;
  const lookAheadBudget = (input.dailyBudgetMicros * opts.lookAheadMs) / dayMs;
  return random() < Math.min(1, headroom / lookAheadBudget);
}

export interface Daypart {
  /** Local weekdays, 0 = Sunday. */
  days: readonly number[];
  /** Local hour the part opens (inclusive), 0–23. */
  startHour: number;
  /**
   * Local hour it closes (exclusive), 1–24. An end at or before the start wraps past midnight
   * (22 → 2); the weekday is then that of the current local day, not the day the part opened.
   */
  endHour: number;
}

export interface Schedule {
  /** ISO 8601 instant the campaign starts (inclusive). */
  start: string;
  /** ISO 8601 instant it ends (exclusive); open-ended when absent. */
  end?: string | null;
  /** When present, the campaign serves only within one of these local windows. */
  dayparts?: readonly Daypart[] | null;
  /** IANA zone for dayparts and for the pacing day. */
  timezone: string;
}

export function inSchedule(schedule: Schedule, now: Date | number, local?: LocalTime): boolean {
  const epochMs = typeof now === 'number' ? now : now.getTime();
  if (epochMs < Date.parse(schedule.start)) return false;
  if (schedule.end != null && epochMs >= Date.parse(schedule.end)) return false;
  const parts = schedule.dayparts;
  if (parts == null || parts.length === 0) return true;
  const t = local ?? localTime(epochMs, schedule.timezone);
  return parts.some((p) => p.days.includes(t.weekday) && inHours(t.hour, p.startHour, p.endHour));
}

function inHours(hour: number, start: number, end: number): boolean {
  return start < end ? hour >= start && hour < end : hour >= start || hour < end;
}
