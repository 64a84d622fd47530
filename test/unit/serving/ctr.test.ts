import { describe, expect, it } from 'vitest';
import { estimateCtr } from '../../../functions/core/serving/ctr.js';

describe('estimateCtr', () => {
  it('starts a new campaign at the prior', () => {
    expect(estimateCtr({ impressions: 0, clicks: 0 })).toBeCloseTo(0.01, 12);
  });

  it('moves toward the observed rate as impressions add up', () => {
    const few = estimateCtr({ impressions: 100, clicks: 5 });
    const many = estimateCtr({ impressions: 100_000, clicks: 5_000 });
    expect(few).toBeCloseTo(6 / 200, 12);
    expect(many).toBeGreaterThan(few);
    expect(many).toBeCloseTo(0.05, 3);
  });

  it('does not take one lucky click at face value', () => {
    expect(estimateCtr({ impressions: 1, clicks: 1 })).toBeLessThan(0.03);
  });

  it('takes a configurable prior', () => {
    expect(estimateCtr({ impressions: 0, clicks: 0 }, { priorCtr: 0.05, priorImpressions: 10 })).toBeCloseTo(0.05, 12);
    expect(estimateCtr({ impressions: 10, clicks: 10 }, { priorCtr: 0.5, priorImpressions: 10 })).toBeCloseTo(0.75, 12);
  });

  it('tolerates clicks counted before their impressions', () => {
    expect(estimateCtr({ impressions: 0, clicks: 3 })).toBeCloseTo(0.01, 12);
  });
});
