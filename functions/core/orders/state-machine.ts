import type { SlotFormat } from '../marketplace/catalog.js';
import { isBalanced, postings as ledgerPostings, type Posting } from '../ledger/ledger.js';
import { ConflictError, ForbiddenError, InvalidTransitionError, ValidationError, type FieldIssue } from '../shared/errors.js';
import type { IdSource } from '../shared/ids.js';
import { isMicros } from '../shared/money.js';
import {
  ORDER_ACTIONS,
  isFinal,
  type Order,
  type OrderAction,
  type OrderActor,
  type OrderActorRole,
  type OrderConfig,
  type OrderState,
  type TimelineEntry,
} from './order.js';
import type { ActionInputs, ResolveOutcome } from './inputs.js';
import { settle, settleCompletion, settleFullRefund, type Settlement } from './settlement.js';
import { MS_PER_HOUR } from '../shared/time.js';

/**
 * The order state machine (DESIGN §4). Pure: the caller passes the actor, the time and the config,
 * and gets back the next order, the ledger postings to write in the same transaction, and the
 * webhook events to emit. The caller (store) is responsible for the optimistic `version` check.
 */

/** Where an action leads: one state, or a state chosen by the order's format or the operator's outcome. */
export type TransitionTarget =
  | { kind: 'state'; state: OrderState }
  | { kind: 'by-format'; states: Readonly<Record<SlotFormat, OrderState>> }
  | { kind: 'by-outcome'; states: Readonly<Record<ResolveOutcome, OrderState>> };

/** Time conditions on an action, checked against the order's deadlines. */
export type TimeGate = 'response-open' | 'response-over' | 'review-open' | 'review-over';

export interface TransitionRule {
  actors: readonly OrderActorRole[];
  from: readonly OrderState[];
  to: TransitionTarget;
  gate?: TimeGate;
  /** An event named after the action, emitted before the event for the state entered. */
  event?: OrderEvent;
  /** Skip the `order.<state>` event: re-entering `accepted` on request-changes is not a new acceptance. */
  quietState?: boolean;
}

const to = (state: OrderState): TransitionTarget => ({ kind: 'state', state });

/**
 * Who may do what, from where, to where. ad_card orders have no draft to review (the creative is
 * the advertiser's own card), so acceptance schedules them; custom_article orders wait for a draft.
 * Acceptance closes with the response deadline so an owner cannot take an order the advertiser
 * already counts as expired; a late reject or cancel is harmless (same money outcome) and allowed.
 */
export const TRANSITIONS: Readonly<Record<OrderAction, TransitionRule>> = {
  accept: {
    actors: ['owner'],
    from: ['requested'],
    to: { kind: 'by-format', states: { ad_card: 'scheduled', custom_article: 'accepted' } },
    gate: 'response-open',
    event: 'order.accepted',
  },
  reject: { actors: ['owner'], from: ['requested'], to: to('rejected') },
  cancel: { actors: ['advertiser'], from: ['requested'], to: to('cancelled') },
  expire: { actors: ['system'], from: ['requested'], to: to('expired'), gate: 'response-over' },
  'submit-draft': { actors: ['owner'], from: ['accepted'], to: to('in_review'), event: 'order.draft_submitted', quietState: true },
  approve: { actors: ['advertiser'], from: ['in_review'], to: to('scheduled') },
  'request-changes': { actors: ['advertiser'], from: ['in_review'], to: to('accepted'), event: 'order.changes_requested', quietState: true },
  publish: { actors: ['owner'], from: ['scheduled'], to: to('published') },
  confirm: { actors: ['advertiser'], from: ['published'], to: to('completed') },
  dispute: { actors: ['advertiser'], from: ['published'], to: to('disputed'), gate: 'review-open' },
  'auto-complete': { actors: ['system'], from: ['published'], to: to('completed'), gate: 'review-over' },
  resolve: {
    actors: ['admin'],
    from: ['disputed'],
    to: { kind: 'by-outcome', states: { pay: 'completed', refund: 'refunded', partial: 'partially_refunded' } },
  },
};

/** Money moved on entering a state: the only places held money leaves escrow. */
const SETTLEMENT_ON_ENTRY: Partial<Record<OrderState, 'complete' | 'refund-all' | 'refund-part'>> = {
  completed: 'complete',
  rejected: 'refund-all',
  expired: 'refund-all',
  cancelled: 'refund-all',
  refunded: 'refund-all',
  partially_refunded: 'refund-part',
};

export const ORDER_EVENTS = [
  'order.requested',
  'order.accepted',
  'order.rejected',
  'order.expired',
  'order.cancelled',
  'order.draft_submitted',
  'order.changes_requested',
  'order.scheduled',
  'order.published',
  'order.disputed',
  'order.completed',
  'order.refunded',
  'order.partially_refunded',
] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

export type { ActionInputs } from './inputs.js';

export interface ActionContext {
  actor: OrderActor;
  now: Date;
  config: OrderConfig;
}

export interface ActionResult {
  order: Order;
  /** Balanced, normalised (one line per account) postings to write with the state change; empty when no money moves. */
  postings: Posting[];
  events: OrderEvent[];
}

const BPS_PER_WHOLE = 10_000;

const addHours = (at: Date, hours: number): string => new Date(at.getTime() + hours * MS_PER_HOUR).toISOString();

function gateOpen(order: Order, gate: TimeGate | undefined, now: Date): boolean {
  const t = now.getTime();
  const respondBy = order.deadlines.respondBy === undefined ? undefined : Date.parse(order.deadlines.respondBy);
  const reviewEndsAt = order.deadlines.reviewEndsAt === undefined ? undefined : Date.parse(order.deadlines.reviewEndsAt);
  switch (gate) {
    case undefined:
      return true;
    // An order without a deadline never lapses: there is nothing for the job to enforce.
    case 'response-open':
      return respondBy === undefined || t < respondBy;
    case 'response-over':
      return respondBy !== undefined && t >= respondBy;
    case 'review-open':
      return reviewEndsAt === undefined || t < reviewEndsAt;
    case 'review-over':
      return reviewEndsAt !== undefined && t >= reviewEndsAt;
  }
}

/**
 * The actions `role` may take on the order in its current state. With `now`, actions whose time
 * gate is closed (a dispute after the review window, an expiry not yet due) are left out too.
 */
export function allowedActions(order: Order, role: OrderActorRole, now?: Date): OrderAction[] {
  return ORDER_ACTIONS.filter((action) => {
    const rule = TRANSITIONS[action];
    return rule.actors.includes(role) && rule.from.includes(order.state) && (now === undefined || gateOpen(order, rule.gate, now));
  });
}

/** The system action due on the order at `now`, if any: what the jobs function should apply. */
export function dueJobs(order: Order, now: Date): 'expire' | 'auto-complete' | null {
  const due = allowedActions(order, 'system', now);
  if (due.includes('expire')) return 'expire';
  if (due.includes('auto-complete')) return 'auto-complete';
  return null;
}

/** When the next system action falls due, for the store to index orders by deadline. */
export function jobDueAt(order: Order): string | undefined {
  if (order.state === 'requested') return order.deadlines.respondBy;
  if (order.state === 'published') return order.deadlines.reviewEndsAt;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Input checks. The HTTP layer validates shapes with zod; these repeat the rules that money and
// deadlines depend on, so the core is safe whoever calls it.

class Issues {
  readonly list: FieldIssue[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
  throwIfAny(what: string): void {
    if (this.list.length > 0) throw new ValidationError(`Invalid ${what}`, this.list);
  }
}

/**
 * The rules on an action's input that depend on the order or the time; its shape (types, URLs,
 * text lengths, the outcome) is the action's schema's (inputs.ts), checked where the request came in.
 */
function checkInput<A extends OrderAction>(action: A, raw: ActionInputs[A] | undefined, order: Order, now: Date): ActionInputs[A] {
  const input = (raw ?? {}) as Partial<ActionInputs['publish'] & ActionInputs['resolve']>;
  const issues = new Issues();
  if (action === 'publish') {
    if (input.publishedAt !== undefined && Date.parse(input.publishedAt) > now.getTime()) issues.add('publishedAt', 'cannot be in the future');
    // Without reads a shortfall could not be measured, and the commitment would mean nothing.
    if (order.committedReads !== undefined && input.reads === undefined) issues.add('reads', 'is required: the slot commits to a number of reads');
  }
  if (action === 'resolve') {
    const refund = input.refundMicros;
    if (input.outcome === 'partial') {
      if (refund === undefined) issues.add('refundMicros', 'is required for a partial outcome: a non-negative integer');
      // 0 and everything are the `pay` and `refund` outcomes; saying so keeps the state honest.
      else if (refund >= order.heldMicros) issues.add('refundMicros', `must be between 1 and ${order.heldMicros - 1} (use pay or refund otherwise)`);
    } else if (refund !== undefined) {
      issues.add('refundMicros', 'is only for a partial outcome');
    }
  }
  issues.throwIfAny(`input for ${action}`);
  return (raw ?? {}) as ActionInputs[A];
}

function checkActor(order: Order, action: OrderAction, actor: OrderActor, rule: TransitionRule, now: Date): void {
  if (!rule.actors.includes(actor.role)) {
    throw new ForbiddenError(`Only the ${rule.actors.join(' or ')} may ${action} an order`, {
      state: order.state,
      allowedActions: allowedActions(order, actor.role, now),
    });
  }
  const party = actor.role === 'owner' ? order.publisherId : actor.role === 'advertiser' ? order.advertiserId : undefined;
  if (party !== undefined && actor.tenantId !== party) {
    throw new ForbiddenError(`This order does not belong to the acting ${actor.role}`);
  }
}

function gateError(order: Order, action: OrderAction, gate: TimeGate, role: OrderActorRole, now: Date): ConflictError {
  const messages: Record<TimeGate, string> = {
    'response-open': `The owner's response deadline (${order.deadlines.respondBy}) has passed`,
    'response-over': `The owner's response deadline (${order.deadlines.respondBy}) has not passed yet`,
    'review-open': `The review window ended at ${order.deadlines.reviewEndsAt}`,
    'review-over': `The review window ends at ${order.deadlines.reviewEndsAt}`,
  };
  return new ConflictError(`Cannot ${action} now: ${messages[gate]}`, {
    state: order.state,
    deadlines: order.deadlines,
    allowedActions: allowedActions(order, role, now),
  });
}

function targetState(order: Order, rule: TransitionRule, input: { outcome?: ResolveOutcome }): OrderState {
  switch (rule.to.kind) {
    case 'state':
      return rule.to.state;
    case 'by-format':
      return rule.to.states[order.format];
    case 'by-outcome':
      // readInput has checked the outcome for the only action with this kind of target.
      return rule.to.states[input.outcome as ResolveOutcome];
  }
}

function settlementFor(order: Order, next: OrderState, input: { refundMicros?: number }): Settlement | undefined {
  switch (SETTLEMENT_ON_ENTRY[next]) {
    case undefined:
      return undefined;
    case 'complete':
      return settleCompletion(order);
    case 'refund-all':
      return settleFullRefund(order);
    case 'refund-part':
      return settle(order, input.refundMicros ?? 0);
  }
}

/** Order fields an action sets besides its state. */
function fieldsFor<A extends OrderAction>(action: A, input: ActionInputs[A], ctx: ActionContext): Partial<Order> {
  const at = ctx.now.toISOString();
  if (action === 'submit-draft') {
    const i = input as ActionInputs['submit-draft'];
    return { draft: { content: i.content, ...(i.previewUrl === undefined ? {} : { previewUrl: i.previewUrl }), submittedAt: at } };
  }
  if (action === 'publish') {
    const i = input as ActionInputs['publish'];
    return {
      proof: {
        postUrl: i.postUrl,
        publishedAt: new Date(i.publishedAt).toISOString(),
        ...(i.reads === undefined ? {} : { reads: i.reads }),
      },
    };
  }
  if (action === 'dispute') return { disputeReason: (input as ActionInputs['dispute']).reason };
  return {};
}

/**
 * Applies one action to an order.
 * 1. Checks the actor: the role may take the action at all (ForbiddenError), and the order is theirs.
 * 2. Checks the state (InvalidTransitionError listing what this actor may do) and the time gate (ConflictError).
 * 3. Checks what the input's schema cannot: deadlines, reads and refunds against the order (ValidationError).
 * 4. Moves to the next state, settling escrow when the state is final, and records the step on the timeline.
 */
export function applyAction<A extends OrderAction>(order: Order, action: A, input: ActionInputs[A] | undefined, ctx: ActionContext): ActionResult {
  const rule = (TRANSITIONS as Partial<Record<string, TransitionRule>>)[action];
  if (rule === undefined) {
    throw new ValidationError(`Unknown action ${String(action)}`, [{ field: 'action', message: `must be one of ${ORDER_ACTIONS.join(', ')}` }]);
  }
  checkActor(order, action, ctx.actor, rule, ctx.now);
  if (!rule.from.includes(order.state)) {
    throw new InvalidTransitionError(order.state, action, allowedActions(order, ctx.actor.role, ctx.now));
  }
  if (!gateOpen(order, rule.gate, ctx.now)) throw gateError(order, action, rule.gate as TimeGate, ctx.actor.role, ctx.now);
  const checked = checkInput(action, input, order, ctx.now);

  const next = targetState(order, rule, checked as { outcome?: ResolveOutcome });
  const money = settlementFor(order, next, checked as { refundMicros?: number });
  const at = ctx.now.toISOString();
  const note = noteOf(checked);
  const entry: TimelineEntry = { at, actor: copyActor(ctx.actor), action, from: order.state, to: next, ...(note === undefined ? {} : { note }) };
  // The review window runs from when the proof arrives, not the claimed publication time: the
  // advertiser cannot review before seeing the proof, and a backdated publishedAt must not shorten it.
  const deadlines = action === 'publish' ? { ...order.deadlines, reviewEndsAt: addHours(ctx.now, ctx.config.reviewWindowHours) } : order.deadlines;

  const result: Order = {
    ...order,
    ...fieldsFor(action, checked, ctx),
    state: next,
    deadlines,
    heldMicros: money === undefined ? order.heldMicros : order.heldMicros - money.settlement.refundedMicros - money.settlement.capturedMicros,
    ...(money === undefined ? {} : { settlement: money.settlement }),
    timeline: [...order.timeline, entry],
    version: order.version + 1,
    updatedAt: at,
  };
  const lines = money?.postings ?? [];
  assertInvariants(result, lines);
  return { order: result, postings: lines, events: eventsFor(rule, next) };
}

/** The free text an action carries for the timeline: a reason, or a note. */
function noteOf(input: object): string | undefined {
  if ('reason' in input && typeof input.reason === 'string') return input.reason;
  if ('note' in input && typeof input.note === 'string') return input.note;
  return undefined;
}

const copyActor = (actor: OrderActor): OrderActor => ({ role: actor.role, ...(actor.tenantId === undefined ? {} : { tenantId: actor.tenantId }) });

function eventsFor(rule: TransitionRule, next: OrderState): OrderEvent[] {
  const events: OrderEvent[] = rule.event === undefined ? [] : [rule.event];
  const stateEvent = `order.${next}`;
  if (!rule.quietState && (ORDER_EVENTS as readonly string[]).includes(stateEvent) && !events.includes(stateEvent as OrderEvent)) {
    events.push(stateEvent as OrderEvent);
  }
  return events;
}

/** Guards against a bug in this file ever reaching the ledger: these hold for every legal step. */
function assertInvariants(order: Order, lines: readonly Posting[]): void {
  if (!isBalanced(lines)) throw new Error(`order ${order.id}: postings do not balance`);
  if (order.heldMicros < 0) throw new Error(`order ${order.id}: held money went negative`);
  if (isFinal(order.state) && order.heldMicros !== 0) throw new Error(`order ${order.id}: final state ${order.state} still holds money`);
}

// ---------------------------------------------------------------------------------------------

/** What a new order starts from: the parties, the slot's terms and the brief. */
export type NewOrderInput = Pick<
  Order,
  'advertiserId' | 'publisherId' | 'accountId' | 'slotId' | 'format' | 'committedReads' | 'priceMicros' | 'currency' | 'brief'
>;

export interface NewOrderContext {
  ids: IdSource;
  now: Date;
  config: OrderConfig;
}

export function checkOrderConfig(config: OrderConfig): void {
  const issues = new Issues();
  if (!Number.isInteger(config.feeBps) || config.feeBps < 0 || config.feeBps > BPS_PER_WHOLE)
    issues.add('feeBps', `must be an integer from 0 to ${BPS_PER_WHOLE}`);
  if (!(config.ownerResponseHours > 0)) issues.add('ownerResponseHours', 'must be positive');
  if (!(config.reviewWindowHours > 0)) issues.add('reviewWindowHours', 'must be positive');
  issues.throwIfAny('order config');
}

/**
 * A new order in `requested`: the price is held (available → held) in the same transaction, the
 * owner's response deadline is set from the config, and the fee rate in force is fixed on the order.
 */
export function newOrder(input: NewOrderInput, ctx: NewOrderContext): ActionResult {
  checkOrderConfig(ctx.config);
  const issues = new Issues();
  for (const field of ['advertiserId', 'publisherId', 'accountId', 'slotId', 'currency'] as const) {
    if (input[field].trim() === '') issues.add(field, 'is required');
  }
  if (!isMicros(input.priceMicros) || input.priceMicros <= 0) issues.add('priceMicros', 'must be a positive integer number of micros');
  if (input.format === 'ad_card') {
    if (input.committedReads === undefined || !Number.isSafeInteger(input.committedReads) || input.committedReads <= 0) {
      issues.add('committedReads', 'must be a positive integer for ad_card');
    }
  } else if (input.format === 'custom_article') {
    if (input.committedReads !== undefined) issues.add('committedReads', 'is only for ad_card');
  } else {
    issues.add('format', 'must be ad_card or custom_article');
  }
  issues.throwIfAny('order');

  const at = ctx.now.toISOString();
  const actor: OrderActor = { role: 'advertiser', tenantId: input.advertiserId };
  const order: Order = {
    id: ctx.ids('ord'),
    advertiserId: input.advertiserId,
    publisherId: input.publisherId,
    accountId: input.accountId,
    slotId: input.slotId,
    format: input.format,
    ...(input.committedReads === undefined ? {} : { committedReads: input.committedReads }),
    priceMicros: input.priceMicros,
    currency: input.currency,
    feeBps: ctx.config.feeBps,
    state: 'requested',
    brief: {
      title: input.brief.title,
      copy: input.brief.copy,
      landingUrl: input.brief.landingUrl,
      ...(input.brief.imageUrl === undefined ? {} : { imageUrl: input.brief.imageUrl }),
    },
    deadlines: { respondBy: addHours(ctx.now, ctx.config.ownerResponseHours) },
    heldMicros: input.priceMicros,
    timeline: [{ at, actor, action: 'request', from: null, to: 'requested' }],
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const lines = ledgerPostings.hold(input.advertiserId, input.priceMicros);
  assertInvariants(order, lines);
  return { order, postings: lines, events: ['order.requested'] };
}
