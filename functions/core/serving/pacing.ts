import { MS_PER_SECOND } from '../shared/time.js';

/**
 * Even daily pacing and schedules, in the campaign's own time zone.
 *
 * Pacing: by a fraction f of the local day, a campaign may have spent dailyBudget × f, plus a
 * short look-ahead so that a campaign at the very start of its day (or just after a win) is not
 * shut out for lack of a few micros. A campaign at or above that line is throttled: it serves
 * iff spent < allowed. Deterministic; spend follows the line in small steps.
 *
 * Local days come from Intl (tz database), so DST days of 23 or 25 hours pace over their real
 * length. Formatters are cached per zone: creating one costs far more than using it.
 */

export interface PacingOptions {
  /** How far ahead of the even line a campaign may spend, as a span of the day (config: PACING_LOOK_AHEAD_SECONDS). */
  lookAheadMs: number;
}

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

/** The local weekday and hour in a zone at an instant, and where it falls in its local day. */
export interface ZoneTime {
  weekday: number;
  hour: number;
  day: DayPosition;
}

const MS_PER_MINUTE = 60 * MS_PER_SECOND;
/** Per zone, the last minute computed: every offset change falls on a minute, so the weekday, hour and day bounds hold for all of it. */
const zoneMinutes = new Map<string, { fromMs: number; weekday: number; hour: number; dayStartMs: number; dayEndMs: number }>();

/**
 * `localTime` and `dayPosition` at once, for a decision: Intl (several formatToParts calls) runs
 * once per zone per minute, not once per request.
 */
export function zoneTime(epochMs: number, timeZone: string): ZoneTime {
  let m = zoneMinutes.get(timeZone);
  if (m === undefined || epochMs < m.fromMs || epochMs >= m.fromMs + MS_PER_MINUTE) {
    const t = localTime(epochMs, timeZone);
    const day = dayPosition(epochMs, timeZone);
    const fromMs = Math.floor(epochMs / MS_PER_MINUTE) * MS_PER_MINUTE;
    m = { fromMs, weekday: t.weekday, hour: t.hour, dayStartMs: day.dayStartMs, dayEndMs: day.dayEndMs };
    zoneMinutes.set(timeZone, m);
  }
  const elapsedMs = epochMs - m.dayStartMs;
  return {
    weekday: m.weekday,
    hour: m.hour,
    day: { dayStartMs: m.dayStartMs, dayEndMs: m.dayEndMs, elapsedMs, fraction: elapsedMs / (m.dayEndMs - m.dayStartMs) },
  };
}

export interface PacingInput {
  dailyBudgetMicros: number;
  spentTodayMicros: number;
  day: DayPosition;
}

/** What the campaign may have spent by now: the even line plus the look-ahead, never above the budget. */
export function allowedSpendMicros(input: PacingInput, options: PacingOptions): number {
  const dayMs = input.day.dayEndMs - input.day.dayStartMs;
  const fraction = Math.min(1, (input.day.elapsedMs + options.lookAheadMs) / dayMs);
  return Math.floor(input.dailyBudgetMicros * fraction);
}

/** Whether pacing lets the campaign take this request: it has spent less than it may by now. */
export function shouldServe(input: PacingInput, options: PacingOptions): boolean {
  return input.spentTodayMicros < allowedSpendMicros(input, options);
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

export function inSchedule(schedule: Schedule, now: Date | number, local?: Pick<LocalTime, 'weekday' | 'hour'>): boolean {
  const epochMs = typeof now === 'number' ? now : now.getTime();
  if (epochMs < Date.parse(schedule.start)) return false;
  if (schedule.end != null && epochMs >= Date.parse(schedule.end)) return false;
  const parts = schedule.dayparts;
  if (parts == null || parts.length === 0) return true;
  return inDayparts(parts, local ?? localTime(epochMs, schedule.timezone));
}

/** Whether a local weekday and hour fall in one of the dayparts. */
export function inDayparts(parts: readonly Daypart[], local: Pick<LocalTime, 'weekday' | 'hour'>): boolean {
  for (const p of parts) if (p.days.includes(local.weekday) && inHours(local.hour, p.startHour, p.endHour)) return true;
  return false;
}

function inHours(hour: number, start: number, end: number): boolean {
  return start < end ? hour >= start && hour < end : hour >= start || hour < end;
}
