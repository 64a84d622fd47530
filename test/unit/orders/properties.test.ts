import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advertiser, isBalanced, mayGoNegative, platform, publisher } from '../../../functions/core/ledger/ledger.js';
import {
  ORDER_ACTIONS,
  ORDER_ACTOR_ROLES,
  ORDER_STATES,
  isFinal,
  type Order,
  type OrderAction,
  type OrderActor,
  type OrderState,
} from '../../../functions/core/orders/order.js';
import { ACTION_INPUTS } from '../../../functions/core/orders/inputs.js';
import { allowedActions, applyAction, dueJobs, type ActionInputs } from '../../../functions/core/orders/state-machine.js';
import { DomainError, ValidationError } from '../../../functions/core/shared/errors.js';
import { ADVERTISER, Books, HOUR, PUBLISHER, actors, anAdCardInput, anOrderInput, book, config, hoursAfter } from './builders.js';

/** One random attempt: any action, by anyone, some hours later, with input that may or may not make sense. */
interface Attempt {
  /** Most attempts pick among the actions legal in the current state, so runs reach the late states. */
  legal: boolean;
  pick: number;
  action: OrderAction;
  role: (typeof ORDER_ACTOR_ROLES)[number];
  foreignTenant: boolean;
  laterHours: number;
  reads: number | undefined;
  refundShare: number | undefined;
  outcome: string;
  withText: boolean;
}

const attemptArb: fc.Arbitrary<Attempt> = fc.record({
  legal: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
  pick: fc.nat(),
  action: fc.constantFrom(...ORDER_ACTIONS),
  role: fc.constantFrom(...ORDER_ACTOR_ROLES),
  foreignTenant: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  // Mostly short steps, sometimes past a deadline.
  laterHours: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 6 }), weight: 4 }, { arbitrary: fc.integer({ min: 7, max: 100 }), weight: 1 }),
  reads: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: undefined }),
  // Mostly a sensible share of what is held; sometimes none, none at all, everything, or more.
  refundShare: fc.oneof(
    { arbitrary: fc.double({ min: 0.001, max: 0.999, noNaN: true }), weight: 4 },
    { arbitrary: fc.constantFrom(undefined, -0.1, 0, 1, 1.1), weight: 1 },
  ),
  outcome: fc.constantFrom('pay', 'refund', 'partial', 'partial', 'other'),
  withText: fc.integer({ min: 0, max: 5 }).map((n) => n > 0),
});

function inputFor(a: Attempt, order: Order, now: Date): unknown {
  const text = a.withText ? 'because' : '';
  switch (a.action) {
    case 'submit-draft':
      return { content: text };
    case 'publish':
      return { postUrl: 'https://mp.example.com/s/1', publishedAt: new Date(now.getTime() - HOUR).toISOString(), reads: a.reads };
    case 'dispute':
      return { reason: text };
    case 'resolve':
      return {
        outcome: a.outcome,
        // A refund amount goes with a partial outcome, and now and then (wrongly) with the others.
        ...(a.refundShare === undefined || (a.outcome !== 'partial' && a.withText) ? {} : { refundMicros: Math.floor(order.heldMicros * a.refundShare) }),
      };
    default:
      return a.withText ? { note: text } : undefined;
  }
}

/** The attempt itself, or when it asks for a legal one, an action some role may take in this state. */
function choose(a: Attempt, order: Order, now: Date): Attempt {
  if (!a.legal) return a;
  const legal = ORDER_ACTOR_ROLES.flatMap((role) => allowedActions(order, role, now).map((action) => ({ role, action })));
  const picked = legal[a.pick % Math.max(1, legal.length)];
  return picked === undefined ? a : { ...a, ...picked };
}

function actorFor(a: Attempt): OrderActor {
  const actor = actors[a.role];
  return a.foreignTenant && actor.tenantId !== undefined ? { ...actor, tenantId: 'tnt_someone_else' } : actor;
}

describe('order state machine (property)', () => {
  it('does keep money whole whatever sequence of actions is tried', () => {
    const reached = new Set<OrderState>();
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 1, max: 10_000_000_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.array(attemptArb, { minLength: 5, maxLength: 40 }),
        (adCard, price, committedReads, attempts) => {
          const input = adCard ? anAdCardInput({ priceMicros: price, committedReads }) : anOrderInput({ priceMicros: price });
          const first = book(input);
          const books = new Books(ADVERTISER, price);
          books.record(first.postings);
          let order = first.order;
          let now = new Date(order.createdAt);

          reached.add(order.state);
          for (const attempt of attempts) {
            now = hoursAfter(now, attempt.laterHours);
            const a = choose(attempt, order, now);
            const before = structuredClone(order);
            try {
              // An input its schema refuses is answered 400 where the request comes in, before the machine.
              const parsed = ACTION_INPUTS[a.action].safeParse(inputFor(a, order, now) ?? {});
              if (!parsed.success) throw new ValidationError('Invalid input', []);
              const r = applyAction(order, a.action, parsed.data as ActionInputs[typeof a.action], { actor: actorFor(a), now, config });
              expect(isBalanced(r.postings)).toBe(true);
              expect(r.order.version).toBe(order.version + 1);
              expect(r.order.timeline).toHaveLength(order.timeline.length + 1);
              expect(r.events.length).toBeGreaterThan(0);
              books.record(r.postings);
              order = r.order;
              reached.add(order.state);
            } catch (e) {
              // Refusals are domain errors, never a broken invariant, and leave the order as it was.
              expect(e).toBeInstanceOf(DomainError);
              expect(order).toEqual(before);
            }

            expect(order.heldMicros).toBeGreaterThanOrEqual(0);
            expect(books.balance(advertiser(ADVERTISER, 'held'))).toBe(order.heldMicros);
            for (const [account, balance] of books.all()) if (!mayGoNegative(account)) expect(balance).toBeGreaterThanOrEqual(0);
            // Money out plus money still held is always the price.
            const out = books.balance(advertiser(ADVERTISER, 'available')) + books.balance(publisher(PUBLISHER, 'earned')) + books.balance(platform('revenue'));
            expect(out + order.heldMicros).toBe(price);
          }

          if (isFinal(order.state)) {
            expect(order.heldMicros).toBe(0);
            const s = order.settlement!;
            expect(s.refundedMicros + s.capturedMicros).toBe(price);
            expect(s.ownerMicros + s.feeMicros).toBe(s.capturedMicros);
            expect(books.balance(advertiser(ADVERTISER, 'available'))).toBe(s.refundedMicros);
            expect(books.balance(publisher(PUBLISHER, 'earned'))).toBe(s.ownerMicros);
            expect(books.balance(platform('revenue'))).toBe(s.feeMicros);
            expect(dueJobs(order, hoursAfter(now, 10_000))).toBeNull();
          } else {
            expect(order.settlement).toBeUndefined();
            expect(order.heldMicros).toBe(price);
          }
        },
      ),
      { numRuns: 1000 },
    );
    // The runs must have passed through every state, or the property says little about the late ones.
    expect([...reached].sort()).toEqual([...ORDER_STATES].sort());
  });

  it('does always finish when only the jobs act, and hold nothing after', () => {
    fc.assert(
      fc.property(fc.constantFrom('requested' as const, 'published' as const), fc.integer({ min: 1, max: 1e9 }), (start, price) => {
        let order = book(anOrderInput({ priceMicros: price })).order;
        if (start === 'published') {
          for (const [action, role, body] of [
            ['accept', 'owner', undefined],
            ['submit-draft', 'owner', { content: 'x' }],
            ['approve', 'advertiser', undefined],
            ['publish', 'owner', { postUrl: 'https://x.example/p', publishedAt: order.createdAt }],
          ] as const) {
            order = applyAction(order, action, body, { actor: actors[role], now: hoursAfter(order.updatedAt, 1), config }).order;
          }
        }
        const later = hoursAfter(order.updatedAt, Math.max(config.ownerResponseHours, config.reviewWindowHours));
        const job = dueJobs(order, later);
        expect(job).not.toBeNull();
        const done = applyAction(order, job!, undefined, { actor: actors.system, now: later, config }).order;
        expect(isFinal(done.state)).toBe(true);
        expect(done.heldMicros).toBe(0);
      }),
    );
  });
});
