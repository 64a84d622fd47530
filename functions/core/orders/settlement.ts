import { isBalanced, normalise, postings, type Posting } from '../ledger/ledger.js';
import { splitFee } from '../shared/money.js';
import type { Order, OrderSettlement } from './order.js';

/**
 * How an order's held price is paid out. Rounding rules, all in integer micros:
 *
 * - Fee: `fee = floor(captured × feeBps / 10 000)`, the owner gets `captured − fee` (`splitFee`).
 *   Rounding down means the platform never takes more than its rate; the owner gets the remainder.
 * - Under-delivery (orders with `committedReads`, i.e. ad_card): when the proof reports fewer reads
 *   than committed, completion refunds `floor(price × (committed − reads) / committed)` to the
 *   advertiser and captures the rest. Rounding down keeps the refund at or below the exact share of
 *   the shortfall (the owner keeps less than one micro of rounding); over-delivery earns no bonus,
 *   and zero reads refunds the whole price. Missing reads count as delivered in full: `publish`
 *   refuses proof without reads when reads were committed, so that only happens on bad data.
 * - Partial refund by the operator: the refund named is released, the rest captured (fee on the
 *   rest); the automatic shortfall refund does not stack on top of it — the operator's figure is final.
 *
 * Every result balances: released + captured = held, and owner + fee = captured.
 */
export interface Settlement {
  postings: Posting[];
  settlement: OrderSettlement;
}

/** The pro-rata refund for reads short of the commitment; 0 when nothing was committed or delivery met it. */
export function shortfallRefundMicros(priceMicros: number, committedReads: number | undefined, reads: number | undefined): number {
  if (committedReads === undefined || committedReads <= 0 || reads === undefined || reads >= committedReads) return 0;
  const shortfall = committedReads - Math.max(0, reads);
  // BigInt keeps price × shortfall exact past 2^53.
  return Number((BigInt(priceMicros) * BigInt(shortfall)) / BigInt(committedReads));
}

/** Releases `refundMicros` of the held money to the advertiser and captures the rest for the owner and platform. */
export function settle(order: Pick<Order, 'advertiserId' | 'publisherId' | 'heldMicros' | 'feeBps'>, refundMicros: number): Settlement {
  const captured = order.heldMicros - refundMicros;
  if (!Number.isSafeInteger(refundMicros) || refundMicros < 0 || captured < 0) {
    throw new RangeError(`refund ${refundMicros} is outside 0…${order.heldMicros}`);
  }
  const { feeMicros, ownerMicros } = splitFee(captured, order.feeBps);
  const lines = normalise([
    ...postings.release(order.advertiserId, refundMicros),
    ...postings.capture(order.advertiserId, order.publisherId, captured, order.feeBps),
  ]);
  if (!isBalanced(lines)) throw new Error('settlement postings do not balance');
  return { postings: lines, settlement: { refundedMicros: refundMicros, capturedMicros: captured, ownerMicros, feeMicros } };
}

/** Completion: captures the held price, less the automatic refund for any read shortfall. */
export function settleCompletion(order: Order): Settlement {
  const refund = Math.min(order.heldMicros, shortfallRefundMicros(order.priceMicros, order.committedReads, order.proof?.reads));
  return settle(order, refund);
}

/** Everything held goes back to the advertiser. */
export function settleFullRefund(order: Order): Settlement {
  return settle(order, order.heldMicros);
}
