import type { SlotFormat } from '../marketplace/catalog.js';

/**
 * A direct booking (sponsored-post order): an advertiser books one slot of an owner's account.
 * The order carries its own money state (`heldMicros`) so the store can check it against the
 * ledger, and its own fee rate, fixed at booking, so a later change of the platform fee never
 * changes the price of a deal already made.
 */
export const ORDER_STATES = [
  'requested',
  'accepted',
  'in_review',
  'scheduled',
  'published',
  'disputed',
  'completed',
  'rejected',
  'expired',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** States an order never leaves; each one holds nothing. */
export const FINAL_STATES = ['completed', 'rejected', 'expired', 'cancelled', 'refunded', 'partially_refunded'] as const satisfies readonly OrderState[];
export type FinalState = (typeof FINAL_STATES)[number];

export function isFinal(state: OrderState): state is FinalState {
  return (FINAL_STATES as readonly OrderState[]).includes(state);
}

export const ORDER_ACTIONS = [
  'accept',
  'reject',
  'submit-draft',
  'approve',
  'request-changes',
  'publish',
  'confirm',
  'dispute',
  'cancel',
  'resolve',
  'expire',
  'auto-complete',
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/** Who acts on an order. `owner` is the publisher tenant that owns the account; `system` is the jobs function. */
export const ORDER_ACTOR_ROLES = ['owner', 'advertiser', 'admin', 'system'] as const;
export type OrderActorRole = (typeof ORDER_ACTOR_ROLES)[number];

export interface OrderActor {
  role: OrderActorRole;
  /** Required for owner and advertiser: the order must be theirs. */
  tenantId?: string;
}

export interface OrderConfig {
  /** Platform fee in basis points of the captured amount (1000 = 10 %). */
  feeBps: number;
  /** How long the owner has to accept or reject before the order expires. */
  ownerResponseHours: number;
  /** How long the advertiser has after proof of publication to dispute before it auto-completes. */
  reviewWindowHours: number;
}

export const DEFAULT_ORDER_CONFIG: Readonly<OrderConfig> = Object.freeze({
  feeBps: 1000,
  ownerResponseHours: 48,
  reviewWindowHours: 72,
});

export interface OrderBrief {
  title: string;
  copy: string;
  landingUrl: string;
  imageUrl?: string;
}

/** The owner's draft of a custom article, for the advertiser to approve. */
export interface OrderDraft {
  content: string;
  previewUrl?: string;
  submittedAt: string;
}

/** Proof of publication, submitted by the owner with `publish`. */
export interface OrderProof {
  postUrl: string;
  publishedAt: string;
  /** Reads at the time of proof; required when the order has `committedReads` (ad_card). */
  reads?: number;
}

export interface OrderDeadlines {
  /** The owner must accept or reject before this, or the order expires. */
  respondBy?: string;
  /** The advertiser may dispute until this; after it the order auto-completes. */
  reviewEndsAt?: string;
}

/** How the held price was finally split; set when the order reaches a final state. */
export interface OrderSettlement {
  refundedMicros: number;
  capturedMicros: number;
  ownerMicros: number;
  feeMicros: number;
}

export interface TimelineEntry {
  at: string;
  actor: OrderActor;
  /** `request` for the creation entry, otherwise the action applied. */
  action: OrderAction | 'request';
  from: OrderState | null;
  to: OrderState;
  note?: string;
}

export interface Order {
  id: string;
  advertiserId: string;
  publisherId: string;
  accountId: string;
  slotId: string;
  format: SlotFormat;
  /** Reads the owner committed to (ad_card only); a shortfall is refunded pro rata on completion. */
  committedReads?: number;
  priceMicros: number;
  currency: string;
  /** Fee rate fixed when the order was made. */
  feeBps: number;
  state: OrderState;
  brief: OrderBrief;
  draft?: OrderDraft;
  proof?: OrderProof;
  /** Why the advertiser disputed, kept on the order for the operator. */
  disputeReason?: string;
  deadlines: OrderDeadlines;
  /** What is still held in escrow for this order. */
  heldMicros: number;
  settlement?: OrderSettlement;
  timeline: TimelineEntry[];
  version: number;
  createdAt: string;
  updatedAt: string;
}
