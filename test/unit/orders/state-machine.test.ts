import { describe, expect, it } from 'vitest';
import { advertiser, isBalanced, platform, publisher } from '../../../functions/core/ledger/ledger.js';
import {
  ORDER_ACTIONS,
  ORDER_ACTOR_ROLES,
  ORDER_STATES,
  type Order,
  type OrderAction,
  type OrderActorRole,
  type OrderState,
} from '../../../functions/core/orders/order.js';
import { ACTION_INPUTS, OrderBriefInput } from '../../../functions/core/orders/inputs.js';
import { allowedActions, applyAction, dueJobs, jobDueAt, newOrder, type ActionInputs } from '../../../functions/core/orders/state-machine.js';
import { ConflictError, ForbiddenError, InvalidTransitionError, ValidationError } from '../../../functions/core/shared/errors.js';
import { sequentialIds } from '../../../functions/core/shared/ids.js';
import { ADVERTISER, Books, PUBLISHER, T0, aProof, act, actors, anAdCardInput, anOrderInput, book, config, hoursAfter, orderIn } from './builders.js';

const PRICE = 1_000_000_000;

/** The fields an input's schema refuses, as the 400 problem names them (empty when it parses). */
function refused(schema: { safeParse(input: unknown): { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } }, input: unknown): string[] {
  return schema.safeParse(input).error?.issues.map((i) => i.path.join('.')) ?? [];
}

/**
 * Who may take each action, and from which states: DESIGN.md §4 written out by hand, independent
 * of the machine's own TRANSITIONS table, so a wrong entry there fails here.
 */
const EXPECTED: Record<OrderAction, { actor: OrderActorRole; from: OrderState[] }> = {
  accept: { actor: 'owner', from: ['requested'] },
  reject: { actor: 'owner', from: ['requested'] },
  cancel: { actor: 'advertiser', from: ['requested'] },
  expire: { actor: 'system', from: ['requested'] },
  'submit-draft': { actor: 'owner', from: ['accepted'] },
  approve: { actor: 'advertiser', from: ['in_review'] },
  'request-changes': { actor: 'advertiser', from: ['in_review'] },
  publish: { actor: 'owner', from: ['scheduled'] },
  confirm: { actor: 'advertiser', from: ['published'] },
  dispute: { actor: 'advertiser', from: ['published'] },
  'auto-complete': { actor: 'system', from: ['published'] },
  resolve: { actor: 'admin', from: ['disputed'] },
};

/** Books an order and runs steps on it, keeping the ledger; each step is checked to balance. */
function scenario(input = anOrderInput()) {
  const first = book(input);
  const books = new Books(input.advertiserId, input.priceMicros);
  books.record(first.postings);
  let order = first.order;
  const events: string[] = [...first.events];
  return {
    books,
    events,
    get order(): Order {
      return order;
    },
    do<A extends OrderAction>(action: A, body: ActionInputs[A] | undefined, role: keyof typeof actors, now?: Date): void {
      const r = act(order, action, body, role, now);
      expect(isBalanced(r.postings)).toBe(true);
      books.record(r.postings);
      events.push(...r.events);
      order = r.order;
    },
  };
}

describe('newOrder', () => {
  it('does create a requested order that holds the price, with a response deadline from the config', () => {
    const { order, postings, events } = book();
    expect(order).toMatchObject({
      id: 'ord_000001',
      state: 'requested',
      heldMicros: PRICE,
      feeBps: config.feeBps,
      version: 1,
      createdAt: T0.toISOString(),
      deadlines: { respondBy: hoursAfter(T0, config.ownerResponseHours).toISOString() },
    });
    expect(order.timeline).toEqual([{ at: T0.toISOString(), actor: actors.advertiser, action: 'request', from: null, to: 'requested' }]);
    expect(postings).toEqual([
      { account: advertiser(ADVERTISER, 'available'), amountMicros: -PRICE },
      { account: advertiser(ADVERTISER, 'held'), amountMicros: PRICE },
    ]);
    expect(events).toEqual(['order.requested']);
  });

  it('does take its deadlines and fee from the config passed in', () => {
    const { order } = newOrder(anOrderInput(), { ids: sequentialIds(), now: T0, config: { feeBps: 250, ownerResponseHours: 2, reviewWindowHours: 1 } });
    expect(order.feeBps).toBe(250);
    expect(order.deadlines.respondBy).toBe(hoursAfter(T0, 2).toISOString());
  });

  it('does refuse bad input with field issues', () => {
    const bad = (overrides: Parameters<typeof anOrderInput>[0]): string[] => {
      try {
        book(anOrderInput(overrides));
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as ValidationError).errors.map((i) => i.field);
      }
      throw new Error('expected a ValidationError');
    };
    expect(bad({ priceMicros: 0 })).toEqual(['priceMicros']);
    expect(bad({ priceMicros: 1.5 })).toEqual(['priceMicros']);
    expect(bad({ format: 'ad_card' })).toEqual(['committedReads']);
    expect(bad({ committedReads: 100 })).toEqual(['committedReads']);
    // The brief's shape is its schema's, checked where the request comes in.
    expect(refused(OrderBriefInput, { title: '', copy: 'x', landingUrl: 'ftp://x' })).toEqual(['title', 'landingUrl']);
    expect(bad({ advertiserId: '' })).toEqual(['advertiserId']);
  });

  it('does refuse a config without sense', () => {
    expect(() => newOrder(anOrderInput(), { ids: sequentialIds(), now: T0, config: { ...config, feeBps: 10_001 } })).toThrow(ValidationError);
    expect(() => newOrder(anOrderInput(), { ids: sequentialIds(), now: T0, config: { ...config, reviewWindowHours: 0 } })).toThrow(ValidationError);
  });
});

describe('applyAction: legal paths', () => {
  it('does take a custom article through draft, changes, approval, publication and confirmation', () => {
    const s = scenario();
    s.do('accept', { note: 'happy to' }, 'owner');
    expect(s.order.state).toBe('accepted');
    s.do('submit-draft', { content: 'Draft one', previewUrl: 'https://preview.example.com/1' }, 'owner');
    expect(s.order.state).toBe('in_review');
    s.do('request-changes', { note: 'shorter please' }, 'advertiser');
    expect(s.order.state).toBe('accepted');
    s.do('submit-draft', { content: 'Draft two' }, 'owner');
    expect(s.order.draft?.content).toBe('Draft two');
    s.do('approve', undefined, 'advertiser');
    expect(s.order.state).toBe('scheduled');
    const publishedAt = new Date(s.order.updatedAt);
    s.do('publish', { postUrl: 'https://mp.example.com/s/1', publishedAt: publishedAt.toISOString() }, 'owner', hoursAfter(publishedAt, 1));
    expect(s.order.state).toBe('published');
    expect(s.order.deadlines.reviewEndsAt).toBe(hoursAfter(publishedAt, 1 + config.reviewWindowHours).toISOString());
    expect(s.order.heldMicros).toBe(PRICE);
    s.do('confirm', undefined, 'advertiser');

    expect(s.order).toMatchObject({
      state: 'completed',
      heldMicros: 0,
      version: 8,
      settlement: { refundedMicros: 0, capturedMicros: PRICE, ownerMicros: 900_000_000, feeMicros: 100_000_000 },
    });
    expect(s.books.balance(advertiser(ADVERTISER, 'held'))).toBe(0);
    expect(s.books.balance(publisher(PUBLISHER, 'earned'))).toBe(900_000_000);
    expect(s.books.balance(platform('revenue'))).toBe(100_000_000);
    expect(s.order.timeline.map((e) => `${e.from ?? '∅'}→${e.to}`)).toEqual([
      '∅→requested',
      'requested→accepted',
      'accepted→in_review',
      'in_review→accepted',
      'accepted→in_review',
      'in_review→scheduled',
      'scheduled→published',
      'published→completed',
    ]);
    expect(s.order.timeline[3]).toMatchObject({ action: 'request-changes', actor: actors.advertiser, note: 'shorter please' });
    expect(s.events).toEqual([
      'order.requested',
      'order.accepted',
      'order.draft_submitted',
      'order.changes_requested',
      'order.draft_submitted',
      'order.scheduled',
      'order.published',
      'order.completed',
    ]);
  });

  it('does schedule an ad card on acceptance and auto-complete it when the review window ends', () => {
    const s = scenario(anAdCardInput());
    s.do('accept', undefined, 'owner');
    expect(s.order.state).toBe('scheduled');
    expect(s.events.slice(-2)).toEqual(['order.accepted', 'order.scheduled']);
    s.do('publish', aProof(12_000), 'owner');
    const ends = new Date(s.order.deadlines.reviewEndsAt!);
    expect(dueJobs(s.order, new Date(ends.getTime() - 1))).toBeNull();
    expect(dueJobs(s.order, ends)).toBe('auto-complete');
    s.do('auto-complete', undefined, 'system', ends);
    expect(s.order).toMatchObject({ state: 'completed', heldMicros: 0, settlement: { refundedMicros: 0, capturedMicros: PRICE } });
    expect(s.order.timeline.at(-1)).toMatchObject({ action: 'auto-complete', actor: { role: 'system' } });
  });

  it('does refund an under-delivered ad card pro rata on completion', () => {
    const s = scenario(anAdCardInput({ committedReads: 10_000 }));
    s.do('accept', undefined, 'owner');
    s.do('publish', aProof(6_000), 'owner');
    s.do('confirm', undefined, 'advertiser');
    // 40 % short: 400 of 1000 back, 600 captured, 10 % of that to the platform.
    expect(s.order.settlement).toEqual({ refundedMicros: 400_000_000, capturedMicros: 600_000_000, ownerMicros: 540_000_000, feeMicros: 60_000_000 });
    expect(s.books.balance(advertiser(ADVERTISER, 'available'))).toBe(400_000_000);
    expect(s.books.balance(publisher(PUBLISHER, 'earned'))).toBe(540_000_000);
    expect(s.books.balance(platform('revenue'))).toBe(60_000_000);
    expect(s.order.heldMicros).toBe(0);
  });

  it.each([
    ['reject', 'owner', 'rejected'],
    ['cancel', 'advertiser', 'cancelled'],
  ] as const)('does release the whole hold on %s', (action, role, state) => {
    const s = scenario();
    s.do(action, { reason: 'changed plans' }, role);
    expect(s.order).toMatchObject({ state, heldMicros: 0, settlement: { refundedMicros: PRICE, capturedMicros: 0 } });
    expect(s.order.timeline.at(-1)?.note).toBe('changed plans');
    expect(s.books.balance(advertiser(ADVERTISER, 'available'))).toBe(PRICE);
    expect(s.events.at(-1)).toBe(`order.${state}`);
  });

  it('does expire an order the owner left unanswered, and only once the deadline has passed', () => {
    const s = scenario();
    const respondBy = new Date(s.order.deadlines.respondBy!);
    expect(dueJobs(s.order, new Date(respondBy.getTime() - 1))).toBeNull();
    expect(() => act(s.order, 'expire', undefined, 'system', new Date(respondBy.getTime() - 1))).toThrow(ConflictError);
    expect(dueJobs(s.order, respondBy)).toBe('expire');
    expect(jobDueAt(s.order)).toBe(respondBy.toISOString());
    s.do('expire', undefined, 'system', respondBy);
    expect(s.order).toMatchObject({ state: 'expired', heldMicros: 0 });
    expect(s.books.balance(advertiser(ADVERTISER, 'available'))).toBe(PRICE);
    expect(dueJobs(s.order, hoursAfter(respondBy, 1000))).toBeNull();
    expect(jobDueAt(s.order)).toBeUndefined();
  });

  it('does let the operator resolve a dispute by paying the owner', () => {
    const order = orderIn('disputed');
    expect(order.disputeReason).toBe('post was taken down');
    const r = act(order, 'resolve', { outcome: 'pay', note: 'post is live' }, 'admin');
    expect(r.order).toMatchObject({ state: 'completed', heldMicros: 0, settlement: { capturedMicros: PRICE, refundedMicros: 0 } });
    expect(r.events).toEqual(['order.completed']);
    expect(r.order.timeline.at(-1)).toMatchObject({ action: 'resolve', actor: { role: 'admin' }, from: 'disputed', to: 'completed', note: 'post is live' });
  });

  it('does let the operator refund a dispute in full', () => {
    const r = act(orderIn('disputed'), 'resolve', { outcome: 'refund' }, 'admin');
    expect(r.order).toMatchObject({ state: 'refunded', heldMicros: 0, settlement: { refundedMicros: PRICE, capturedMicros: 0 } });
    expect(r.postings).toEqual([
      { account: advertiser(ADVERTISER, 'held'), amountMicros: -PRICE },
      { account: advertiser(ADVERTISER, 'available'), amountMicros: PRICE },
    ]);
    expect(r.events).toEqual(['order.refunded']);
  });

  it('does release the named refund and capture the rest on a partial resolution', () => {
    const r = act(orderIn('disputed'), 'resolve', { outcome: 'partial', refundMicros: 250_000_000 }, 'admin');
    expect(r.order).toMatchObject({
      state: 'partially_refunded',
      heldMicros: 0,
      settlement: { refundedMicros: 250_000_000, capturedMicros: 750_000_000, ownerMicros: 675_000_000, feeMicros: 75_000_000 },
    });
    // One line per account: DynamoDB forbids two writes to one item in a transaction.
    expect(r.postings).toEqual([
      { account: advertiser(ADVERTISER, 'held'), amountMicros: -PRICE },
      { account: advertiser(ADVERTISER, 'available'), amountMicros: 250_000_000 },
      { account: publisher(PUBLISHER, 'earned'), amountMicros: 675_000_000 },
      { account: platform('revenue'), amountMicros: 75_000_000 },
    ]);
    expect(r.events).toEqual(['order.partially_refunded']);
  });

  it('does still apply the shortfall refund when a dispute on an under-delivered ad card is resolved as pay', () => {
    const input = anAdCardInput({ committedReads: 3 });
    let order = orderIn('published', input);
    order = { ...order, proof: { ...order.proof!, reads: 1 } };
    order = act(order, 'dispute', { reason: 'reads too low' }, 'advertiser').order;
    const r = act(order, 'resolve', { outcome: 'pay' }, 'admin');
    // floor(1000 × 2 / 3) = 666.666666… → 666 666 666 back.
    expect(r.order.settlement).toMatchObject({ refundedMicros: 666_666_666, capturedMicros: 333_333_334 });
  });

  it('does leave the input order untouched', () => {
    const order = orderIn('requested');
    const before = structuredClone(order);
    act(order, 'accept', undefined, 'owner');
    expect(order).toEqual(before);
  });
});

describe('applyAction: illegal actions', () => {
  for (const state of ORDER_STATES) {
    for (const action of ORDER_ACTIONS) {
      const role = EXPECTED[action].actor;
      if (EXPECTED[action].from.includes(state)) continue;
      it(`does refuse ${action} in ${state} and list what the ${role} may do`, () => {
        const order = orderIn(state);
        expect(order.state).toBe(state);
        let error: unknown;
        try {
          act(order, action, undefined, role);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(InvalidTransitionError);
        const e = error as InvalidTransitionError;
        expect(e.state).toBe(state);
        expect(e.action).toBe(action);
        expect(e.allowed).toEqual(allowedActions(order, role, hoursAfter(order.updatedAt, 1)));
        expect(e.extensions).toMatchObject({ state, allowedActions: e.allowed });
      });
    }
  }

  it('does list the allowed actions per actor', () => {
    const requested = orderIn('requested');
    expect(allowedActions(requested, 'owner')).toEqual(['accept', 'reject']);
    expect(allowedActions(requested, 'advertiser')).toEqual(['cancel']);
    expect(allowedActions(requested, 'system')).toEqual(['expire']);
    expect(allowedActions(requested, 'system', T0)).toEqual([]);
    expect(allowedActions(requested, 'admin')).toEqual([]);
    const published = orderIn('published');
    expect(allowedActions(published, 'advertiser')).toEqual(['confirm', 'dispute']);
    expect(allowedActions(published, 'advertiser', new Date(published.deadlines.reviewEndsAt!))).toEqual(['confirm']);
    expect(allowedActions(orderIn('disputed'), 'admin')).toEqual(['resolve']);
    for (const role of ORDER_ACTOR_ROLES) expect(allowedActions(orderIn('completed'), role)).toEqual([]);
  });
});

describe('applyAction: actors', () => {
  for (const action of ORDER_ACTIONS) {
    const rule = EXPECTED[action];
    for (const role of ORDER_ACTOR_ROLES.filter((r) => r !== rule.actor)) {
      it(`does forbid the ${role} to ${action}`, () => {
        const order = orderIn(rule.from[0]!);
        expect(() => act(order, action, undefined, role)).toThrow(ForbiddenError);
      });
    }
  }

  it('does forbid an owner or advertiser acting on an order that is not theirs', () => {
    const order = orderIn('requested');
    const now = hoursAfter(T0, 1);
    expect(() => applyAction(order, 'accept', undefined, { actor: { role: 'owner', tenantId: 'tnt_other' }, now, config })).toThrow(ForbiddenError);
    expect(() => applyAction(order, 'accept', undefined, { actor: { role: 'owner' }, now, config })).toThrow(ForbiddenError);
    expect(() => applyAction(order, 'cancel', undefined, { actor: { role: 'advertiser', tenantId: PUBLISHER }, now, config })).toThrow(ForbiddenError);
  });

  it('does refuse an unknown action', () => {
    expect(() => act(orderIn('requested'), 'steal' as OrderAction, undefined, 'owner')).toThrow(ValidationError);
  });
});

describe('applyAction: deadlines and input', () => {
  it('does refuse a dispute once the review window has ended', () => {
    const order = orderIn('published');
    const ends = new Date(order.deadlines.reviewEndsAt!);
    expect(act(order, 'dispute', { reason: 'gone' }, 'advertiser', new Date(ends.getTime() - 1)).order.state).toBe('disputed');
    expect(() => act(order, 'dispute', { reason: 'gone' }, 'advertiser', ends)).toThrow(ConflictError);
    // Confirming late is the same outcome as the auto-completion, so it stays open.
    expect(act(order, 'confirm', undefined, 'advertiser', hoursAfter(ends, 1)).order.state).toBe('completed');
  });

  it('does refuse an acceptance after the response deadline', () => {
    const order = orderIn('requested');
    expect(() => act(order, 'accept', undefined, 'owner', new Date(order.deadlines.respondBy!))).toThrow(ConflictError);
    expect(act(order, 'reject', undefined, 'owner', new Date(order.deadlines.respondBy!)).order.state).toBe('rejected');
  });

  it('does refuse auto-completion before the window ends', () => {
    const order = orderIn('published');
    expect(() => act(order, 'auto-complete', undefined, 'system', hoursAfter(order.updatedAt, 1))).toThrow(ConflictError);
  });

  it('does start the review window when the proof arrives, whatever publishedAt says', () => {
    const order = orderIn('scheduled');
    const now = hoursAfter(order.updatedAt, 5);
    const r = act(order, 'publish', { postUrl: 'https://x.example/p', publishedAt: hoursAfter(now, -100).toISOString() }, 'owner', now);
    expect(r.order.deadlines.reviewEndsAt).toBe(hoursAfter(now, config.reviewWindowHours).toISOString());
    expect(r.order.proof?.publishedAt).toBe(hoursAfter(now, -100).toISOString());
    expect(jobDueAt(r.order)).toBe(r.order.deadlines.reviewEndsAt);
  });

  const fields = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).errors.map((i) => i.field);
    }
    throw new Error('expected a ValidationError');
  };

  it('does check the proof', () => {
    const order = orderIn('scheduled');
    const now = hoursAfter(order.updatedAt, 1);
    expect(refused(ACTION_INPUTS.publish, { postUrl: 'not a url', publishedAt: 'yesterday' })).toEqual(['postUrl', 'publishedAt']);
    expect(fields(() => act(order, 'publish', { postUrl: 'https://x.example', publishedAt: hoursAfter(now, 1).toISOString() }, 'owner', now))).toEqual([
      'publishedAt',
    ]);
    expect(refused(ACTION_INPUTS.publish, { ...aProof(), reads: -1 })).toEqual(['reads']);
    const adCard = orderIn('scheduled', anAdCardInput());
    expect(fields(() => act(adCard, 'publish', aProof(), 'owner'))).toEqual(['reads']);
  });

  it('does check drafts and disputes', () => {
    expect(refused(ACTION_INPUTS['submit-draft'], {})).toEqual(['content']);
    expect(refused(ACTION_INPUTS['submit-draft'], { content: 'x', previewUrl: 'javascript:alert(1)' })).toEqual(['previewUrl']);
    expect(refused(ACTION_INPUTS.dispute, { reason: '  ' })).toEqual(['reason']);
  });

  it('does check the resolution', () => {
    const order = orderIn('disputed');
    const resolve = (input: ActionInputs['resolve']) => () => act(order, 'resolve', input, 'admin');
    expect(fields(resolve({ outcome: 'partial' }))).toEqual(['refundMicros']);
    expect(fields(resolve({ outcome: 'partial', refundMicros: PRICE + 1 }))).toEqual(['refundMicros']);
    expect(fields(resolve({ outcome: 'partial', refundMicros: PRICE }))).toEqual(['refundMicros']);
    expect(refused(ACTION_INPUTS.resolve, { outcome: 'partial', refundMicros: 0 })).toEqual(['refundMicros']);
    expect(refused(ACTION_INPUTS.resolve, { outcome: 'partial', refundMicros: 0.5 })).toEqual(['refundMicros']);
    expect(fields(resolve({ outcome: 'pay', refundMicros: 5 }))).toEqual(['refundMicros']);
    expect(refused(ACTION_INPUTS.resolve, { outcome: 'split' })).toEqual(['outcome']);
    expect(refused(ACTION_INPUTS.resolve, {})).toEqual(['outcome']);
    expect(act(order, 'resolve', { outcome: 'partial', refundMicros: PRICE - 1 }, 'admin').order.state).toBe('partially_refunded');
  });
});
