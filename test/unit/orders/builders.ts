import { postings as ledgerPostings, replay, type LedgerAccount, type Posting } from '../../../functions/core/ledger/ledger.js';
import { DEFAULT_ORDER_CONFIG, type Order, type OrderAction, type OrderActor, type OrderActorRole } from '../../../functions/core/orders/order.js';
import { applyAction, newOrder, type ActionInputs, type ActionResult, type NewOrderInput } from '../../../functions/core/orders/state-machine.js';
import { sequentialIds } from '../../../functions/core/shared/ids.js';

export const ADVERTISER = 'tnt_adv';
export const PUBLISHER = 'tnt_pub';
export const T0 = new Date('2026-03-02T08:00:00.000Z');
export const HOUR = 3_600_000;
export const config = DEFAULT_ORDER_CONFIG;

export const actors: Record<OrderActorRole, OrderActor> = {
  owner: { role: 'owner', tenantId: PUBLISHER },
  advertiser: { role: 'advertiser', tenantId: ADVERTISER },
  admin: { role: 'admin' },
  system: { role: 'system' },
};

export const hoursAfter = (at: Date | string, hours: number): Date => new Date(new Date(at).getTime() + hours * HOUR);

export function anOrderInput(overrides: Partial<NewOrderInput> = {}): NewOrderInput {
  return {
    advertiserId: ADVERTISER,
    publisherId: PUBLISHER,
    accountId: 'acct_1',
    slotId: 'slot_1',
    format: 'custom_article',
    priceMicros: 1_000_000_000,
    currency: 'CNY',
    brief: { title: 'Spring launch', copy: 'Try the new tea', landingUrl: 'https://example.com/tea' },
    ...overrides,
  };
}

export const anAdCardInput = (overrides: Partial<NewOrderInput> = {}): NewOrderInput =>
  anOrderInput({ format: 'ad_card', committedReads: 10_000, ...overrides });

export function book(input: NewOrderInput = anOrderInput(), now: Date = T0): ActionResult {
  return newOrder(input, { ids: sequentialIds(), now, config });
}

/** Applies an action as the rightful party of that role at `now` (default: an hour after the last update). */
export function act<A extends OrderAction>(order: Order, action: A, input: ActionInputs[A] | undefined, role: OrderActorRole, now?: Date): ActionResult {
  return applyAction(order, action, input, { actor: actors[role], now: now ?? hoursAfter(order.updatedAt, 1), config });
}

/** A short book of an order's money: the deposit that funds it, then every step's postings. */
export class Books {
  readonly transactions: { postings: Posting[] }[] = [];
  constructor(advertiserId: string, depositMicros: number) {
    this.transactions.push({ postings: ledgerPostings.deposit(advertiserId, depositMicros) });
  }
  record(lines: Posting[]): void {
    this.transactions.push({ postings: lines });
  }
  balance(account: LedgerAccount): number {
    return replay(this.transactions).get(account) ?? 0;
  }
  all(): Map<LedgerAccount, number> {
    return replay(this.transactions);
  }
}

const publish = (reads?: number): ActionInputs['publish'] => ({
  postUrl: 'https://mp.example.com/s/abc',
  publishedAt: T0.toISOString(),
  ...(reads === undefined ? {} : { reads }),
});
export const aProof = publish;

/** Drives an order along legal steps to the given state (custom_article unless the input says otherwise). */
export function orderIn(state: Order['state'], input: NewOrderInput = anOrderInput()): Order {
  let order = book(input).order;
  const step = <A extends OrderAction>(action: A, body: ActionInputs[A] | undefined, role: OrderActorRole): void => {
    order = act(order, action, body, role).order;
  };
  const reads = input.committedReads;
  switch (state) {
    case 'requested':
      return order;
    case 'rejected':
      step('reject', { reason: 'not our audience' }, 'owner');
      return order;
    case 'cancelled':
      step('cancel', undefined, 'advertiser');
      return order;
    case 'expired':
      order = act(order, 'expire', undefined, 'system', hoursAfter(order.createdAt, config.ownerResponseHours)).order;
      return order;
    default:
      break;
  }
  step('accept', undefined, 'owner');
  if (state === 'accepted') return order;
  if (input.format === 'custom_article') {
    step('submit-draft', { content: 'Draft one' }, 'owner');
    if (state === 'in_review') return order;
    step('approve', undefined, 'advertiser');
  }
  if (state === 'scheduled') return order;
  step('publish', publish(reads), 'owner');
  if (state === 'published') return order;
  if (state === 'completed') {
    step('confirm', undefined, 'advertiser');
    return order;
  }
  step('dispute', { reason: 'post was taken down' }, 'advertiser');
  if (state === 'disputed') return order;
  if (state === 'refunded') step('resolve', { outcome: 'refund' }, 'admin');
  if (state === 'partially_refunded') step('resolve', { outcome: 'partial', refundMicros: 1 }, 'admin');
  return order;
}
