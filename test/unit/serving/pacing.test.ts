import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../functions/core/shared/clock.js';
import { allowedSpendMicros, dayPosition, inSchedule, localTime, shouldServe, zoneTime } from '../../../functions/core/serving/pacing.js';
import type { Schedule } from '../../../functions/core/serving/pacing.js';

const HOUR = 3_600_000;

/** Steady traffic through one local day: a request every `everyMs`, each win at a fixed price. */
function simulateDay(dayStart: Date, timeZone: string): { hourly: number[]; total: number; hours: number } {
  const clock = fixedClock(dayStart);
  const dailyBudgetMicros = 24_000_000;
  const priceMicros = 10_000;
  const { dayEndMs } = dayPosition(clock(), timeZone);
  const hours = Math.round((dayEndMs - dayStart.getTime()) / HOUR);
  const hourly = new Array<number>(hours).fill(0);
  let spent = 0;
  while (clock().getTime() < dayEndMs) {
    const day = dayPosition(clock(), timeZone);
    if (spent + priceMicros <= dailyBudgetMicros && shouldServe({ dailyBudgetMicros, spentTodayMicros: spent, day }, { lookAheadMs: 2 * 60_000 })) {
      spent += priceMicros;
      const h = Math.floor(day.elapsedMs / HOUR);
      hourly[h] = (hourly[h] ?? 0) + priceMicros;
    }
    clock.advance(3_000);
  }
  return { hourly, total: spent, hours };
}

describe('dayPosition', () => {
  it('finds the local day in a fixed-offset zone', () => {
    const p = dayPosition(new Date('2025-03-10T04:00:00Z'), 'Asia/Shanghai');
    expect(new Date(p.dayStartMs).toISOString()).toBe('2025-03-09T16:00:00.000Z');
    expect(p.dayEndMs - p.dayStartMs).toBe(24 * HOUR);
    expect(p.fraction).toBeCloseTo(12 / 24, 12);
  });

  it('gives DST days their real length', () => {
    const spring = dayPosition(new Date('2025-03-09T18:00:00Z'), 'America/New_York');
    expect(new Date(spring.dayStartMs).toISOString()).toBe('2025-03-09T05:00:00.000Z');
    expect(spring.dayEndMs - spring.dayStartMs).toBe(23 * HOUR);
    const autumn = dayPosition(new Date('2025-11-02T18:00:00Z'), 'America/New_York');
    expect(new Date(autumn.dayStartMs).toISOString()).toBe('2025-11-02T04:00:00.000Z');
    expect(autumn.dayEndMs - autumn.dayStartMs).toBe(25 * HOUR);
  });

  it('puts the last millisecond of the day before the next', () => {
    const p = dayPosition(new Date('2025-03-10T15:59:59.999Z'), 'Asia/Shanghai');
    expect(p.fraction).toBeLessThan(1);
    expect(dayPosition(new Date('2025-03-10T16:00:00Z'), 'Asia/Shanghai').elapsedMs).toBe(0);
  });
});

describe('shouldServe', () => {
  const day = dayPosition(new Date('2025-03-10T04:00:00Z'), 'Asia/Shanghai');

  it('allows the even line plus the look-ahead', () => {
    expect(allowedSpendMicros({ dailyBudgetMicros: 24_000_000, spentTodayMicros: 0, day }, { lookAheadMs: 0 })).toBe(12_000_000);
    expect(allowedSpendMicros({ dailyBudgetMicros: 24_000_000, spentTodayMicros: 0, day }, { lookAheadMs: HOUR })).toBe(13_000_000);
  });

  it('throttles a campaign at or above the line', () => {
    expect(shouldServe({ dailyBudgetMicros: 24_000_000, spentTodayMicros: 12_000_000, day }, { lookAheadMs: 0 })).toBe(false);
    expect(shouldServe({ dailyBudgetMicros: 24_000_000, spentTodayMicros: 11_999_999, day }, { lookAheadMs: 0 })).toBe(true);
  });

  it("spreads a day's budget evenly over the hours", () => {
    const { hourly, total, hours } = simulateDay(new Date('2025-03-09T16:00:00Z'), 'Asia/Shanghai');
    expect(hours).toBe(24);
    for (const spend of hourly) {
      expect(spend).toBeGreaterThanOrEqual((24_000_000 / 24) * 0.85);
      expect(spend).toBeLessThanOrEqual((24_000_000 / 24) * 1.15);
    }
    expect(total).toBeGreaterThanOrEqual(24_000_000 * 0.98);
  });

  it('paces a 23-hour DST day over 23 hours', () => {
    const { hourly, hours } = simulateDay(new Date('2025-03-09T05:00:00Z'), 'America/New_York');
    expect(hours).toBe(23);
    for (const spend of hourly) expect(Math.abs(spend - 24_000_000 / 23)).toBeLessThanOrEqual((24_000_000 / 23) * 0.15);
  });
});

describe('zoneTime', () => {
  it('agrees with localTime and dayPosition at every minute of a DST day, whatever order it is asked in', () => {
    // New York's spring-forward day, then back: each answer must not come from another minute's cache.
    const start = Date.parse('2025-03-09T05:00:00Z');
    const instants = Array.from({ length: 24 * 60 }, (_, m) => start + m * 60_000 + ((m * 7_919) % 60_000));
    for (const at of [...instants, ...instants.reverse()]) {
      const t = localTime(at, 'America/New_York');
      const z = zoneTime(at, 'America/New_York');
      expect({ weekday: z.weekday, hour: z.hour, day: z.day }).toEqual({ weekday: t.weekday, hour: t.hour, day: dayPosition(at, 'America/New_York') });
    }
  });
});

describe('inSchedule', () => {
  const base: Schedule = { start: '2025-03-01T00:00:00Z', end: '2025-04-01T00:00:00Z', timezone: 'Asia/Shanghai' };

  it('serves from the start (inclusive) to the end (exclusive)', () => {
    expect(inSchedule(base, new Date('2025-02-28T23:59:59Z'))).toBe(false);
    expect(inSchedule(base, new Date('2025-03-01T00:00:00Z'))).toBe(true);
    expect(inSchedule(base, new Date('2025-04-01T00:00:00Z'))).toBe(false);
    expect(inSchedule({ ...base, end: null }, new Date('2030-01-01T00:00:00Z'))).toBe(true);
  });

  it('serves only in local dayparts', () => {
    // Weekdays 9:00–18:00 Shanghai time.
    const s: Schedule = { ...base, dayparts: [{ days: [1, 2, 3, 4, 5], startHour: 9, endHour: 18 }] };
    // Monday 2025-03-10 09:00 in Shanghai is 01:00 UTC.
    expect(inSchedule(s, new Date('2025-03-10T01:00:00Z'))).toBe(true);
    expect(inSchedule(s, new Date('2025-03-10T00:59:59Z'))).toBe(false);
    expect(inSchedule(s, new Date('2025-03-10T10:00:00Z'))).toBe(false);
    // Saturday 2025-03-15 12:00 in Shanghai.
    expect(inSchedule(s, new Date('2025-03-15T04:00:00Z'))).toBe(false);
  });

  it('wraps a daypart past midnight', () => {
    const s: Schedule = { ...base, dayparts: [{ days: [0, 1, 2, 3, 4, 5, 6], startHour: 22, endHour: 2 }] };
    expect(inSchedule(s, new Date('2025-03-10T15:30:00Z'))).toBe(true); // 23:30 local
    expect(inSchedule(s, new Date('2025-03-10T17:30:00Z'))).toBe(true); // 01:30 local
    expect(inSchedule(s, new Date('2025-03-10T18:30:00Z'))).toBe(false); // 02:30 local
  });

  it('reads local weekdays and hours through Intl', () => {
    expect(localTime(Date.parse('2025-03-09T16:00:00Z'), 'Asia/Shanghai')).toEqual({
      year: 2025,
      month: 3,
      day: 10,
      weekday: 1,
      hour: 0,
      minute: 0,
      second: 0,
    });
  });
});
