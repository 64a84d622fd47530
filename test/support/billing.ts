import { expect } from 'vitest';
import { settleExpiredLeases } from '../../functions/app/billing/settle-leases.js';
import { fingerprint, type RequestSource } from '../../functions/core/serving/fingerprint.js';
import { trackingTokens, type TrackingRef } from '../../functions/core/serving/tracking.js';
import { viewerHash } from '../../functions/core/serving/viewer.js';
import type { Deps } from '../../functions/deps.js';
import { keys } from '../../functions/store/keys.js';
import { getItem } from '../../functions/store/items.js';
import type { Market } from './campaigns.js';
import { TEST_SECRET, type MovableClock } from './deps.js';
import { BROWSER_UA } from './http.js';
import { ledgerState, total } from './money.js';
import { everything } from './table.js';

const addresses = new Map<string, string>();
/** Each viewer reads from a network of its own (a /24 apart), so that one viewer is one source. */
function sourceOf(viewer: string): RequestSource {
  let address = addresses.get(viewer);
  if (address === undefined) {
    address = `10.${(addresses.size >> 8) & 255}.${addresses.size & 255}.7`;
    addresses.set(viewer, address);
  }
  return { address, userAgent: BROWSER_UA };
}

/**
 * Signed tracking tokens as a decision would hand out: one per viewer, charging `charge` on its
 * billed event, decided long enough ago; each with the `source` its events come from (its
 * viewer's own network, or `options.source` for all).
 */
export function tokensFor(
  deps: Deps,
  market: Market,
  campaignId: string,
  adUnitId: string,
  n: number,
  options: { charge: number; model?: 'cpm' | 'cpc'; viewer?: (i: number) => string; tag?: string; source?: RequestSource },
) {
  const exp = deps.clock().getTime() + 3_600_000;
  const tag = options.tag ?? `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  return Array.from({ length: n }, (_, i) => {
    const ref: TrackingRef = {
      accountId: market.accountId,
      publisherId: market.publisher.id,
      advertiserId: market.advertiser.id,
      viewerHash: viewerHash(options.viewer?.(i) ?? `viewer-${tag}-${i}`),
      landingUrl: 'https://tea.example.com/spring',
    };
    const source = options.source ?? sourceOf(options.viewer?.(i) ?? `viewer-${tag}-${i}`);
    const decidedAt = deps.clock().getTime() - deps.config.MIN_IMPRESSION_DELAY_MS;
    const seen = fingerprint(source, TEST_SECRET, decidedAt);
    const tokens = trackingTokens(
      {
        decisionId: `dec_${tag}_${i}`,
        campaignId,
        adUnitId,
        chargeMicros: options.charge,
        chargeEvent: options.model === 'cpc' ? 'click' : 'impression',
        decidedAt,
        fingerprint: seen,
        ref,
      },
      TEST_SECRET,
      exp,
    );
    return { ...tokens, decisionId: `dec_${tag}_${i}`, source, fingerprint: seen };
  });
}

/**
 * The books of one campaign, from the table itself: what its journal says was billed, what its
 * aggregated postings moved out of the advertiser's held funds, and its budget item.
 */
export async function booksOf(deps: Deps, campaignId: string) {
  const all = await everything(deps);
  const journal = (all.get('decisionEvent') ?? []).filter((e) => e.campaignId === campaignId && e.billed);
  const lines = (all.get('ledgerLine') ?? []).filter((l) => l.cause?.id === campaignId && l.events !== undefined && !String(l.pk).endsWith('platform'));
  const posted = lines
    .flatMap((l) => l.postings as { account: string; amountMicros: number }[])
    .filter((p) => p.account.endsWith(':held'))
    .reduce((s, p) => s - p.amountMicros, 0);
  const budget = await getItem<{ totalMicros: number; remainingMicros: number; leasedMicros: number }>(deps.db, keys.campaignBudget(campaignId), {
    consistent: true,
  });
  const leases = (all.get('lease') ?? []).filter((l) => l.campaignId === campaignId);
  return {
    journalMicros: journal.reduce((s, e) => s + e.chargeMicros, 0),
    journalEvents: journal.length,
    postedMicros: posted,
    totalMicros: budget!.totalMicros,
    remainingMicros: budget!.remainingMicros,
    leasedMicros: budget!.leasedMicros,
    openLeases: leases.filter((l) => l.status === 'live' || l.status === 'settling').length,
  };
}

/** Every billed event posted exactly once, what was not billed back in the budget, and a balanced ledger that replays to the stored balances. */
export async function expectSettled(deps: Deps, campaignId: string): Promise<Awaited<ReturnType<typeof booksOf>>> {
  const books = await booksOf(deps, campaignId);
  expect(books.openLeases).toBe(0);
  expect(books.leasedMicros).toBe(0);
  expect(books.postedMicros).toBe(books.journalMicros);
  expect(books.remainingMicros).toBe(books.totalMicros - books.journalMicros);
  const { stored, replayed } = await ledgerState(deps);
  expect(total(stored)).toBe(0);
  expect(stored).toEqual(replayed);
  return books;
}

/** Moves the (movable) clock past every lease's end and grace period and runs the settlement job. */
export async function settleAll(deps: Deps): Promise<void> {
  (deps.clock as MovableClock).advance((deps.config.LEASE_SECONDS + deps.config.LEASE_GRACE_SECONDS + 1) * 1000);
  await settleExpiredLeases(deps, deps.clock());
}
