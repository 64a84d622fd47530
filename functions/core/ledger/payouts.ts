import { ConflictError } from '../shared/errors.js';
import { postings, type Posting } from './ledger.js';

/**
 * Payouts: a publisher withdraws earnings (earned → pendingPayout); the operator pays them
 * outside Placard and marks the payout paid (pendingPayout → paid), or failed (back to earned).
 */
export const PAYOUT_STATUSES = ['requested', 'paid', 'failed'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export interface Payout {
  id: string;
  publisherId: string;
  amountMicros: number;
  currency: string;
  status: PayoutStatus;
  createdAt: string;
  updatedAt: string;
}

/** A requested payout, and the postings that set its money aside (402 when earned does not cover it, at the write). */
export function requestedPayout(input: { id: string; publisherId: string; amountMicros: number; currency: string; now: Date }): {
  payout: Payout;
  lines: Posting[];
} {
  const { id, publisherId, amountMicros, currency } = input;
  const at = input.now.toISOString();
  return {
    payout: { id, publisherId, amountMicros, currency, status: 'requested', createdAt: at, updatedAt: at },
    lines: postings.requestPayout(publisherId, amountMicros),
  };
}

/** A requested payout marked paid or failed, and the postings that follow (409 from any other status). */
export function settledPayout(payout: Payout, outcome: 'paid' | 'failed', now: Date): { payout: Payout; lines: Posting[] } {
  if (payout.status !== 'requested') throw new ConflictError(`Payout ${payout.id} is ${payout.status}; only a requested payout can be marked ${outcome}`);
  const { publisherId, amountMicros } = payout;
  return {
    payout: { ...payout, status: outcome, updatedAt: now.toISOString() },
    lines: outcome === 'paid' ? postings.payoutPaid(publisherId, amountMicros) : postings.payoutFailed(publisherId, amountMicros),
  };
}
