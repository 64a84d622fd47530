import { requestedPayout, settledPayout, type Payout } from '../../core/ledger/payouts.js';
import type { StoreContext } from '../../store/context.js';
import { payoutStore } from '../../store/payouts.js';

type Ctx = Pick<StoreContext, 'db' | 'ids' | 'clock' | 'config'>;

/**
 * A publisher withdraws earnings:
 * 1. decide (core): a requested payout, and the postings earned → pendingPayout;
 * 2. write both in one transaction (402 when earned does not cover it).
 */
export async function requestPayout(ctx: Ctx, publisherId: string, amountMicros: number): Promise<Payout> {
  const { payout, lines } = requestedPayout({ id: ctx.ids('pay'), publisherId, amountMicros, currency: ctx.config.CURRENCY, now: ctx.clock() });
  await payoutStore(ctx).request(payout, lines);
  return payout;
}

/**
 * The operator marks a payout paid or failed:
 * 1. load it (404), with its version;
 * 2. decide (core): only a requested payout settles (409); paid moves pendingPayout → paid,
 *    failed gives it back to earned;
 * 3. save it conditional on the version read, with its postings and queue entry, in one transaction.
 */
export async function settlePayout(ctx: Ctx, payoutId: string, outcome: 'paid' | 'failed'): Promise<Payout> {
  const store = payoutStore(ctx);
  const { value, version } = await store.load(payoutId);
  const { payout, lines } = settledPayout(value, outcome, ctx.clock());
  await store.saveSettled(payout, version, lines);
  return payout;
}
