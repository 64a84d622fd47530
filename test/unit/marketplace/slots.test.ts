import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/shared/errors.js';
import { SlotListing, addDays, datesInRange, expandRecurrence, isIsoDate, validateSlotFields, weekdayOf } from '../../../functions/core/marketplace/slots.js';
import { CNY, issuesOf as schemaIssues } from './fixtures.js';

const fields = { position: 'headline', format: 'ad_card', committedReads: 5_000, priceMicros: 800 * CNY } as const;

function issuesOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).errors;
  }
  throw new Error('expected a ValidationError');
}

describe('date helpers', () => {
  it('does accept only real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-3-1')).toBe(false);
  });

  it('does compute weekdays and ranges in UTC', () => {
    expect(weekdayOf('2025-03-01')).toBe(6); // a Saturday
    expect(weekdayOf('1970-01-01')).toBe(4);
    expect(weekdayOf('1969-12-28')).toBe(0);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(datesInRange('2025-12-30', '2026-01-01')).toEqual(['2025-12-30', '2025-12-31', '2026-01-01']);
  });
});

describe('expandRecurrence', () => {
  it('does create one draft per matching weekday, both ends included', () => {
    const drafts = expandRecurrence({ from: '2025-03-01', to: '2025-03-14', weekdays: [1, 3, 5], ...fields });
    expect(drafts.map((d) => d.publishDate)).toEqual(['2025-03-03', '2025-03-05', '2025-03-07', '2025-03-10', '2025-03-12', '2025-03-14']);
    expect(drafts[0]).toEqual({ ...fields, publishDate: '2025-03-03' });
  });

  it('does refuse a rule that spans more than the cap', () => {
    expect(issuesOf(() => expandRecurrence({ from: '2025-01-01', to: '2026-01-02', weekdays: [0, 1, 2, 3, 4, 5, 6], ...fields }))).toEqual([
      { field: 'to', message: 'the rule may span at most 366 days' },
    ]);
    expect(expandRecurrence({ from: '2025-01-01', to: '2025-01-07', weekdays: [0, 1, 2, 3, 4, 5, 6], ...fields }, { maxRangeDays: 7 })).toHaveLength(7);
  });

  it('does refuse a one-weekday rule over eight thousand years by its span, before expanding it', () => {
    // 1000-01-01 … 9999-12-31 is ~3.3 million days (~470 000 Mondays): refused for its span alone.
    expect(issuesOf(() => expandRecurrence({ from: '1000-01-01', to: '9999-12-31', weekdays: [1], ...fields }))).toEqual([
      { field: 'to', message: 'the rule may span at most 366 days' },
    ]);
  });
});

describe('SlotListing', () => {
  it('does list every problem with a bad rule', () => {
    const issues = schemaIssues(SlotListing, { from: '2025-03-10', to: '2025-03-01', weekdays: [7], position: 'headline', format: 'ad_card', priceMicros: 0 });
    expect(issues).toEqual([
      { field: 'weekdays.0', message: 'must be an integer from 0 (Sunday) to 6 (Saturday)' },
      { field: 'priceMicros', message: 'Too small: expected number to be >=1' },
      { field: 'to', message: 'must not be before from' },
      { field: 'committedReads', message: 'an ad_card slot needs a positive integer committedReads' },
    ]);
  });

  it('does refuse a rule over more days than the cap, and one with no weekday', () => {
    expect(schemaIssues(SlotListing, { from: '2025-01-01', to: '2026-01-02', weekdays: [1], ...fields })).toEqual([
      { field: 'to', message: 'the rule may span at most 366 days' },
    ]);
    expect(schemaIssues(SlotListing, { from: '2025-01-01', to: '2025-01-02', weekdays: [], ...fields })).toEqual([
      { field: 'weekdays', message: 'must list at least one weekday' },
    ]);
  });
});

describe('validateSlotFields', () => {
  it('does keep committedReads to ad cards', () => {
    expect(validateSlotFields({ position: 'secondary', format: 'custom_article', priceMicros: CNY })).toEqual([]);
    expect(validateSlotFields({ position: 'secondary', format: 'custom_article', committedReads: 1, priceMicros: CNY }, 'slot')).toEqual([
      { field: 'slot.committedReads', message: 'only ad_card slots carry committedReads' },
    ]);
  });
});
