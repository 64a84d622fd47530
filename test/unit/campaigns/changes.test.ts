import { describe, expect, it } from 'vitest';
import { activationHold, budgetRelease, topUpHold } from '../../../functions/core/campaigns/budget-moves.js';
import type { Campaign, Creative } from '../../../functions/core/campaigns/campaign.js';
import { closed, editedCampaign, exhausted, heldAfterTopUp, newCreative, toppedUp, withCreative } from '../../../functions/core/campaigns/changes.js';
import { ConflictError, ValidationError } from '../../../functions/core/shared/errors.js';

const now = new Date('2030-01-15T00:00:00Z');
const campaign: Campaign = {
  id: 'cmp_1',
  advertiserId: 'ten_adv',
  name: 'Spring',
  category: 'tech',
  bidding: { model: 'cpm', bidMicros: 2_000_000 },
  budget: { totalMicros: 100_000_000, dailyMicros: null },
  schedule: { start: '2030-01-01T00:00:00Z', end: '2030-02-01T00:00:00Z', timezone: 'Asia/Shanghai' },
  targeting: [],
  status: 'draft',
  funded: false,
  creatives: [],
  createdAt: '2029-12-01T00:00:00.000Z',
  updatedAt: '2029-12-01T00:00:00.000Z',
};
const running: Campaign = { ...campaign, status: 'active', funded: true };

describe('campaign changes (the rules that left store/campaigns.ts)', () => {
  it('does let a draft change its total budget, but not a funded campaign (409)', () => {
    expect(editedCampaign(campaign, { budget: { totalMicros: 5_000_000 } }, now).budget.totalMicros).toBe(5_000_000);
    expect(() => editedCampaign(running, { budget: { totalMicros: 5_000_000 } }, now)).toThrow(ConflictError);
  });
  it('does refuse an edit whose schedule ends before it starts (400)', () => {
    expect(() => editedCampaign(campaign, { schedule: { end: '2029-12-31T00:00:00Z' } }, now)).toThrow(ValidationError);
  });
  it('does top up only a funded campaign, and a spent one serves again', () => {
    expect(() => toppedUp(campaign, 1_000_000, now)).toThrow(ConflictError);
    const refilled = toppedUp({ ...running, status: 'budget_exhausted' }, 1_000_000, now);
    expect(refilled).toMatchObject({ status: 'active', budget: { totalMicros: 101_000_000 }, updatedAt: '2030-01-15T00:00:00.000Z' });
  });
  it('does grow the held total and remaining by the top-up, from nothing when no budget was read', () => {
    const before = { totalMicros: 10, remainingMicros: 4, releasedMicros: 0, leasedMicros: 3, livePostedMicros: 1 };
    expect(heldAfterTopUp(before, 5)).toEqual({ totalMicros: 15, remainingMicros: 9, releasedMicros: 0, leasedMicros: 3, livePostedMicros: 1 });
    expect(heldAfterTopUp(undefined, 5)).toEqual({ totalMicros: 5, remainingMicros: 5, releasedMicros: 0, leasedMicros: 0, livePostedMicros: 0 });
  });
  it('does release the budget of a funded campaign that closes, and of no draft', () => {
    expect(closed(running, 'end', now)).toEqual({
      campaign: { ...running, status: 'ended', funded: false, updatedAt: '2030-01-15T00:00:00.000Z' },
      releases: true,
    });
    expect(closed(campaign, 'archive', now).releases).toBe(false);
    expect(() => closed(campaign, 'end', now)).toThrow(ConflictError);
  });
  it('does mark only an active campaign budget_exhausted', () => {
    expect(exhausted(running, now).status).toBe('budget_exhausted');
    expect(() => exhausted({ ...running, status: 'paused' }, now)).toThrow(ConflictError);
  });
  it('does add a creative awaiting review, not to an archived campaign', () => {
    const content = { title: 't', body: 'b', imageUrl: 'https://e.com/i.png', landingUrl: 'https://e.com', callToAction: 'Go' };
    expect(newCreative(campaign, content, { id: 'crv_1', now }).review).toEqual({ status: 'pending' });
    expect(() => newCreative({ ...campaign, status: 'archived' }, content, { id: 'crv_1', now })).toThrow(ConflictError);
  });
  it('does put an approved creative on its campaign and take a pending one off', () => {
    const creative = { id: 'crv_1', campaignId: 'cmp_1', title: 't', body: 'b', imageUrl: 'i', landingUrl: 'l', callToAction: 'c' } as Creative;
    const on = withCreative(campaign, { ...creative, review: { status: 'approved' } }, now);
    expect(on.creatives.map((c) => c.id)).toEqual(['crv_1']);
    expect(withCreative(on, { ...creative, review: { status: 'pending' } }, now).creatives).toEqual([]);
  });
});

describe('campaign budget moves (the postings that left store/campaigns.ts)', () => {
  const cause = { type: 'campaign', id: 'cmp_1' };
  it('holds the whole budget at the first activation, and nothing when the campaign is already funded', () => {
    expect(activationHold(campaign)).toEqual({
      cause,
      memo: 'Campaign cmp_1: hold the budget',
      lines: [
        { account: 'advertiser:ten_adv:available', amountMicros: -100_000_000 },
        { account: 'advertiser:ten_adv:held', amountMicros: 100_000_000 },
      ],
    });
    expect(activationHold({ ...running, status: 'paused' })).toBeUndefined();
  });
  it('holds a top-up’s amount', () => {
    expect(topUpHold(running, 7).lines).toEqual([
      { account: 'advertiser:ten_adv:available', amountMicros: -7 },
      { account: 'advertiser:ten_adv:held', amountMicros: 7 },
    ]);
  });
  it('gives what is left back at close, and moves nothing when nothing is left', () => {
    expect(budgetRelease(running, 'archive', 40)).toEqual({
      cause,
      memo: 'Campaign cmp_1 archive: release unspent budget',
      lines: [
        { account: 'advertiser:ten_adv:held', amountMicros: -40 },
        { account: 'advertiser:ten_adv:available', amountMicros: 40 },
      ],
    });
    expect(budgetRelease(running, 'end', 0)).toBeUndefined();
  });
});
