import { ValidationError } from '../shared/errors.js';
import type { Principal } from '../tenants/tenants.js';
import type { Order, OrderActor, OrderActorRole, OrderState } from './order.js';

/** Who acts on an order: an authenticated tenant or operator, or the jobs function. */
export type OrderCaller = Pick<Principal, 'tenantId' | 'role'> | { role: 'system' };

const ACTOR_ROLES: Record<OrderCaller['role'], OrderActorRole> = { advertiser: 'advertiser', publisher: 'owner', admin: 'admin', system: 'system' };

/** The order-machine role of a caller: the publisher of the slot's account is its `owner`. */
export const actorRole = (role: OrderCaller['role']): OrderActorRole => ACTOR_ROLES[role];

export const actorOf = (caller: OrderCaller): OrderActor => ({ role: actorRole(caller.role), ...('tenantId' in caller ? { tenantId: caller.tenantId } : {}) });

/** An order is its two parties' business (and the operator's, and the jobs'): to anyone else it does not exist. */
export function maySee(caller: OrderCaller, order: Pick<Order, 'advertiserId' | 'publisherId'>): boolean {
  if (caller.role === 'advertiser') return order.advertiserId === caller.tenantId;
  if (caller.role === 'publisher') return order.publisherId === caller.tenantId;
  return true;
}

/** Final states in which the post never ran: the slot goes back on the market. */
const SLOT_REOPENS: ReadonlySet<OrderState> = new Set<OrderState>(['rejected', 'expired', 'cancelled']);

/** Whether a step of a placed order, ending in `after`, gives the booked slot back. */
export const reopensSlot = (after: Pick<Order, 'state'>): boolean => SLOT_REOPENS.has(after.state);

/**
 * Which list a caller reads: the parties their own orders (optionally in one state), the operator
 * the disputes waiting for a resolution (the only list an operator needs; any order reads by id).
 */
export function orderList(
  caller: Exclude<OrderCaller, { role: 'system' }>,
  state: OrderState | undefined,
): { of: 'tenant'; tenantId: string; state?: OrderState } | { of: 'disputed' } {
  if (caller.role !== 'admin') return { of: 'tenant', tenantId: caller.tenantId, ...(state ? { state } : {}) };
  if (state !== undefined && state !== 'disputed') {
    throw new ValidationError('Operators list the disputed orders', [{ field: 'state', message: 'must be disputed (or left out) for an operator' }]);
  }
  return { of: 'disputed' };
}
